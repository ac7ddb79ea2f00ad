//! Deterministic Meta catalog feeds for tests, fixtures, benchmarks and the memory example.
//! Shared by path (`#[path = ...] mod feedgen;`); not a test target itself.
#![allow(dead_code)]

use std::io::{self, Write};

/// The header of generated feeds: the feed's fields plus a column this crate ignores.
pub const HEADER: &[&str] = &[
    "id",
    "title",
    "description",
    "availability",
    "condition",
    "price",
    "sale_price",
    "link",
    "image_link",
    "brand",
    "status",
    "item_group_id",
    "quantity_to_sell_on_facebook",
    "google_product_category",
];

/// xorshift64*: small, fast, deterministic.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const ADJECTIVES: &[&str] = &[
    "Organic",
    "Classic",
    "Slim-fit",
    "Handmade",
    "Vintage",
    "Recycled",
    "Premium",
    "Everyday",
    "Lightweight",
    "Waterproof",
    "Hand-painted",
    "Limited edition",
];
const MATERIALS: &[&str] = &[
    "cotton", "linen", "wool", "leather", "bamboo", "ceramic", "oak", "steel", "silk", "denim",
];
const ITEMS: &[&str] = &[
    "T-shirt",
    "shirt",
    "scarf",
    "mug",
    "bowl",
    "tote bag",
    "wallet",
    "notebook",
    "lamp",
    "vase",
    "jacket",
    "sneakers",
    "cutting board",
    "water bottle",
    "phone case",
];
const COLOURS: &[&str] = &[
    "black",
    "white",
    "navy",
    "olive",
    "sand",
    "terracotta",
    "sky blue",
    "charcoal",
    "mustard",
];
const SIZES: &[&str] = &[
    "XS", "S", "M", "L", "XL", "One size", "250 ml", "500 ml", "A5", "A4",
];
const BRANDS: &[&str] = &[
    "Acme",
    "Kalani & Co",
    "Nordhaus",
    "Casa Verde",
    "Mizu",
    "Ubuntu Crafts",
    "Atelier Sol",
    "Pampa",
    "",
    "Lumen",
];
const SENTENCES: &[&str] = &[
    "Made in small batches by our partner workshop.",
    "Machine washable at 30 °C; do not tumble dry.",
    "Each piece is unique, so colours may vary slightly.",
    "Ships in plastic-free packaging within 2 business days.",
    "Our best seller, now in a new colour.",
    "Soft, breathable and built to last — wear it every day.",
    "Pairs well with the rest of the collection.",
    "Dishwasher and microwave safe.",
    "Sizing runs small: if in doubt, order one size up.",
    "Certified by the Global Organic Textile Standard (GOTS).",
    "Handle with care: natural materials age beautifully.",
    "Free returns within 30 days, no questions asked.",
];
const CATEGORIES: &[&str] = &[
    "Apparel & Accessories > Clothing > Shirts & Tops",
    "Home & Garden > Kitchen & Dining > Tableware",
    "Luggage & Bags > Tote Bags",
    "Home & Garden > Lighting",
    "Office Supplies > Paper Products",
];

/// One good product as feed fields, priced in `currency` (exponent 2 assumed for the amount).
pub fn product_fields(i: usize, rng: &mut Rng) -> Vec<String> {
    let id = format!("SKU-{i:07}");
    let item = rng.pick(ITEMS);
    let title = format!(
        "{} {} {}, {}, {}",
        rng.pick(ADJECTIVES),
        rng.pick(MATERIALS),
        item,
        rng.pick(COLOURS),
        rng.pick(SIZES)
    );
    let mut description = String::new();
    for n in 0..(1 + rng.below(3)) {
        if n > 0 {
            // Some descriptions have line breaks, which must be quoted in CSV.
            description.push_str(if rng.below(6) == 0 { "\n" } else { " " });
        }
        description.push_str(rng.pick(SENTENCES));
    }
    if rng.below(10) == 0 {
        description.push_str(" Customers call it \"the one\".");
    }
    let availability = match rng.below(20) {
        0..=13 => "in stock",
        14 | 15 => "out of stock",
        16 => "preorder",
        17 => "available for order",
        _ => "discontinued",
    };
    let condition = match rng.below(20) {
        0 => "refurbished",
        1 => "used",
        _ => "new",
    };
    let cents = 100 + rng.below(49_900);
    let price = format!("{}.{:02} USD", cents / 100, cents % 100);
    let sale_price = if rng.below(5) == 0 {
        let sale = cents - 1 - rng.below(cents / 2);
        format!("{}.{:02} USD", sale / 100, sale % 100)
    } else {
        String::new()
    };
    let slug = item.replace(' ', "-").to_lowercase();
    let link = format!(
        "https://shop.example.com/products/{slug}-{}",
        id.to_lowercase()
    );
    let image_link = format!(
        "https://cdn.example.com/images/{}/main.jpg",
        id.to_lowercase()
    );
    let brand = rng.pick(BRANDS).to_owned();
    let status = if rng.below(50) == 0 {
        "archived"
    } else {
        "active"
    };
    let group = format!("GRP-{:05}", i / 4);
    let quantity = if rng.below(4) == 0 {
        String::new()
    } else {
        rng.below(500).to_string()
    };
    let category = rng.pick(CATEGORIES).to_owned();
    vec![
        id,
        title,
        description,
        availability.to_owned(),
        condition.to_owned(),
        price,
        sale_price,
        link,
        image_link,
        brand,
        status.to_owned(),
        group,
        quantity,
        category,
    ]
}

/// Writes one record, quoting fields that need it.
pub fn push_record(out: &mut String, fields: &[String], delimiter: char) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(delimiter);
        }
        if f.contains([delimiter, '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&f.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(f);
        }
    }
    out.push('\n');
}

fn header_fields() -> Vec<String> {
    HEADER.iter().map(|h| (*h).to_owned()).collect()
}

/// A feed of `rows` good rows, written to `out` as it is generated (constant memory).
pub fn write_feed(out: &mut impl Write, rows: usize, seed: u64) -> io::Result<()> {
    let mut rng = Rng::new(seed);
    let mut buf = String::new();
    push_record(&mut buf, &header_fields(), ',');
    for i in 0..rows {
        push_record(&mut buf, &product_fields(i, &mut rng), ',');
        if buf.len() > 1 << 16 {
            out.write_all(buf.as_bytes())?;
            buf.clear();
        }
    }
    out.write_all(buf.as_bytes())
}

/// A feed of `rows` good rows, in memory.
pub fn feed(rows: usize, seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(rows * 400);
    write_feed(&mut out, rows, seed).expect("writing to memory");
    out
}

/// What breaks each broken row of the fixtures, by row number (0-based, before the header).
const BREAKS: &[(usize, &str)] = &[
    (17, "price has more decimals than USD"),
    (42, "empty title"),
    (63, "price in EUR"),
    (88, "duplicate id"),
    (120, "sale price above price"),
    (151, "unknown condition"),
    (187, "link without scheme"),
    (203, "negative quantity"),
    (241, "truncated row"),
    (266, "stray quote splits the row"),
];

fn break_row(fields: &mut Vec<String>, what: &str) {
    match what {
        "price has more decimals than USD" => fields[5] = "12.999 USD".to_owned(),
        "empty title" => fields[1] = String::new(),
        "price in EUR" => {
            fields[5] = "19.90 EUR".to_owned();
            fields[6] = String::new();
        }
        "duplicate id" => fields[0] = "SKU-0000010".to_owned(),
        "sale price above price" => {
            fields[5] = "10.00 USD".to_owned();
            fields[6] = "12.50 USD".to_owned();
        }
        "unknown condition" => fields[4] = "like new".to_owned(),
        "link without scheme" => fields[7] = "www.example.com/products/x".to_owned(),
        "negative quantity" => fields[12] = "-5".to_owned(),
        "truncated row" => fields.truncate(6),
        "stray quote splits the row" => {
            // Written unquoted below: the comma pushes every later field one column right.
            fields[1] = format!("{}, extra", fields[1].replace(',', ""));
        }
        other => panic!("unknown break {other}"),
    }
}

/// The committed fixture `tests/fixtures/feed.csv`: 320 rows, a BOM, quoted fields with
/// commas, quotes and line breaks, a column this crate ignores, one unknown availability kept,
/// and the broken rows of `BREAKS`.
pub fn fixture_csv() -> String {
    fixture(320, ',', true, 7)
}

/// The committed fixture `tests/fixtures/feed.tsv`: the same kinds of rows, tab-separated.
pub fn fixture_tsv() -> String {
    fixture(60, '\t', false, 11)
}

pub fn fixture(rows: usize, delimiter: char, bom: bool, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut out = String::new();
    if bom {
        out.push('\u{feff}');
    }
    push_record(&mut out, &header_fields(), delimiter);
    for i in 0..rows {
        let mut fields = product_fields(i, &mut rng);
        if i == 5 {
            fields[3] = "coming soon".to_owned(); // unknown availability: kept, not sold
        }
        let what = BREAKS
            .iter()
            .find(|(at, _)| *at == i)
            .map(|(_, what)| *what);
        if let Some(what) = what {
            break_row(&mut fields, what);
        }
        if delimiter == '\t' {
            // Keep TSV plain: no line breaks, tabs or quotes inside fields.
            for f in &mut fields {
                *f = f.replace(['\n', '\t'], " ").replace('"', "'");
            }
        }
        let mut record = String::new();
        push_record(&mut record, &fields, delimiter);
        if what == Some("stray quote splits the row") {
            let title = &fields[1];
            record = record.replacen(&format!("\"{title}\""), title, 1);
        }
        out.push_str(&record);
    }
    out
}
