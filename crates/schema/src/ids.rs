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
