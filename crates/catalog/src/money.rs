//! Exact money: integer minor units of an ISO 4217 currency.
//!
//! A feed writes prices as `9.99 USD`: an amount, one space, a currency code. The amount is read
//! digit by digit into minor units using the currency's exponent (JPY 0, USD 2, KWD 3); nothing
//! passes through `f64`. An amount with more significant decimals than the currency has
//! (`9.999 USD`) is refused, not rounded; zeros past the exponent (`1500.00 JPY`) are exact and
//! accepted.

use std::fmt;
use std::str::FromStr;

use wacart_schema::Price;

use crate::error::CatalogError;

/// ISO 4217 currencies in use, with their exponents (digits after the decimal point), sorted
/// by code.
const CURRENCIES: &[([u8; 3], u8)] = &[
    (*b"AED", 2),
    (*b"AFN", 2),
    (*b"ALL", 2),
    (*b"AMD", 2),
    (*b"ANG", 2),
    (*b"AOA", 2),
    (*b"ARS", 2),
    (*b"AUD", 2),
    (*b"AWG", 2),
    (*b"AZN", 2),
    (*b"BAM", 2),
    (*b"BBD", 2),
    (*b"BDT", 2),
    (*b"BGN", 2),
    (*b"BHD", 3),
    (*b"BIF", 0),
    (*b"BMD", 2),
    (*b"BND", 2),
    (*b"BOB", 2),
    (*b"BOV", 2),
    (*b"BRL", 2),
    (*b"BSD", 2),
    (*b"BTN", 2),
    (*b"BWP", 2),
    (*b"BYN", 2),
    (*b"BZD", 2),
    (*b"CAD", 2),
    (*b"CDF", 2),
    (*b"CHE", 2),
    (*b"CHF", 2),
    (*b"CHW", 2),
    (*b"CLF", 4),
    (*b"CLP", 0),
    (*b"CNY", 2),
    (*b"COP", 2),
    (*b"COU", 2),
    (*b"CRC", 2),
    (*b"CUP", 2),
    (*b"CVE", 2),
    (*b"CZK", 2),
    (*b"DJF", 0),
    (*b"DKK", 2),
    (*b"DOP", 2),
    (*b"DZD", 2),
    (*b"EGP", 2),
    (*b"ERN", 2),
    (*b"ETB", 2),
    (*b"EUR", 2),
    (*b"FJD", 2),
    (*b"FKP", 2),
    (*b"GBP", 2),
    (*b"GEL", 2),
    (*b"GHS", 2),
    (*b"GIP", 2),
    (*b"GMD", 2),
    (*b"GNF", 0),
    (*b"GTQ", 2),
    (*b"GYD", 2),
    (*b"HKD", 2),
    (*b"HNL", 2),
    (*b"HTG", 2),
    (*b"HUF", 2),
    (*b"IDR", 2),
    (*b"ILS", 2),
    (*b"INR", 2),
    (*b"IQD", 3),
    (*b"IRR", 2),
    (*b"ISK", 0),
    (*b"JMD", 2),
    (*b"JOD", 3),
    (*b"JPY", 0),
    (*b"KES", 2),
    (*b"KGS", 2),
    (*b"KHR", 2),
    (*b"KMF", 0),
    (*b"KPW", 2),
    (*b"KRW", 0),
    (*b"KWD", 3),
    (*b"KYD", 2),
    (*b"KZT", 2),
    (*b"LAK", 2),
    (*b"LBP", 2),
    (*b"LKR", 2),
    (*b"LRD", 2),
    (*b"LSL", 2),
    (*b"LYD", 3),
    (*b"MAD", 2),
    (*b"MDL", 2),
    (*b"MGA", 2),
    (*b"MKD", 2),
    (*b"MMK", 2),
    (*b"MNT", 2),
    (*b"MOP", 2),
    (*b"MRU", 2),
    (*b"MUR", 2),
    (*b"MVR", 2),
    (*b"MWK", 2),
    (*b"MXN", 2),
    (*b"MXV", 2),
    (*b"MYR", 2),
    (*b"MZN", 2),
    (*b"NAD", 2),
    (*b"NGN", 2),
    (*b"NIO", 2),
    (*b"NOK", 2),
    (*b"NPR", 2),
    (*b"NZD", 2),
    (*b"OMR", 3),
    (*b"PAB", 2),
    (*b"PEN", 2),
    (*b"PGK", 2),
    (*b"PHP", 2),
    (*b"PKR", 2),
    (*b"PLN", 2),
    (*b"PYG", 0),
    (*b"QAR", 2),
    (*b"RON", 2),
    (*b"RSD", 2),
    (*b"RUB", 2),
    (*b"RWF", 0),
    (*b"SAR", 2),
    (*b"SBD", 2),
    (*b"SCR", 2),
    (*b"SDG", 2),
    (*b"SEK", 2),
    (*b"SGD", 2),
    (*b"SHP", 2),
    (*b"SLE", 2),
    (*b"SOS", 2),
    (*b"SRD", 2),
    (*b"SSP", 2),
    (*b"STN", 2),
    (*b"SVC", 2),
    (*b"SYP", 2),
    (*b"SZL", 2),
    (*b"THB", 2),
    (*b"TJS", 2),
    (*b"TMT", 2),
    (*b"TND", 3),
    (*b"TOP", 2),
    (*b"TRY", 2),
    (*b"TTD", 2),
    (*b"TWD", 2),
    (*b"TZS", 2),
    (*b"UAH", 2),
    (*b"UGX", 0),
    (*b"USD", 2),
    (*b"USN", 2),
    (*b"UYI", 0),
    (*b"UYU", 2),
    (*b"UYW", 4),
    (*b"UZS", 2),
    (*b"VED", 2),
    (*b"VES", 2),
    (*b"VND", 0),
    (*b"VUV", 0),
    (*b"WST", 2),
    (*b"XAF", 0),
    (*b"XCD", 2),
    (*b"XCG", 2),
    (*b"XOF", 0),
    (*b"XPF", 0),
    (*b"YER", 2),
    (*b"ZAR", 2),
    (*b"ZMW", 2),
    (*b"ZWG", 2),
];

/// An ISO 4217 currency with its exponent: the number of digits after the decimal point of
/// its minor unit (JPY 0, USD 2, KWD 3).
///
/// ```
/// use wacart_catalog::Currency;
/// let kwd: Currency = "KWD".parse().unwrap();
/// assert_eq!(kwd.exponent(), 3);
/// assert_eq!(kwd.code(), "KWD");
/// assert!(Currency::from_code("usd").is_none()); // codes are upper case
/// ```
///
/// Serde: its code as a string, `"USD"`; deserializing refuses a code this crate does not know.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: [u8; 3],
    exponent: u8,
}

impl Currency {
    /// The currency with this ISO 4217 code (three upper-case letters), if it is one in use.
    pub fn from_code(code: &str) -> Option<Currency> {
        let code: [u8; 3] = code.as_bytes().try_into().ok()?;
        let i = CURRENCIES.binary_search_by(|(c, _)| c.cmp(&code)).ok()?;
        let (code, exponent) = *CURRENCIES.get(i)?;
        Some(Currency { code, exponent })
    }

    /// The three-letter code, e.g. `USD`.
    pub fn code(&self) -> &str {
        // Built only from the ASCII table above.
        std::str::from_utf8(&self.code).unwrap_or("???")
    }

    /// Digits after the decimal point of the minor unit: JPY 0, USD 2, KWD 3.
    pub fn exponent(self) -> u8 {
        self.exponent
    }

    /// Every currency this crate knows, by code.
    pub fn all() -> impl Iterator<Item = Currency> {
        CURRENCIES
            .iter()
            .map(|&(code, exponent)| Currency { code, exponent })
    }
}

impl FromStr for Currency {
    type Err = CatalogError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::from_code(s).ok_or_else(|| CatalogError::UnknownCurrency(s.to_owned()))
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl serde::Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> serde::Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CodeVisitor;

        impl serde::de::Visitor<'_> for CodeVisitor {
            type Value = Currency;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ISO 4217 currency code such as \"USD\"")
            }

            fn visit_str<E: serde::de::Error>(self, code: &str) -> Result<Currency, E> {
                Currency::from_code(code)
                    .ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(code), &self))
            }
        }

        deserializer.deserialize_str(CodeVisitor)
    }
}

/// An exact, non-negative amount of money: integer minor units of a currency.
///
/// ```
/// use wacart_catalog::Money;
/// let m: Money = "9.99 USD".parse().unwrap();
/// assert_eq!(m.minor(), 999);
/// assert_eq!(m.to_string(), "9.99 USD");
/// assert_eq!(m.to_price().to_string(), "9.99");
/// assert_eq!("1500 JPY".parse::<Money>().unwrap().minor(), 1500);
/// assert_eq!("1.250 KWD".parse::<Money>().unwrap().minor(), 1250);
/// assert!("9.999 USD".parse::<Money>().is_err()); // more decimals than USD has
/// assert!("9,99 USD".parse::<Money>().is_err());
/// ```
///
/// Serde: `{"minor": 999, "currency": "USD"}`; deserializing refuses an unknown currency and
/// an amount above [`Money::MAX_MINOR`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "MoneyWire")]
pub struct Money {
    minor: u64,
    currency: Currency,
}

impl Money {
    /// The largest amount in minor units: 15 digits, what a [`Price`] carries exactly.
    pub const MAX_MINOR: u64 = 999_999_999_999_999;

    /// `minor` units of `currency` (`Money::from_minor(999, usd)` is 9.99 USD).
    ///
    /// # Errors
    /// [`CatalogError::InvalidMoney`] when `minor` is above [`Money::MAX_MINOR`].
    pub fn from_minor(minor: u64, currency: Currency) -> Result<Money, CatalogError> {
        if minor > Self::MAX_MINOR {
            return Err(CatalogError::InvalidMoney {
                text: format!("{minor} minor units of {currency}"),
                reason: "more than 15 digits".to_owned(),
            });
        }
        Ok(Money { minor, currency })
    }

    /// An exact decimal amount (as an order webhook carries it) in `currency`.
    ///
    /// # Errors
    /// [`CatalogError::InvalidMoney`] when the amount has more decimals than the currency has.
    pub fn from_price(price: Price, currency: Currency) -> Result<Money, CatalogError> {
        let minor =
            price
                .to_minor(currency.exponent())
                .ok_or_else(|| CatalogError::InvalidMoney {
                    text: format!("{price} {currency}"),
                    reason: format!(
                        "more decimals than {currency} has ({})",
                        currency.exponent()
                    ),
                })?;
        Money::from_minor(minor, currency)
    }

    /// The amount in minor units (cents for USD, yen for JPY, fils for KWD).
    pub fn minor(self) -> u64 {
        self.minor
    }

    /// The currency.
    pub fn currency(self) -> Currency {
        self.currency
    }

    /// The amount as an exact decimal in major units, the way an order webhook's `item_price`
    /// carries it (`9.99`, `1500`, `1.25`).
    pub fn to_price(self) -> Price {
        // `minor` has at most 15 digits and exponents are at most 4, so this cannot fail; the
        // fallback keeps the function total anyway.
        Price::from_minor(self.minor, self.currency.exponent()).unwrap_or(Price::ZERO)
    }
}

/// What [`Money`] deserializes from, checked by [`Money::from_minor`].
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MoneyWire {
    minor: u64,
    currency: Currency,
}

impl TryFrom<MoneyWire> for Money {
    type Error = CatalogError;

    fn try_from(wire: MoneyWire) -> Result<Self, Self::Error> {
        Money::from_minor(wire.minor, wire.currency)
    }
}

impl FromStr for Money {
    type Err = CatalogError;

    /// Parses the feed's format: `9.99 USD` (amount, one space, ISO 4217 code).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_money(s).map_err(|reason| CatalogError::InvalidMoney {
            text: s.to_owned(),
            reason,
        })
    }
}

/// Reads `9.99 USD`; the error is the reason, without the text.
pub(crate) fn parse_money(s: &str) -> Result<Money, String> {
    const FORMAT: &str = "expected an amount and an ISO 4217 code, like `9.99 USD`";
    let Some((amount, code)) = s.split_once(' ') else {
        return Err(FORMAT.to_owned());
    };
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(FORMAT.to_owned());
    }
    let currency = Currency::from_code(code).ok_or_else(|| format!("unknown currency `{code}`"))?;
    let (int, frac) = match amount.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (amount, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        return Err(FORMAT.to_owned());
    }
    let frac = frac.unwrap_or("").trim_end_matches('0');
    let exponent = usize::from(currency.exponent());
    if frac.len() > exponent {
        return Err(format!("more decimals than {currency} has ({exponent})"));
    }
    let too_large = || format!("amount too large (at most {} digits)", 15);
    let mut minor: u64 = 0;
    let padding = std::iter::repeat_n(b'0', exponent - frac.len());
    for b in int.bytes().chain(frac.bytes()).chain(padding) {
        minor = minor
            .checked_mul(10)
            .and_then(|m| m.checked_add(u64::from(b - b'0')))
            .ok_or_else(too_large)?;
    }
    if minor > Money::MAX_MINOR {
        return Err(too_large());
    }
    Ok(Money { minor, currency })
}

impl fmt::Display for Money {
    /// The feed's format: `9.99 USD`, `1500 JPY`, `1.250 KWD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let exponent = usize::from(self.currency.exponent());
        if exponent == 0 {
            return write!(f, "{} {}", self.minor, self.currency);
        }
        let div = 10u64.pow(u32::from(self.currency.exponent()));
        write!(
            f,
            "{}.{:0exponent$} {}",
            self.minor / div,
            self.minor % div,
            self.currency
        )
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Money({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cur(code: &str) -> Currency {
        Currency::from_code(code).unwrap()
    }

    #[test]
    fn the_table_is_sorted_and_well_formed() {
        for pair in CURRENCIES.windows(2) {
            assert!(
                pair[0].0 < pair[1].0,
                "{:?} before {:?}",
                pair[0].0,
                pair[1].0
            );
        }
        for (code, exp) in CURRENCIES {
            assert!(code.iter().all(u8::is_ascii_uppercase));
            assert!(*exp <= 4);
        }
        assert_eq!(Currency::all().count(), CURRENCIES.len());
    }

    #[test]
    fn exponents_follow_iso_4217() {
        for (code, exp) in [
            ("JPY", 0),
            ("KRW", 0),
            ("VND", 0),
            ("CLP", 0),
            ("ISK", 0),
            ("USD", 2),
            ("EUR", 2),
            ("INR", 2),
            ("BRL", 2),
            ("KWD", 3),
            ("BHD", 3),
            ("JOD", 3),
            ("OMR", 3),
            ("TND", 3),
            ("IQD", 3),
            ("LYD", 3),
            ("CLF", 4),
        ] {
            assert_eq!(cur(code).exponent(), exp, "{code}");
        }
        assert!(Currency::from_code("XYZ").is_none());
        assert!(Currency::from_code("").is_none());
        assert!(Currency::from_code("USDX").is_none());
        assert!(
            matches!("ABC".parse::<Currency>(), Err(CatalogError::UnknownCurrency(c)) if c == "ABC")
        );
    }

    #[test]
    fn parses_feed_prices_exactly() {
        for (text, minor, code, shown) in [
            ("9.99 USD", 999, "USD", "9.99 USD"),
            ("9.9 USD", 990, "USD", "9.90 USD"),
            ("10 USD", 1000, "USD", "10.00 USD"),
            ("9.990 USD", 999, "USD", "9.99 USD"),
            ("0.01 EUR", 1, "EUR", "0.01 EUR"),
            ("1500 JPY", 1500, "JPY", "1500 JPY"),
            ("1500.00 JPY", 1500, "JPY", "1500 JPY"),
            ("1.250 KWD", 1250, "KWD", "1.250 KWD"),
            ("0.005 BHD", 5, "BHD", "0.005 BHD"),
            ("0 USD", 0, "USD", "0.00 USD"),
            ("007.5 USD", 750, "USD", "7.50 USD"),
            (
                "9999999999999.99 USD",
                999_999_999_999_999,
                "USD",
                "9999999999999.99 USD",
            ),
        ] {
            let m: Money = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(m.minor(), minor, "{text}");
            assert_eq!(m.currency(), cur(code), "{text}");
            assert_eq!(m.to_string(), shown, "{text}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_feed_price() {
        for (text, reason) in [
            (
                "9.99",
                "expected an amount and an ISO 4217 code, like `9.99 USD`",
            ),
            (
                "USD 9.99",
                "expected an amount and an ISO 4217 code, like `9.99 USD`",
            ),
            (
                "9.99 usd",
                "expected an amount and an ISO 4217 code, like `9.99 USD`",
            ),
            (
                "9.99  USD",
                "expected an amount and an ISO 4217 code, like `9.99 USD`",
            ),
            (
                "9,99 USD",
                "expected an amount and an ISO 4217 code, like `9.99 USD`",
            ),
            (
                "1,000.00 USD",
                "expected an amount and an ISO 4217 code, like `9.99 USD`",
            ),
            (
                "-1 USD",
                "expected an amount and an ISO 4217 code, like `9.99 USD`",
            ),
            (
                "+1 USD",
                "expected an amount and an ISO 4217 code, like `9.99 USD`",
            ),
            (
                ".5 USD",
                "expected an amount and an ISO 4217 code, like `9.99 USD`",
            ),
            (
                "5. USD",
                "expected an amount and an ISO 4217 code, like `9.99 USD`",
            ),
            (
                "1e3 USD",
                "expected an amount and an ISO 4217 code, like `9.99 USD`",
            ),
            (
                "",
                "expected an amount and an ISO 4217 code, like `9.99 USD`",
            ),
            ("9.99 XYZ", "unknown currency `XYZ`"),
            ("9.999 USD", "more decimals than USD has (2)"),
            ("10.5 JPY", "more decimals than JPY has (0)"),
            ("1.2345 KWD", "more decimals than KWD has (3)"),
            ("10000000000000 USD", "amount too large (at most 15 digits)"),
            (
                "99999999999999999999999 USD",
                "amount too large (at most 15 digits)",
            ),
        ] {
            assert_eq!(
                parse_money(text).map(|m| m.to_string()),
                Err(reason.to_owned()),
                "{text}"
            );
        }
        let err = "9.999 USD".parse::<Money>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "`9.999 USD` is not a price: more decimals than USD has (2)"
        );
    }

    #[test]
    fn converts_to_and_from_schema_prices() {
        let usd = cur("USD");
        let m = Money::from_minor(1299, usd).unwrap();
        assert_eq!(m.to_price().to_string(), "12.99");
        assert_eq!(Money::from_price("12.99".parse().unwrap(), usd).unwrap(), m);
        assert!(Money::from_price("12.995".parse().unwrap(), usd).is_err());
        assert_eq!(
            Money::from_minor(1500, cur("JPY"))
                .unwrap()
                .to_price()
                .to_string(),
            "1500"
        );
        assert_eq!(
            Money::from_minor(1250, cur("KWD"))
                .unwrap()
                .to_price()
                .to_string(),
            "1.25"
        );
        assert!(Money::from_minor(Money::MAX_MINOR + 1, usd).is_err());
    }

    #[test]
    fn serde_gives_minor_units_and_the_code() {
        let m = Money::from_minor(1250, cur("KWD")).unwrap();
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, r#"{"minor":1250,"currency":"KWD"}"#);
        assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
        assert_eq!(serde_json::to_string(&cur("JPY")).unwrap(), r#""JPY""#);
        assert_eq!(
            serde_json::from_str::<Currency>(r#""CLF""#).unwrap(),
            cur("CLF")
        );
        for bad in [r#""usd""#, r#""XYZ""#, r#""USDX""#, "7"] {
            assert!(serde_json::from_str::<Currency>(bad).is_err(), "{bad}");
        }
        for bad in [
            r#"{"minor":1000000000000000,"currency":"USD"}"#,
            r#"{"minor":1,"currency":"XYZ"}"#,
            r#"{"minor":-1,"currency":"USD"}"#,
            r#"{"minor":1}"#,
            r#"{"minor":1,"currency":"USD","extra":0}"#,
        ] {
            assert!(serde_json::from_str::<Money>(bad).is_err(), "{bad}");
        }
        let err = serde_json::from_str::<Money>(r#"{"minor":1000000000000000,"currency":"USD"}"#)
            .unwrap_err();
        assert!(err.to_string().contains("more than 15 digits"), "{err}");
    }

    proptest! {
        #[test]
        fn serde_round_trips(minor in 0..=Money::MAX_MINOR, idx in 0..CURRENCIES.len()) {
            let m = Money::from_minor(minor, Currency::all().nth(idx).unwrap()).unwrap();
            let back: Money = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
            prop_assert_eq!(back, m);
        }

        #[test]
        fn display_and_parse_round_trip(minor in 0..=Money::MAX_MINOR, idx in 0..CURRENCIES.len()) {
            let currency = Currency::all().nth(idx).unwrap();
            let m = Money::from_minor(minor, currency).unwrap();
            let back: Money = m.to_string().parse().unwrap();
            prop_assert_eq!(back, m);
            prop_assert_eq!(Money::from_price(m.to_price(), currency).unwrap(), m);
        }

        #[test]
        fn parsing_never_panics(text in "\\PC{0,24}") {
            let _ = parse_money(&text);
        }
    }
}
