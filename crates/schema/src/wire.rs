//! Two small macros that give every wire type the same behaviour:
//!
//! - `wire_struct!`: a struct whose known fields are typed and whose **unknown fields are kept**
//!   in `extra` (and written back), read in one streaming pass without buffering the object.
//! - `wire_enum!`: a string enum whose unknown values are kept in `Unknown(String)`.

/// A map key that borrows from the input when it can.
pub(crate) enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(s) => s,
            Key::Owned(s) => s,
        }
    }
}

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Borrowed(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v))
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// Field kinds: `req` (must be present), `opt` (`Option<T>`, omitted when `None`),
/// `vec` (`Vec<T>`, absent means empty, omitted when empty).
macro_rules! wire_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                $field:ident : $kind:ident $ty:ty = $wire:literal,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub struct $name {
            $(
                $(#[$fmeta])*
                pub $field: wire_struct!(@ty $kind $ty),
            )*
            /// Fields this version of wacart does not know, kept as they came.
            pub extra: serde_json::Map<String, serde_json::Value>,
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(None)?;
                $( wire_struct!(@ser $kind map, $wire, self.$field); )*
                for (k, v) in &self.extra {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> serde::de::Visitor<'de> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " object"))
                    }
                    #[allow(unused_mut)]
                    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<$name, A::Error> {
                        $( let mut $field: Option<wire_struct!(@slot $kind $ty)> = None; )*
                        let mut extra = serde_json::Map::new();
                        while let Some(key) = map.next_key::<$crate::wire::Key<'de>>()? {
                            match key.as_str() {
                                $( $wire => $field = Some(map.next_value()?), )*
                                other => {
                                    let value = map.next_value()?;
                                    extra.insert(other.to_owned(), value);
                                }
                            }
                        }
                        Ok($name {
                            $( $field: wire_struct!(@finish $kind $field, $wire), )*
                            extra,
                        })
                    }
                }
                deserializer.deserialize_map(V)
            }
        }
    };
    (@ty req $ty:ty) => { $ty };
    (@ty opt $ty:ty) => { Option<$ty> };
    (@ty vec $ty:ty) => { Vec<$ty> };
    (@slot req $ty:ty) => { $ty };
    // `Option` here too, so an explicit `null` reads as absent.
    (@slot opt $ty:ty) => { Option<$ty> };
    (@slot vec $ty:ty) => { Vec<$ty> };
    (@ser req $map:ident, $wire:literal, $value:expr) => { $map.serialize_entry($wire, &$value)?; };
    (@ser opt $map:ident, $wire:literal, $value:expr) => {
        if let Some(v) = &$value { $map.serialize_entry($wire, v)?; }
    };
    (@ser vec $map:ident, $wire:literal, $value:expr) => {
        if !$value.is_empty() { $map.serialize_entry($wire, &$value)?; }
    };
    (@finish req $field:ident, $wire:literal) => {
        $field.ok_or_else(|| serde::de::Error::missing_field($wire))?
    };
    (@finish opt $field:ident, $wire:literal) => { $field.flatten() };
    (@finish vec $field:ident, $wire:literal) => { $field.unwrap_or_default() };
}

macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this version of wacart does not know, kept as it came.
            Unknown(String),
        }

        impl $name {
            /// The value as written on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )*
                    $name::Unknown(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $( $wire => $name::$variant, )*
                    other => $name::Unknown(other.to_owned()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let key = $crate::wire::Key::deserialize(deserializer)?;
                Ok($name::from(key.as_str()))
            }
        }
    };
}

pub(crate) use {wire_enum, wire_struct};
