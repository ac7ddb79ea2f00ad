//! Business-scoped user ids (BSUIDs): how the sandbox names a customer to one business.
//!
//! Meta gives each customer one BSUID per business portfolio: the ISO 3166 alpha-2 code of their
//! country, a period, and an opaque id. The sandbox models a portfolio as one WABA, and makes the
//! opaque part a keyed permutation of the phone number: stable across restarts, different for
//! every WABA, and reversible with the WABA's key, so a send to a BSUID finds its customer
//! without a table that grows with every customer.

use wacart_schema::{UserId, WaId, WabaId};

/// The customer's BSUID as `waba` knows them; `None` for an id that is not a phone number of at
/// most 18 digits (the sandbox's customers have at most 15).
pub(crate) fn bsuid(waba: &WabaId, wa_id: &WaId) -> Option<UserId> {
    let digits = wa_id.as_str();
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // A leading 1 keeps leading zeros: "1" + digits fits in 64 bits for up to 18 digits.
    let n: u64 = format!("1{digits}").parse().ok()?;
    let id = permute(key(waba), n);
    Some(UserId::new(format!("{}.{id}", country(digits))))
}

/// The customer a BSUID of `waba` names, if it is one of its BSUIDs at all.
pub(crate) fn customer(waba: &WabaId, user: &UserId) -> Option<WaId> {
    let (_, id) = user.as_str().split_once('.')?;
    let n = unpermute(key(waba), id.parse().ok()?);
    let text = n.to_string();
    let digits = text.strip_prefix('1')?;
    let wa_id = WaId::new(digits);
    // Only the exact BSUID names the customer: another country code or a padded id does not.
    (bsuid(waba, &wa_id).as_ref() == Some(user)).then_some(wa_id)
}

/// The WABA's key: FNV-1a over its id.
fn key(waba: &WabaId) -> u64 {
    waba.as_str().bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

const M1: u64 = 0xbf58_476d_1ce4_e5b9;
const M2: u64 = 0x94d0_49bb_1331_11eb;

/// A bijection of u64, keyed: xor, multiply by odd constants, xor-shift.
fn permute(key: u64, mut x: u64) -> u64 {
    x ^= key;
    x = x.wrapping_mul(M1);
    x ^= x >> 31;
    x = x.wrapping_mul(M2);
    x ^= x >> 29;
    x
}

fn unpermute(key: u64, mut x: u64) -> u64 {
    x = unshift(x, 29);
    x = x.wrapping_mul(inverse(M2));
    x = unshift(x, 31);
    x = x.wrapping_mul(inverse(M1));
    x ^ key
}

/// The inverse of `x ^= x >> s`.
fn unshift(y: u64, s: u32) -> u64 {
    let mut x = y;
    for _ in 0..(64 / s) {
        x = y ^ (x >> s);
    }
    x
}

/// The multiplicative inverse of an odd number modulo 2^64 (Newton's iteration).
fn inverse(a: u64) -> u64 {
    let mut x = a;
    for _ in 0..5 {
        x = x.wrapping_mul(2u64.wrapping_sub(a.wrapping_mul(x)));
    }
    x
}

/// The ISO 3166 alpha-2 code of a phone number's country, from its calling code; `ZZ` (a code
/// ISO leaves for private use) when the table does not know it. Longest prefix first.
fn country(digits: &str) -> &'static str {
    const CODES: &[(&str, &str)] = &[
        ("1", "US"),
        ("20", "EG"),
        ("27", "ZA"),
        ("30", "GR"),
        ("31", "NL"),
        ("32", "BE"),
        ("33", "FR"),
        ("34", "ES"),
        ("351", "PT"),
        ("352", "LU"),
        ("353", "IE"),
        ("358", "FI"),
        ("36", "HU"),
        ("39", "IT"),
        ("40", "RO"),
        ("41", "CH"),
        ("43", "AT"),
        ("44", "GB"),
        ("45", "DK"),
        ("46", "SE"),
        ("47", "NO"),
        ("48", "PL"),
        ("49", "DE"),
        ("51", "PE"),
        ("52", "MX"),
        ("54", "AR"),
        ("55", "BR"),
        ("56", "CL"),
        ("57", "CO"),
        ("58", "VE"),
        ("60", "MY"),
        ("61", "AU"),
        ("62", "ID"),
        ("63", "PH"),
        ("64", "NZ"),
        ("65", "SG"),
        ("66", "TH"),
        ("7", "RU"),
        ("81", "JP"),
        ("82", "KR"),
        ("84", "VN"),
        ("86", "CN"),
        ("90", "TR"),
        ("91", "IN"),
        ("92", "PK"),
        ("94", "LK"),
        ("212", "MA"),
        ("233", "GH"),
        ("234", "NG"),
        ("254", "KE"),
        ("255", "TZ"),
        ("256", "UG"),
        ("880", "BD"),
        ("966", "SA"),
        ("971", "AE"),
        ("972", "IL"),
        ("974", "QA"),
    ];
    CODES
        .iter()
        .filter(|(prefix, _)| digits.starts_with(prefix))
        .max_by_key(|(prefix, _)| prefix.len())
        .map_or("ZZ", |(_, cc)| cc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_bsuid_has_the_country_and_differs_per_waba() {
        let (a, b) = (WabaId::new("102290129340398"), WabaId::new("2"));
        let wa = WaId::new("16505551234");
        let ua = bsuid(&a, &wa).unwrap();
        assert!(
            ua.as_str().starts_with("US.") && UserId::is_valid(ua.as_str()),
            "{ua}"
        );
        assert_ne!(Some(ua.clone()), bsuid(&b, &wa));
        assert_eq!(customer(&a, &ua), Some(wa.clone()));
        assert_eq!(customer(&b, &ua), None, "another WABA's BSUID names nobody");
        let br = bsuid(&a, &WaId::new("5511987654321")).unwrap();
        assert!(br.as_str().starts_with("BR."), "{br}");
        assert_eq!(customer(&a, &UserId::new("US.ENT.1")), None);
        assert_eq!(
            customer(&a, &UserId::new("GB.".to_owned() + &ua.as_str()[3..])),
            None
        );
    }

    proptest! {
        #[test]
        fn every_bsuid_names_its_customer_again(waba in "[0-9]{1,16}", wa in "[0-9]{1,15}") {
            let (waba, wa) = (WabaId::new(waba), WaId::new(wa));
            let user = bsuid(&waba, &wa).unwrap();
            prop_assert!(UserId::is_valid(user.as_str()));
            prop_assert_eq!(customer(&waba, &user), Some(wa));
        }

        #[test]
        fn the_permutation_inverts(key in any::<u64>(), x in any::<u64>()) {
            prop_assert_eq!(unpermute(key, permute(key, x)), x);
        }
    }
}
