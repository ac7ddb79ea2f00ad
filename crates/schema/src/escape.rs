//! JSON as Meta writes webhook bodies: every non-ASCII character escaped as `\uXXXX`
//! (UTF-16, surrogate pairs above U+FFFF). The signature covers these exact bytes.

use std::io;

/// A `serde_json` formatter that escapes every non-ASCII character.
struct AsciiFormatter;

impl serde_json::ser::Formatter for AsciiFormatter {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let bytes = fragment.as_bytes();
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if c.is_ascii() {
                continue;
            }
            writer.write_all(&bytes[start..i])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            start = i + c.len_utf8();
        }
        writer.write_all(&bytes[start..])
    }
}

/// Serializes `value` as compact JSON with non-ASCII text escaped, as Meta's webhook bodies are.
///
/// ```
/// let body = wacart_schema::to_vec_ascii(&serde_json::json!({"name": "Zoë 🛒"})).unwrap();
/// assert_eq!(body, br#"{"name":"Zo\u00eb \ud83d\uded2"}"#);
/// ```
///
/// # Errors
/// What `serde_json` reports for a value that cannot be serialized (e.g. a map with non-string keys).
pub fn to_vec_ascii<T: serde::Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    let mut out = Vec::with_capacity(256);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, AsciiFormatter);
    value.serialize(&mut ser)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn escaped_json_parses_back_to_the_same_text() {
        let text = "plain, ümlaut, 中文, emoji 🛒🎉, quote \" and \\ and \n";
        let body = super::to_vec_ascii(&text).unwrap();
        assert!(body.is_ascii());
        let back: String = serde_json::from_slice(&body).unwrap();
        assert_eq!(back, text);
    }
}
