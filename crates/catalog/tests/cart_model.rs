//! A state-machine test of carts against a small reference model: random sequences of quantity
//! changes, removals, product changes, settings changes, views and sends over several numbers,
//! customers and devices. After every step the carts equal the model's; quantities never pass
//! 99; orders hold only purchasable products at their current unit price and their totals are
//! exact; and a step on one cart never touches another.

use std::collections::BTreeMap;

use proptest::prelude::*;
use wacart_catalog::{
    Availability, CartKey, Carts, Catalog, CatalogError, CommerceSettings, Currency, Money,
    ProductPatch, Status,
};
use wacart_schema::{MessageId, RetailerId};

const PRODUCTS: usize = 5;
const CAT: &str = "194836987003835";

fn keys() -> Vec<CartKey> {
    let mut keys = Vec::new();
    for number in ["111", "222"] {
        for customer in ["16505550001", "16505550002"] {
            for device in ["phone", "web"] {
                keys.push(CartKey::new(number, customer, device));
            }
        }
    }
    keys
}

fn rid(p: usize) -> RetailerId {
    RetailerId::new(format!("p{p}"))
}

fn usd() -> Currency {
    Currency::from_code("USD").unwrap()
}

#[derive(Clone, Debug)]
enum Op {
    Set {
        key: usize,
        product: usize,
        quantity: u32,
        from_message: bool,
    },
    Remove {
        key: usize,
        product: usize,
    },
    Availability {
        product: usize,
        which: usize,
    },
    Archive {
        product: usize,
        archived: bool,
    },
    Price {
        product: usize,
        cents: u64,
        sale: Option<u64>,
    },
    Delete {
        product: usize,
    },
    Create {
        product: usize,
    },
    CartEnabled {
        number: usize,
        on: bool,
    },
    View {
        key: usize,
    },
    Send {
        key: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let k = 0..keys().len();
    let p = 0..PRODUCTS;
    prop_oneof![
        6 => (k.clone(), p.clone(), prop_oneof![0u32..=99, 95u32..=120, Just(0)], any::<bool>())
            .prop_map(|(key, product, quantity, from_message)| Op::Set { key, product, quantity, from_message }),
        2 => (k.clone(), p.clone()).prop_map(|(key, product)| Op::Remove { key, product }),
        2 => (p.clone(), 0usize..6).prop_map(|(product, which)| Op::Availability { product, which }),
        1 => (p.clone(), any::<bool>()).prop_map(|(product, archived)| Op::Archive { product, archived }),
        2 => (p.clone(), 1u64..100_000, proptest::option::of(0u64..100_000))
            .prop_map(|(product, cents, sale)| Op::Price { product, cents, sale }),
        1 => p.clone().prop_map(|product| Op::Delete { product }),
        1 => p.clone().prop_map(|product| Op::Create { product }),
        1 => (0usize..2, any::<bool>()).prop_map(|(number, on)| Op::CartEnabled { number, on }),
        2 => k.clone().prop_map(|key| Op::View { key }),
        2 => k.prop_map(|key| Op::Send { key }),
    ]
}

fn availability(which: usize) -> Availability {
    match which {
        0 => Availability::InStock,
        1 => Availability::OutOfStock,
        2 => Availability::Preorder,
        3 => Availability::AvailableForOrder,
        4 => Availability::Discontinued,
        _ => Availability::Unknown("back soon".into()),
    }
}

/// The reference model of one product.
#[derive(Clone, Debug)]
struct ModelProduct {
    purchasable_availability: bool,
    archived: bool,
    cents: u64,
    sale: Option<u64>,
}

impl ModelProduct {
    fn purchasable(&self) -> bool {
        self.purchasable_availability && !self.archived
    }
    fn unit(&self) -> u64 {
        self.sale.unwrap_or(self.cents)
    }
}

#[derive(Clone, Debug, Default)]
struct ModelCart {
    lines: Vec<(usize, u32)>,
    notice: bool,
    context: Option<String>,
}

struct Model {
    products: BTreeMap<usize, ModelProduct>,
    carts: Vec<ModelCart>,
    cart_enabled: [bool; 2],
}

impl Model {
    fn drop_everywhere(&mut self, product: usize) {
        for cart in &mut self.carts {
            if let Some(i) = cart.lines.iter().position(|(p, _)| *p == product) {
                cart.lines.remove(i);
                cart.notice = true;
                if cart.lines.is_empty() {
                    cart.context = None;
                }
            }
        }
    }
}

fn patch(cents: u64) -> ProductPatch {
    ProductPatch::new()
        .title("T")
        .description("D")
        .availability(Availability::InStock)
        .condition(wacart_catalog::Condition::New)
        .price(Money::from_minor(cents, usd()).unwrap())
        .link("https://s.example/p")
        .image_link("https://c.example/p.jpg")
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let keys = keys();
    let mut catalog = Catalog::new(CAT.into());
    let mut model = Model {
        products: BTreeMap::new(),
        carts: vec![ModelCart::default(); keys.len()],
        cart_enabled: [true, true],
    };
    for p in 0..PRODUCTS {
        catalog
            .create(rid(p), &patch(100 * (p as u64 + 1)))
            .unwrap();
        model.products.insert(
            p,
            ModelProduct {
                purchasable_availability: true,
                archived: false,
                cents: 100 * (p as u64 + 1),
                sale: None,
            },
        );
    }
    let mut carts = Carts::new();
    let settings =
        |model: &Model, key: usize| CommerceSettings::new(model.cart_enabled[key / 4], true);

    for (step, op) in ops.into_iter().enumerate() {
        match op.clone() {
            Op::Set {
                key,
                product,
                quantity,
                from_message,
            } => {
                let msg = MessageId::new(format!("wamid.{step}"));
                let from = from_message.then_some(&msg);
                let got = carts.set_quantity(
                    &keys[key],
                    &catalog,
                    settings(&model, key),
                    &rid(product),
                    quantity,
                    from,
                );
                let cart = &mut model.carts[key];
                let expected = if quantity > 99 {
                    Err(CatalogError::QuantityOutOfRange(quantity))
                } else if quantity == 0 {
                    if let Some(i) = cart.lines.iter().position(|(p, _)| *p == product) {
                        cart.lines.remove(i);
                        if cart.lines.is_empty() {
                            cart.context = None;
                        }
                    }
                    Ok(())
                } else if !model.cart_enabled[key / 4] {
                    Err(CatalogError::CartDisabled)
                } else {
                    match model.products.get(&product) {
                        None => Err(CatalogError::ProductsNotFound(vec![rid(product)])),
                        Some(p) if !p.purchasable() => {
                            Err(CatalogError::NotPurchasable(rid(product)))
                        }
                        Some(_) => {
                            if cart.lines.is_empty() {
                                cart.context = from.map(|m| m.to_string());
                            }
                            match cart.lines.iter_mut().find(|(p, _)| *p == product) {
                                Some(line) => line.1 = quantity,
                                None => cart.lines.push((product, quantity)),
                            }
                            Ok(())
                        }
                    }
                };
                prop_assert_eq!(got, expected, "step {} {:?}", step, op);
            }
            Op::Remove { key, product } => {
                let got = carts.remove(&keys[key], &rid(product));
                let cart = &mut model.carts[key];
                let expected = match cart.lines.iter().position(|(p, _)| *p == product) {
                    Some(i) => {
                        cart.lines.remove(i);
                        if cart.lines.is_empty() {
                            cart.context = None;
                        }
                        true
                    }
                    None => false,
                };
                prop_assert_eq!(got, expected);
            }
            Op::Availability { product, which } => {
                let a = availability(which);
                if let Some(m) = model.products.get_mut(&product) {
                    let ev = catalog
                        .update(&rid(product), &ProductPatch::new().availability(a.clone()))
                        .unwrap();
                    m.purchasable_availability = a.allows_purchase();
                    if !m.purchasable() {
                        model.drop_everywhere(product);
                    }
                    if let Some(ev) = ev {
                        carts.apply_event(&ev);
                    }
                }
            }
            Op::Archive { product, archived } => {
                if let Some(m) = model.products.get_mut(&product) {
                    let status = if archived {
                        Status::Archived
                    } else {
                        Status::Active
                    };
                    let ev = catalog
                        .update(&rid(product), &ProductPatch::new().status(status))
                        .unwrap();
                    m.archived = archived;
                    if !m.purchasable() {
                        model.drop_everywhere(product);
                    }
                    if let Some(ev) = ev {
                        carts.apply_event(&ev);
                    }
                }
            }
            Op::Price {
                product,
                cents,
                sale,
            } => {
                let sale = sale.filter(|s| *s < cents);
                let change = ProductPatch::new()
                    .price(Money::from_minor(cents, usd()).unwrap())
                    .sale_price(sale.map(|s| Money::from_minor(s, usd()).unwrap()));
                if let Some(m) = model.products.get_mut(&product) {
                    let ev = catalog.update(&rid(product), &change).unwrap();
                    m.cents = cents;
                    m.sale = sale;
                    if let Some(ev) = ev {
                        prop_assert!(ev.details_changed());
                        prop_assert!(
                            carts.apply_event(&ev).is_empty(),
                            "a price change leaves carts alone"
                        );
                    }
                }
            }
            Op::Delete { product } => {
                if model.products.remove(&product).is_some() {
                    let ev = catalog.delete(&rid(product)).unwrap();
                    model.drop_everywhere(product);
                    carts.apply_event(&ev);
                }
            }
            Op::Create { product } => {
                if let std::collections::btree_map::Entry::Vacant(slot) =
                    model.products.entry(product)
                {
                    let ev = catalog.create(rid(product), &patch(250)).unwrap();
                    slot.insert(ModelProduct {
                        purchasable_availability: true,
                        archived: false,
                        cents: 250,
                        sale: None,
                    });
                    prop_assert!(carts.apply_event(&ev).is_empty());
                }
            }
            Op::CartEnabled { number, on } => model.cart_enabled[number] = on,
            Op::View { key } => {
                let view = carts.view(&keys[key], &catalog);
                let cart = &mut model.carts[key];
                let lines: Vec<(String, u32, u64)> = view
                    .lines
                    .iter()
                    .map(|l| {
                        (
                            l.product.retailer_id().to_string(),
                            l.quantity,
                            l.product.unit_price().minor(),
                        )
                    })
                    .collect();
                let expected: Vec<(String, u32, u64)> = cart
                    .lines
                    .iter()
                    .map(|(p, q)| (rid(*p).to_string(), *q, model.products[p].unit()))
                    .collect();
                prop_assert_eq!(lines, expected, "view shows the latest details");
                prop_assert_eq!(view.notice.is_some(), cart.notice);
                cart.notice = false;
            }
            Op::Send { key } => {
                let got = carts.send(&keys[key], &catalog, settings(&model, key), "note");
                let cart = &mut model.carts[key];
                if !model.cart_enabled[key / 4] {
                    prop_assert_eq!(got, Err(CatalogError::CartDisabled));
                } else if cart.lines.is_empty() {
                    prop_assert_eq!(got, Err(CatalogError::EmptyCart));
                } else {
                    let sent = got.map_err(|e| TestCaseError::fail(format!("send failed: {e}")))?;
                    let order = sent.order();
                    prop_assert_eq!(order.catalog_id.as_str(), CAT);
                    prop_assert_eq!(order.text.as_deref(), Some("note"));
                    let mut total: u128 = 0;
                    prop_assert_eq!(order.product_items.len(), cart.lines.len());
                    for (item, (p, q)) in order.product_items.iter().zip(&cart.lines) {
                        let product = catalog.get(&item.product_retailer_id).unwrap();
                        prop_assert!(
                            product.is_purchasable(),
                            "only purchasable items are ordered"
                        );
                        prop_assert_eq!(&item.product_retailer_id, &rid(*p));
                        prop_assert_eq!(item.quantity, *q);
                        prop_assert!((1..=99).contains(&item.quantity));
                        prop_assert_eq!(item.currency.as_str(), "USD");
                        let cents = item.item_price.to_minor(2).unwrap();
                        prop_assert_eq!(
                            cents,
                            model.products[p].unit(),
                            "unit price is the sale price when set"
                        );
                        total += u128::from(cents) * u128::from(item.quantity);
                    }
                    let expected: u128 = cart
                        .lines
                        .iter()
                        .map(|(p, q)| u128::from(model.products[p].unit()) * u128::from(*q))
                        .sum();
                    prop_assert_eq!(total, expected, "order total exact");
                    prop_assert_eq!(sent.total_minor(), expected);
                    prop_assert_eq!(sent.context().map(|m| m.to_string()), cart.context.clone());
                    cart.lines.clear();
                    cart.context = None;
                }
            }
        }

        // Every cart equals the model's: nothing leaked to other devices, customers, numbers.
        for (i, key) in keys.iter().enumerate() {
            let want = &model.carts[i];
            let (lines, notice, context) = match carts.cart(key) {
                Some(c) => (
                    c.lines()
                        .iter()
                        .map(|l| (l.retailer_id.to_string(), l.quantity))
                        .collect::<Vec<_>>(),
                    c.notice().is_some(),
                    c.context().map(|m| m.to_string()),
                ),
                None => (Vec::new(), false, None),
            };
            let want_lines: Vec<_> = want
                .lines
                .iter()
                .map(|(p, q)| (rid(*p).to_string(), *q))
                .collect();
            prop_assert_eq!(lines, want_lines, "cart {} after step {} {:?}", i, step, op);
            prop_assert_eq!(
                notice,
                want.notice,
                "notice of cart {} after step {} {:?}",
                i,
                step,
                op
            );
            prop_assert_eq!(context, want.context.clone(), "context of cart {}", i);
            for (_, q) in &want.lines {
                prop_assert!((1..=99).contains(q));
            }
        }
        for p in 0..PRODUCTS {
            let holding = model
                .carts
                .iter()
                .filter(|c| c.lines.iter().any(|(q, _)| *q == p))
                .count();
            prop_assert_eq!(
                carts.holders(&CAT.into(), &rid(p)),
                holding,
                "index of p{}",
                p
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn carts_follow_the_model(ops in prop::collection::vec(op(), 1..80)) {
        run(ops)?;
    }
}
