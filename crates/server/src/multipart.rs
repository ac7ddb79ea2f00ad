//! A small `multipart/form-data` reader (RFC 7578) for the media upload: the body is read whole
//! under its limit first (`body.rs`), then split here without copying (each part is a slice of
//! the body's `Bytes`).
//!
//! Why not axum's `multipart` feature: it brings `multer` and with it `encoding_rs`, `spin` and
//! `mime` for one route, and its extractor reads under axum's own body limit, beside the limits,
//! deadline and Graph-shaped refusals `body.rs` already gives every route. The upload needs
//! only names, file names, part types and bytes.

use axum::body::Bytes;
use memchr::memmem;

/// Most parts one upload may have (Meta's takes three: `file`, `type`, `messaging_product`).
const MAX_PARTS: usize = 16;
/// Longest header block of one part.
const MAX_PART_HEADERS: usize = 8 * 1024;

/// One part of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part {
    /// `name` of its `Content-Disposition`.
    pub(crate) name: String,
    /// `filename`, when the part is a file.
    pub(crate) filename: Option<String>,
    /// Its `Content-Type`, when given (parameters kept).
    pub(crate) content_type: Option<String>,
    /// Its bytes.
    pub(crate) data: Bytes,
}

/// The boundary of a `multipart/form-data` content type; `None` for any other type.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let media_type = params.next()?.trim();
    if !media_type.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        if !k.trim().eq_ignore_ascii_case("boundary") {
            return None;
        }
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(v);
        // RFC 2046: 1 to 70 characters.
        (!v.is_empty() && v.len() <= 70).then(|| v.to_owned())
    })
}

/// The parts of `body`, in order.
///
/// # Errors
/// Why the body is not a well-formed form, for a person.
pub(crate) fn parse(body: &Bytes, boundary: &str) -> Result<Vec<Part>, String> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    // Between parts the delimiter follows a line break.
    let mut next_delimiter = Vec::with_capacity(delimiter.len() + 2);
    next_delimiter.extend_from_slice(b"\r\n");
    next_delimiter.extend_from_slice(delimiter);
    let between = memmem::Finder::new(&next_delimiter);
    let head_end = memmem::Finder::new(b"\r\n\r\n");

    let start = memmem::find(body, delimiter)
        .ok_or_else(|| "the body has no part: its boundary never appears".to_owned())?;
    // The preamble, if any, must end with a line break before the first delimiter.
    if start > 0 && !body[..start].ends_with(b"\r\n") {
        return Err("the first boundary is not at the start of a line".to_owned());
    }
    let mut at = start + delimiter.len();
    let mut parts = Vec::new();
    loop {
        let rest = &body[at..];
        if rest.starts_with(b"--") {
            return Ok(parts); // The closing delimiter; what follows is the epilogue.
        }
        let Some(rest_after_eol) = rest.strip_prefix(b"\r\n") else {
            return Err("a boundary is not followed by a line break".to_owned());
        };
        at += rest.len() - rest_after_eol.len();
        if parts.len() == MAX_PARTS {
            return Err(format!("more than {MAX_PARTS} parts"));
        }
        let head_len = head_end
            .find(&body[at..body.len().min(at + MAX_PART_HEADERS + 4)])
            .ok_or_else(|| {
                "a part's headers do not end with an empty line (or are over 8 KiB)".to_owned()
            })?;
        let head = std::str::from_utf8(&body[at..at + head_len])
            .map_err(|_| "a part's headers are not UTF-8".to_owned())?;
        let data_start = at + head_len + 4;
        // An empty part body leaves only the line break before the next delimiter.
        let data_end = if body[data_start - 2..].starts_with(&next_delimiter) {
            data_start - 2
        } else {
            // A delimiter is followed by `--` or a line break; the same bytes followed by
            // anything else are data (a careless sender's boundary that also occurs in a file).
            let mut from = data_start;
            loop {
                let found = from
                    + between.find(&body[from..]).ok_or_else(|| {
                        "the body ends inside a part: no closing boundary".to_owned()
                    })?;
                let after = &body[found + next_delimiter.len()..];
                if after.starts_with(b"--") || after.starts_with(b"\r\n") {
                    break found;
                }
                from = found + 1;
            }
        };
        parts.push(part(
            head,
            body.slice(data_start..data_end.max(data_start)),
        )?);
        at = data_end + next_delimiter.len();
    }
}

fn part(head: &str, data: Bytes) -> Result<Part, String> {
    let (mut name, mut filename, mut content_type) = (None, None, None);
    for line in head.split("\r\n") {
        let Some((header, value)) = line.split_once(':') else {
            return Err(format!("a part header is malformed: {line:?}"));
        };
        let header = header.trim();
        if header.eq_ignore_ascii_case("content-disposition") {
            let mut params = value.split(';');
            let kind = params.next().unwrap_or("").trim();
            if !kind.eq_ignore_ascii_case("form-data") {
                return Err(format!("a part is {kind:?}, not form-data"));
            }
            for p in params {
                let Some((k, v)) = p.split_once('=') else {
                    continue;
                };
                let v = v.trim();
                let v = v
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .unwrap_or(v)
                    .replace("\\\"", "\"");
                match k.trim().to_ascii_lowercase().as_str() {
                    "name" => name = Some(v),
                    "filename" => filename = Some(v),
                    _ => {}
                }
            }
        } else if header.eq_ignore_ascii_case("content-type") {
            content_type = Some(value.trim().to_owned());
        }
    }
    let name = name.ok_or_else(|| "a part has no Content-Disposition name".to_owned())?;
    Ok(Part {
        name,
        filename,
        content_type,
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (name, file name, content type, bytes)
    type TestPart<'a> = (&'a str, Option<&'a str>, Option<&'a str>, &'a [u8]);

    fn form(boundary: &str, parts: &[TestPart<'_>]) -> Bytes {
        let mut out = Vec::new();
        out.extend_from_slice(b"preamble\r\n");
        for (name, file, ct, data) in parts {
            out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            let mut disposition = format!("Content-Disposition: form-data; name=\"{name}\"");
            if let Some(f) = file {
                disposition.push_str(&format!("; filename=\"{f}\""));
            }
            out.extend_from_slice(disposition.as_bytes());
            out.extend_from_slice(b"\r\n");
            if let Some(ct) = ct {
                out.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
            }
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(data);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{boundary}--\r\nepilogue").as_bytes());
        Bytes::from(out)
    }

    #[test]
    fn the_boundary_comes_from_a_form_content_type_only() {
        assert_eq!(
            boundary("multipart/form-data; boundary=abc").as_deref(),
            Some("abc")
        );
        assert_eq!(
            boundary("Multipart/Form-Data;boundary=\"a b\"").as_deref(),
            Some("a b")
        );
        assert_eq!(boundary("multipart/form-data"), None);
        assert_eq!(boundary("multipart/mixed; boundary=abc"), None);
        assert_eq!(boundary("application/json"), None);
        assert_eq!(
            boundary(&format!("multipart/form-data; boundary={}", "x".repeat(71))),
            None
        );
    }

    #[test]
    fn parts_come_out_with_names_files_types_and_exact_bytes() {
        // Bytes that look like a boundary but are not one (no line break before) stay data.
        let png: &[u8] = b"\x89PNG\r\n--xyz-not\r\n\r\n\x00";
        let body = form(
            "xyz",
            &[
                ("file", Some("a.png"), Some("image/png"), png),
                ("type", None, None, b"image/png"),
                ("messaging_product", None, None, b"whatsapp"),
                ("empty", None, None, b""),
            ],
        );
        let parts = parse(&body, "xyz").unwrap();
        assert_eq!(parts.len(), 4);
        assert_eq!(parts[0].name, "file");
        assert_eq!(parts[0].filename.as_deref(), Some("a.png"));
        assert_eq!(parts[0].content_type.as_deref(), Some("image/png"));
        assert_eq!(&parts[0].data[..], png);
        assert_eq!(&parts[1].data[..], b"image/png");
        assert_eq!(&parts[2].data[..], b"whatsapp");
        assert!(parts[3].data.is_empty());
    }

    #[test]
    fn malformed_forms_are_refused_with_a_reason() {
        let body = form("b", &[("file", None, None, b"x")]);
        let cut = body.slice(..body.len() - 14);
        assert!(
            parse(&cut, "b")
                .unwrap_err()
                .contains("no closing boundary")
        );
        assert!(parse(&body, "other").unwrap_err().contains("never appears"));
        let no_name = Bytes::from_static(b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--");
        assert!(
            parse(&no_name, "b")
                .unwrap_err()
                .contains("no Content-Disposition name")
        );
        let one: TestPart<'_> = ("x", None, None, b"1");
        let many = form("b", &[one; 17]);
        assert!(parse(&many, "b").unwrap_err().contains("more than 16"));
    }
}
