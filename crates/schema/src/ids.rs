//! Identifiers as newtypes: a catalog id cannot be passed where a retailer id is expected.

use std::fmt;

macro_rules! id_newtype {
    ($(#[$meta:meta])* $name:ident, $debug:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a string as this id. No check is made here: `validate` reports bad ids.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The id as it travels on the wire.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The owned string.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                id_newtype!(@debug $debug, stringify!($name), &self.0, f)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
    (@debug plain, $name:expr, $value:expr, $f:expr) => {
        $f.debug_tuple($name).field(&$value).finish()
    };
    (@debug phone, $name:expr, $value:expr, $f:expr) => {
        write!($f, "{}({})", $name, MaskedPhone($value))
    };
}

/// A phone number shown with all but its last four characters masked, for `Debug` and logs.
///
/// ```
/// use wacart_schema::MaskedPhone;
/// assert_eq!(MaskedPhone("16505551234").to_string(), "*******1234");
/// assert_eq!(MaskedPhone("123").to_string(), "***");
/// ```
#[derive(Clone, Copy)]
pub struct MaskedPhone<'a>(pub &'a str);

impl fmt::Display for MaskedPhone<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.chars().count();
        // Short values are masked whole: four visible characters of a short number say too much.
        let shown = if n > 6 { 4 } else { 0 };
        for _ in 0..n - shown {
            f.write_str("*")?;
        }
        let tail: String = self.0.chars().skip(n - shown).collect();
        f.write_str(&tail)
    }
}

id_newtype!(
    /// A Meta catalog id (a string of digits), e.g. `194836987003835`.
    CatalogId, plain
);
id_newtype!(
    /// A product's retailer id (also content id or SKU): 1..=100 characters, case-sensitive,
    /// unique within a catalog.
    RetailerId, plain
);
id_newtype!(
    /// The id of a business phone number on the Cloud API (a string of digits).
    PhoneNumberId, plain
);
id_newtype!(
    /// A WhatsApp Business Account id (a string of digits).
    WabaId, plain
);
id_newtype!(
    /// A WhatsApp message id, `wamid.` followed by opaque text.
    MessageId, plain
);
id_newtype!(
    /// A customer's WhatsApp id: their phone number in digits, without `+`.
    /// Personal data: `Debug` masks all but the last four digits.
    WaId, phone
);
id_newtype!(
    /// A business-scoped user id (BSUID): the customer as one business portfolio knows them,
    /// `US.13491208655302741918`: the ISO 3166 alpha-2 code of the customer's country, a period,
    /// and 1 to 128 letters and digits. A parent BSUID (shared by a managed business's
    /// portfolios) has `ENT.` after the period: `US.ENT.11815799212886844830`.
    UserId, plain
);

impl UserId {
    /// Most letters and digits after the prefix.
    pub const MAX_ID_CHARS: usize = 128;

    /// Whether `text` is written as a BSUID or parent BSUID.
    ///
    /// ```
    /// use wacart_schema::UserId;
    /// assert!(UserId::is_valid("US.13491208655302741918"));
    /// assert!(UserId::is_valid("US.ENT.11815799212886844830"));
    /// for bad in ["16505551234", "us.1349", "US.", "US.13-49", "USA.1349", "US.ENT."] {
    ///     assert!(!UserId::is_valid(bad), "{bad}");
    /// }
    /// ```
    pub fn is_valid(text: &str) -> bool {
        let b = text.as_bytes();
        if b.len() < 4 || !b[0].is_ascii_uppercase() || !b[1].is_ascii_uppercase() || b[2] != b'.' {
            return false;
        }
        let rest = &text[3..];
        let id = rest.strip_prefix("ENT.").unwrap_or(rest);
        !id.is_empty()
            && id.len() <= Self::MAX_ID_CHARS
            && id.bytes().all(|c| c.is_ascii_alphanumeric())
    }

    /// Whether it is a parent BSUID (`CC.ENT.…`).
    pub fn is_parent(&self) -> bool {
        self.0.get(2..7) == Some(".ENT.")
    }
}

/// Why a text is not a [`WaId`]. The text itself is not repeated: it is personal data.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WaIdError {
    /// No digit (an empty text, or a lone `+`).
    #[error("a WhatsApp id needs at least one digit")]
    Empty,
    /// More than [`WaId::MAX_DIGITS`] digits.
    #[error("a WhatsApp id has at most {max} digits, not {0}", max = WaId::MAX_DIGITS)]
    TooLong(usize),
    /// A character other than an ASCII digit after the optional leading `+`.
    #[error("a WhatsApp id is digits with an optional leading '+': {found:?} at byte {at}")]
    NotDigit {
        /// The character.
        found: char,
        /// Its byte offset in the text given.
        at: usize,
    },
}

/// The digits of a WhatsApp id written with an optional leading `+`: what [`WaId::parse`]
/// accepts, without allocating (validation checks every recipient with it).
pub(crate) fn wa_id_digits(text: &str) -> Result<&str, WaIdError> {
    let (offset, digits) = match text.strip_prefix('+') {
        Some(rest) => (1, rest),
        None => (0, text),
    };
    if let Some((i, found)) = digits.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        return Err(WaIdError::NotDigit {
            found,
            at: offset + i,
        });
    }
    match digits.len() {
        0 => Err(WaIdError::Empty),
        n if n > WaId::MAX_DIGITS => Err(WaIdError::TooLong(n)),
        _ => Ok(digits),
    }
}

impl WaId {
    /// The most digits a WhatsApp id may have here. Phone numbers (E.164) have at most 15;
    /// the margin takes longer ids without taking anything that is not digits.
    pub const MAX_DIGITS: usize = 20;

    /// A customer's WhatsApp id from a phone number as people and APIs write it: one optional
    /// leading `+`, then 1..=20 ASCII digits, nothing else (no spaces, no dashes). `+1650…` and
    /// `1650…` are the same id.
    ///
    /// ```
    /// use wacart_schema::{WaId, WaIdError};
    /// assert_eq!(WaId::parse("+16505551234").unwrap(), "16505551234");
    /// assert_eq!(WaId::parse("16505551234").unwrap(), WaId::parse("+16505551234").unwrap());
    /// assert_eq!(WaId::parse("+"), Err(WaIdError::Empty));
    /// assert!(WaId::parse("++16505551234").is_err());
    /// assert!(WaId::parse("1 650 555 1234").is_err());
    /// ```
    ///
    /// # Errors
    /// [`WaIdError`] says what is wrong, without repeating the number.
    pub fn parse(text: &str) -> Result<WaId, WaIdError> {
        wa_id_digits(text).map(WaId::new)
    }

    /// The id `text` names once every leading `+` is dropped, with no other check: for
    /// keys and lookups over text that was validated elsewhere, or that may not be a phone
    /// number at all (a group id). Whenever [`WaId::parse`] accepts a text, this gives the same
    /// id.
    ///
    /// ```
    /// use wacart_schema::WaId;
    /// assert_eq!(WaId::normalized("+16505551234"), "16505551234");
    /// assert_eq!(WaId::normalized("16505551234"), "16505551234");
    /// assert_eq!(WaId::normalized("group-7"), "group-7");
    /// ```
    pub fn normalized(text: &str) -> WaId {
        WaId::new(text.trim_start_matches('+'))
    }
}

impl std::str::FromStr for WaId {
    type Err = WaIdError;

    /// As [`WaId::parse`].
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        WaId::parse(text)
    }
}

id_newtype!(
    /// A recipient as written in a send request's `to`: digits with an optional leading `+`
    /// (or a group id). Personal data: `Debug` masks all but the last four characters.
    Recipient, phone
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_ids_are_masked_in_debug_but_not_in_display() {
        let id = WaId::new("16505551234");
        assert_eq!(format!("{id:?}"), "WaId(*******1234)");
        assert_eq!(id.to_string(), "16505551234");
        let to = Recipient::new("+16505551234");
        assert_eq!(format!("{to:?}"), "Recipient(********1234)");
    }

    #[test]
    fn wa_id_parse_takes_one_plus_and_up_to_20_digits() {
        for (text, id) in [
            ("16505551234", "16505551234"),
            ("+16505551234", "16505551234"),
            ("1", "1"),
            ("+0", "0"),
            ("+12345678901234567890", "12345678901234567890"),
        ] {
            assert_eq!(WaId::parse(text), Ok(WaId::new(id)), "{text}");
            assert_eq!(text.parse::<WaId>(), Ok(WaId::new(id)), "{text}");
            assert_eq!(WaId::normalized(text), WaId::new(id), "{text}");
        }
        for (text, err) in [
            ("", WaIdError::Empty),
            ("+", WaIdError::Empty),
            ("123456789012345678901", WaIdError::TooLong(21)),
            ("+123456789012345678901", WaIdError::TooLong(21)),
            ("++1650", WaIdError::NotDigit { found: '+', at: 1 }),
            (" 1650", WaIdError::NotDigit { found: ' ', at: 0 }),
            ("1650 ", WaIdError::NotDigit { found: ' ', at: 4 }),
            ("+1-650", WaIdError::NotDigit { found: '-', at: 2 }),
            ("1650+", WaIdError::NotDigit { found: '+', at: 4 }),
            ("-1", WaIdError::NotDigit { found: '-', at: 0 }),
            (
                "１２",
                WaIdError::NotDigit {
                    found: '１', at: 0
                },
            ),
            ("group-7", WaIdError::NotDigit { found: 'g', at: 0 }),
        ] {
            assert_eq!(WaId::parse(text), Err(err), "{text:?}");
        }
    }

    #[test]
    fn wa_id_errors_do_not_repeat_the_number() {
        let err = WaId::parse("+1650555x1234").unwrap_err();
        assert_eq!(
            err.to_string(),
            "a WhatsApp id is digits with an optional leading '+': 'x' at byte 8"
        );
        assert_eq!(
            WaId::parse(&"9".repeat(25)).unwrap_err().to_string(),
            "a WhatsApp id has at most 20 digits, not 25"
        );
        assert_eq!(
            WaId::parse("").unwrap_err().to_string(),
            "a WhatsApp id needs at least one digit"
        );
    }

    #[test]
    fn normalized_drops_every_leading_plus_and_nothing_else() {
        assert_eq!(WaId::normalized("++1650"), "1650");
        assert_eq!(WaId::normalized(" +1650"), " +1650");
        assert_eq!(WaId::normalized("1650+"), "1650+");
        assert_eq!(WaId::normalized(""), "");
    }

    proptest::proptest! {
        #[test]
        fn plus_and_no_plus_give_the_same_id(digits in "[0-9]{1,20}") {
            let plain = WaId::parse(&digits).unwrap();
            proptest::prop_assert_eq!(plain.as_str(), digits.as_str());
            proptest::prop_assert_eq!(WaId::parse(&format!("+{digits}")).unwrap(), plain.clone());
            proptest::prop_assert_eq!(WaId::normalized(&format!("+{digits}")), plain);
        }

        #[test]
        fn anything_but_digits_is_refused(
            head in "\\+?[0-9]{0,9}",
            bad in "[^0-9]",
            tail in "[0-9]{0,9}",
        ) {
            // A `+` first is the one sign allowed: that text is tried by the test above.
            proptest::prop_assume!(!(head.is_empty() && bad == "+"));
            let text = format!("{head}{bad}{tail}");
            let found = bad.chars().next().unwrap();
            proptest::prop_assert_eq!(
                WaId::parse(&text),
                Err(WaIdError::NotDigit { found, at: head.len() })
            );
        }

        #[test]
        fn parse_and_normalized_agree(text in "\\+{0,2}[0-9a-z ]{0,22}") {
            if let Ok(id) = WaId::parse(&text) {
                proptest::prop_assert_eq!(WaId::normalized(&text), id.clone());
                proptest::prop_assert!(!id.as_str().is_empty() && id.as_str().len() <= WaId::MAX_DIGITS);
                proptest::prop_assert!(id.as_str().bytes().all(|b| b.is_ascii_digit()));
            }
        }
    }

    #[test]
    fn plain_ids_debug_as_tuples() {
        assert_eq!(format!("{:?}", CatalogId::new("42")), "CatalogId(\"42\")");
    }

    #[test]
    fn ids_are_transparent_on_the_wire() {
        let id: RetailerId = serde_json::from_str("\"di9ozbzfi4\"").unwrap();
        assert_eq!(id, "di9ozbzfi4");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"di9ozbzfi4\"");
    }
}
