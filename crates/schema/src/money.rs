//! Exact prices.
//!
//! The order webhook carries `item_price` as a JSON number in major units (`12.99`), and old
//! examples carried it as a string (`"12.99"`). [`Price`] keeps it as an exact decimal: an integer
//! mantissa and a count of decimal places. Prices are never added, multiplied or rounded as `f64`.
//!
//! How exactness survives `serde_json` without its crate-wide `arbitrary_precision` feature: a JSON
//! number with a fraction reaches us as the nearest `f64`, and Rust prints an `f64` as the
//! shortest decimal that maps back to it. Two different decimals of at most 15 significant
//! digits never map to the same `f64`, so that shortest decimal *is* the text that was sent.
//! [`Price`] therefore holds at most [`Price::MAX_DIGITS`] significant digits (a property test
//! checks the round trip over that whole range).
//!
//! The limit of this approach: a JSON *number* with more than 15 significant digits
//! (`0.10000000000000001`) has already been rounded to the nearest `f64` by `serde_json` before
//! we see it, so it reads as its shortest form (`0.1`) or, if that form is still longer than 15
//! digits, is refused. No price has that many digits; a numeric *string* is always read exactly
//! and refused when too long.

use std::fmt;
use std::str::FromStr;

/// An exact, non-negative decimal amount in major units (e.g. `12.99`).
///
/// Kept normalized (no trailing fractional zeros), so `12.90` and `12.9` are the same value.
///
/// ```
/// use wacart_schema::Price;
/// let p: Price = "12.99".parse().unwrap();
/// assert_eq!(p.to_string(), "12.99");
/// assert_eq!(Price::from_minor(1299, 2).unwrap(), p);
/// assert_eq!(p.to_minor(2), Some(1299));
/// assert_eq!(serde_json::to_string(&p).unwrap(), "12.99");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Price {
    mantissa: u64,
    scale: u8,
}

/// Why a text or number is not a valid [`Price`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PriceError {
    /// Not a plain decimal number (`12.99`, `30`, `0.5`).
    #[error("`{0}` is not a decimal number")]
    Syntax(String),
    /// Negative amounts are not prices.
    #[error("a price cannot be negative")]
    Negative,
    /// More significant digits than a price can carry exactly.
    #[error("a price has at most {} significant digits", Price::MAX_DIGITS)]
    TooPrecise,
}

const POW10: [u64; 16] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
    10_000_000_000,
    100_000_000_000,
    1_000_000_000_000,
    10_000_000_000_000,
    100_000_000_000_000,
    1_000_000_000_000_000,
];

impl Price {
    /// Most significant digits a price carries (see the module docs for why 15).
    pub const MAX_DIGITS: u32 = 15;
    const MAX_MANTISSA: u64 = POW10[15] - 1;

    /// Zero.
    pub const ZERO: Price = Price {
        mantissa: 0,
        scale: 0,
    };

    /// `minor` units of a currency whose exponent is `exponent` (USD 2, JPY 0, KWD 3).
    ///
    /// # Errors
    /// [`PriceError::TooPrecise`] when the amount has more than 15 significant digits or the
    /// exponent is above 15.
    pub fn from_minor(minor: u64, exponent: u8) -> Result<Self, PriceError> {
        if exponent > 15 {
            return Err(PriceError::TooPrecise);
        }
        Self::normalized(minor, exponent)
    }

    fn normalized(mut mantissa: u64, mut scale: u8) -> Result<Self, PriceError> {
        while scale > 0 && mantissa.is_multiple_of(10) {
            mantissa /= 10;
            scale -= 1;
        }
        if mantissa > Self::MAX_MANTISSA {
            return Err(PriceError::TooPrecise);
        }
        Ok(Price { mantissa, scale })
    }

    /// The amount in minor units of a currency with `exponent` decimals, or `None` when it has
    /// more decimals than the currency allows (`12.995` USD) or does not fit.
    pub fn to_minor(self, exponent: u8) -> Option<u64> {
        let extra = exponent.checked_sub(self.scale)?;
        self.mantissa.checked_mul(*POW10.get(usize::from(extra))?)
    }

    /// Decimal places after normalization (`12.9` has 1).
    pub fn scale(self) -> u8 {
        self.scale
    }

    /// The integer mantissa: `12.99` is `1299` with scale 2.
    pub fn mantissa(self) -> u64 {
        self.mantissa
    }

    fn from_f64(value: f64) -> Result<Self, PriceError> {
        if !value.is_finite() {
            return Err(PriceError::Syntax(value.to_string()));
        }
        // `Display` for f64 prints the shortest decimal that round-trips, never an exponent.
        value.to_string().parse()
    }
}

impl FromStr for Price {
    type Err = PriceError;

    /// Parses `12.99`, `30`, `0.5`. Refused: `.5`, `5.`, signs, exponents and spaces.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let syntax = || PriceError::Syntax(s.to_owned());
        if let Some(rest) = s.strip_prefix('-') {
            return Err(match rest.parse::<Price>() {
                Ok(_) => PriceError::Negative,
                Err(_) => syntax(),
            });
        }
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i, f),
            None => (s, ""),
        };
        if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
            return Err(syntax());
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) || (s.contains('.') && frac.is_empty()) {
            return Err(syntax());
        }
        let frac = frac.trim_end_matches('0');
        let int = int.trim_start_matches('0');
        if int.len() + frac.len() > Self::MAX_DIGITS as usize {
            return Err(PriceError::TooPrecise);
        }
        let mut mantissa: u64 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            mantissa = mantissa * 10 + u64::from(b - b'0');
        }
        // frac.len() <= 15 here, so the cast cannot truncate.
        Self::normalized(mantissa, frac.len() as u8)
    }
}

impl fmt::Display for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scale = usize::from(self.scale);
        if scale == 0 {
            return write!(f, "{}", self.mantissa);
        }
        let div = POW10[scale];
        write!(f, "{}.{:0scale$}", self.mantissa / div, self.mantissa % div)
    }
}

impl fmt::Debug for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Price({self})")
    }
}

impl serde::Serialize for Price {
    /// A JSON number: an integer when there is no fraction (`30`, as in Meta's examples),
    /// otherwise the exact decimal (`12.99`).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.scale == 0 {
            serializer.serialize_u64(self.mantissa)
        } else {
            // The decimal text parsed as f64 is the f64 whose shortest form is that same text
            // (at most 15 significant digits, see the module docs), so the JSON reads `12.99`.
            let text = self.to_string();
            let value: f64 = text.parse().map_err(serde::ser::Error::custom)?;
            serializer.serialize_f64(value)
        }
    }
}

impl<'de> serde::Deserialize<'de> for Price {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Price;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a non-negative decimal price as a number or a numeric string")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Price, E> {
                Price::normalized(v, 0).map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Price, E> {
                let v = u64::try_from(v).map_err(|_| E::custom(PriceError::Negative))?;
                self.visit_u64(v)
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Price, E> {
                if v < 0.0 {
                    return Err(E::custom(PriceError::Negative));
                }
                Price::from_f64(v).map_err(E::custom)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Price, E> {
                v.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_and_prints_exactly() {
        for (text, shown) in [
            ("12.99", "12.99"),
            ("30", "30"),
            ("30.00", "30"),
            ("0.5", "0.5"),
            ("007.10", "7.1"),
            ("0.001", "0.001"),
            ("999999999999.999", "999999999999.999"),
        ] {
            assert_eq!(text.parse::<Price>().unwrap().to_string(), shown, "{text}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_price() {
        for text in ["", ".5", "5.", "1e3", "12,99", " 1", "abc", "1.2.3", "+1"] {
            assert!(
                matches!(text.parse::<Price>(), Err(PriceError::Syntax(_))),
                "{text}"
            );
        }
        assert_eq!("-1.5".parse::<Price>(), Err(PriceError::Negative));
        assert_eq!(
            "1234567890123456".parse::<Price>(),
            Err(PriceError::TooPrecise)
        );
    }

    #[test]
    fn json_numbers_and_strings_both_parse() {
        let a: Price = serde_json::from_str("12.99").unwrap();
        let b: Price = serde_json::from_str("\"12.99\"").unwrap();
        let c: Price = serde_json::from_str("30").unwrap();
        assert_eq!(a, b);
        assert_eq!(serde_json::to_string(&a).unwrap(), "12.99");
        assert_eq!(serde_json::to_string(&c).unwrap(), "30");
        assert!(serde_json::from_str::<Price>("-3").is_err());
        assert!(serde_json::from_str::<Price>("true").is_err());
    }

    #[test]
    fn minor_units_follow_the_currency_exponent() {
        let p: Price = "12.5".parse().unwrap();
        assert_eq!(p.to_minor(2), Some(1250)); // USD
        assert_eq!(p.to_minor(3), Some(12500)); // KWD
        assert_eq!(p.to_minor(0), None); // JPY has no fraction
        assert_eq!(Price::from_minor(1500, 0).unwrap().to_string(), "1500");
    }

    proptest! {
        #[test]
        fn every_price_round_trips_through_json(mantissa in 0..=Price::MAX_MANTISSA, scale in 0u8..=15) {
            let p = Price::from_minor(mantissa, scale).unwrap();
            let json = serde_json::to_string(&p).unwrap();
            let back: Price = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back, p);
            let text: Price = p.to_string().parse().unwrap();
            prop_assert_eq!(text, p);
        }
    }
}
