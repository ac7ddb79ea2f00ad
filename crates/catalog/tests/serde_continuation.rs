//! Snapshots continue like the original: a random sequence of cart, product and settings
//! operations runs on a catalog, its carts and a settings book; at a random point a copy of
//! all three is made through `serde_json`, and from then on every operation gives the same
//! answer on the copy as on the original, and both serialize alike after every step. The
//! copy's indexes are rebuilt from the snapshot, so a product leaving the carts must reach the
//! same carts in both.

use proptest::prelude::*;
use wacart_catalog::{
    Availability, CartId, CartKey, Carts, Catalog, CatalogError, CatalogEvent, Condition, Currency,
    Money, Product, ProductPatch, SentOrder, SettingsBook, SettingsUpdate, Status,
};
use wacart_schema::{MessageId, PhoneNumberId, RetailerId};

const PRODUCTS: usize = 5;
const CAT: &str = "194836987003835";
const NUMBERS: [&str; 2] = ["111", "222"];

fn keys() -> Vec<CartKey> {
    let mut keys = Vec::new();
    for number in NUMBERS {
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

fn usd(minor: u64) -> Money {
    Money::from_minor(minor, Currency::from_code("USD").unwrap()).unwrap()
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
        cents: u64,
    },
    Settings {
        number: usize,
        cart: Option<bool>,
        visible: Option<bool>,
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
        6 => (k.clone(), p.clone(), prop_oneof![1u32..=99, Just(0), Just(100)], any::<bool>())
            .prop_map(|(key, product, quantity, from_message)| Op::Set { key, product, quantity, from_message }),
        2 => (k.clone(), p.clone()).prop_map(|(key, product)| Op::Remove { key, product }),
        2 => (p.clone(), 0usize..6).prop_map(|(product, which)| Op::Availability { product, which }),
        1 => (p.clone(), any::<bool>()).prop_map(|(product, archived)| Op::Archive { product, archived }),
        2 => (p.clone(), 1u64..10_000, proptest::option::of(0u64..10_000))
            .prop_map(|(product, cents, sale)| Op::Price { product, cents, sale }),
        1 => p.clone().prop_map(|product| Op::Delete { product }),
        1 => (p, 1u64..10_000).prop_map(|(product, cents)| Op::Create { product, cents }),
        1 => (0usize..2, proptest::option::of(any::<bool>()), proptest::option::of(any::<bool>()))
            .prop_map(|(number, cart, visible)| Op::Settings { number, cart, visible }),
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

fn patch(cents: u64) -> ProductPatch {
    ProductPatch::new()
        .title("T")
        .description("D")
        .availability(Availability::InStock)
        .condition(Condition::New)
        .price(usd(cents))
        .link("https://s.example/p")
        .image_link("https://c.example/p.jpg")
}

/// What one operation answered, owned so the original's and the copy's can be compared.
#[derive(Debug, PartialEq)]
enum Outcome {
    Set(Result<(), CatalogError>),
    Removed(bool),
    Changed(Result<Option<CatalogEvent>, CatalogError>, Vec<CartId>),
    Settings(wacart_catalog::CommerceSettings),
    Viewed(
        Vec<(Product, u32)>,
        Option<&'static str>,
        Option<(Currency, u128)>,
    ),
    Sent(Result<SentOrder, CatalogError>),
}

#[derive(Clone)]
struct State {
    catalog: Catalog,
    carts: Carts,
    book: SettingsBook,
}

impl State {
    fn new() -> State {
        let mut catalog = Catalog::new(CAT.into());
        for p in 0..PRODUCTS {
            catalog
                .create(rid(p), &patch(100 * (p as u64 + 1)))
                .unwrap();
        }
        let mut book = SettingsBook::new();
        for number in NUMBERS {
            book.link_catalog(&PhoneNumberId::new(number), Some(CAT.into()));
        }
        State {
            catalog,
            carts: Carts::new(),
            book,
        }
    }

    /// The snapshot: the three parts, each through its JSON text.
    fn json(&self) -> [String; 3] {
        [
            serde_json::to_string(&self.catalog).unwrap(),
            serde_json::to_string(&self.carts).unwrap(),
            serde_json::to_string(&self.book).unwrap(),
        ]
    }

    fn from_json([catalog, carts, book]: &[String; 3]) -> State {
        State {
            catalog: serde_json::from_str(catalog).unwrap(),
            carts: serde_json::from_str(carts).unwrap(),
            book: serde_json::from_str(book).unwrap(),
        }
    }

    fn change(&mut self, product: usize, patch: &ProductPatch) -> Outcome {
        let ev = self.catalog.update(&rid(product), patch);
        let changed = match &ev {
            Ok(Some(ev)) => self.carts.apply_event(ev),
            _ => Vec::new(),
        };
        Outcome::Changed(ev, changed)
    }

    fn apply(&mut self, step: usize, op: &Op, keys: &[CartKey]) -> Outcome {
        let settings = |book: &SettingsBook, key: usize| book.settings(&keys[key].number);
        match *op {
            Op::Set {
                key,
                product,
                quantity,
                from_message,
            } => {
                let msg = MessageId::new(format!("wamid.{step}"));
                Outcome::Set(self.carts.set_quantity(
                    &keys[key],
                    &self.catalog,
                    settings(&self.book, key),
                    &rid(product),
                    quantity,
                    from_message.then_some(&msg),
                ))
            }
            Op::Remove { key, product } => {
                Outcome::Removed(self.carts.remove(&keys[key], &rid(product)))
            }
            Op::Availability { product, which } => self.change(
                product,
                &ProductPatch::new().availability(availability(which)),
            ),
            Op::Archive { product, archived } => {
                let status = if archived {
                    Status::Archived
                } else {
                    Status::Active
                };
                self.change(product, &ProductPatch::new().status(status))
            }
            Op::Price {
                product,
                cents,
                sale,
            } => self.change(
                product,
                &ProductPatch::new()
                    .price(usd(cents))
                    .sale_price(sale.map(usd)),
            ),
            Op::Delete { product } => {
                let ev = self.catalog.delete(&rid(product));
                let changed = match &ev {
                    Ok(ev) => self.carts.apply_event(ev),
                    Err(_) => Vec::new(),
                };
                Outcome::Changed(ev.map(Some), changed)
            }
            Op::Create { product, cents } => {
                let ev = self.catalog.create(rid(product), &patch(cents));
                let changed = match &ev {
                    Ok(ev) => self.carts.apply_event(ev),
                    Err(_) => Vec::new(),
                };
                Outcome::Changed(ev.map(Some), changed)
            }
            Op::Settings {
                number,
                cart,
                visible,
            } => {
                let mut update = SettingsUpdate::new();
                update.is_cart_enabled = cart;
                update.is_catalog_visible = visible;
                Outcome::Settings(
                    self.book
                        .update(&PhoneNumberId::new(NUMBERS[number]), update),
                )
            }
            Op::View { key } => {
                let view = self.carts.view(&keys[key], &self.catalog);
                let total = view.total();
                let lines = view
                    .lines
                    .iter()
                    .map(|l| (l.product.clone(), l.quantity))
                    .collect();
                Outcome::Viewed(lines, view.notice, total)
            }
            Op::Send { key } => Outcome::Sent(self.carts.send(
                &keys[key],
                &self.catalog,
                settings(&self.book, key),
                "note",
            )),
        }
    }
}

fn run(ops: &[Op], split: usize) -> Result<(), TestCaseError> {
    let keys = keys();
    let mut original = State::new();
    let mut copy = None;
    for (step, op) in ops.iter().enumerate() {
        if step == split {
            let snapshot = original.json();
            let restored = State::from_json(&snapshot);
            prop_assert_eq!(
                &restored.json(),
                &snapshot,
                "a snapshot reads back as written"
            );
            copy = Some(restored);
        }
        let want = original.apply(step, op, &keys);
        let Some(copy) = copy.as_mut() else {
            continue;
        };
        let got = copy.apply(step, op, &keys);
        prop_assert_eq!(got, want, "step {} {:?}", step, op);
        prop_assert_eq!(copy.json(), original.json(), "after step {} {:?}", step, op);
        for key in &keys {
            prop_assert_eq!(copy.carts.id(key), original.carts.id(key));
        }
        for p in 0..PRODUCTS {
            prop_assert_eq!(
                copy.carts.holders(&CAT.into(), &rid(p)),
                original.carts.holders(&CAT.into(), &rid(p)),
                "holders of p{} after step {}",
                p,
                step
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn a_snapshot_continues_like_the_original(
        ops in prop::collection::vec(op(), 1..80),
        at in any::<prop::sample::Index>(),
    ) {
        let split = at.index(ops.len());
        run(&ops, split)?;
    }
}

/// The path the random runs must not miss, spelled out: carts fill, the snapshot is taken,
/// then a product they hold sells out and must leave the same carts in the copy.
#[test]
fn a_product_selling_out_after_the_snapshot_leaves_the_same_carts() {
    let keys = keys();
    let set = |key, product| Op::Set {
        key,
        product,
        quantity: 2,
        from_message: true,
    };
    let ops = [
        set(0, 1),
        set(3, 1),
        set(3, 2),
        set(5, 1),
        Op::Availability {
            product: 1,
            which: 4,
        },
        Op::View { key: 3 },
    ];
    run(&ops, 4).unwrap();
    let mut original = State::new();
    for (step, op) in ops.iter().take(4).enumerate() {
        original.apply(step, op, &keys);
    }
    let mut copy = State::from_json(&original.json());
    let want = original.apply(4, &ops[4], &keys);
    let Outcome::Changed(Ok(Some(_)), emptied) = &want else {
        panic!("{want:?}");
    };
    assert_eq!(emptied.len(), 3, "three carts held p1");
    assert_eq!(copy.apply(4, &ops[4], &keys), want);
}
