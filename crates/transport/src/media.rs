//! Media: upload a file to send by id, look up its download URL, download it, delete it.
//!
//! Meta's door: `POST /{version}/{phone_number_id}/media` (multipart `file`, `type`,
//! `messaging_product`), `GET` and `DELETE /{version}/{media_id}`, and a `GET` of the URL the
//! lookup gives, with the bearer token. 360dialog's: `POST /media`, `GET` and `DELETE
//! /{media_id}` and the same download path on its own host, with `D360-API-KEY`. Kaleyra's
//! media API is not covered ([`Error::Unsupported`]).

use serde::Deserialize;

use crate::client::{Answer, Client, refusal, transport_error};
use crate::door::{Door, PreparedRequest};
use crate::error::Error;

/// What `GET /{media_id}` answers: where to download it and what it is.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct MediaUrl {
    /// The download URL (short-lived: Meta's works for 5 minutes).
    pub url: String,
    /// Its MIME type.
    pub mime_type: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Its size in bytes (Meta's reference shows a string, its answers a number: both read).
    #[serde(deserialize_with = "number_or_string")]
    pub file_size: u64,
    /// The media id.
    pub id: String,
}

/// A downloaded media.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DownloadedMedia {
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// The `Content-Type` it came with.
    pub content_type: Option<String>,
}

fn number_or_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum N {
        Number(u64),
        Text(String),
    }
    match N::deserialize(d)? {
        N::Number(n) => Ok(n),
        N::Text(t) => t.trim().parse().map_err(serde::de::Error::custom),
    }
}

#[derive(Deserialize)]
struct Uploaded {
    id: String,
}

/// Meta's download host, which 360dialog's answers name and its own host serves.
const LOOKASIDE: &str = "https://lookaside.fbsbx.com";

/// A `multipart/form-data` body: the text fields, then the file.
fn form(boundary: &str, fields: &[(&str, &str)], file: (&[u8], &str, &str)) -> Vec<u8> {
    let (bytes, mime, filename) = file;
    let mut body = Vec::with_capacity(bytes.len() + 512);
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    let filename: String = filename
        .chars()
        .map(|c| if c == '"' || c.is_control() { '_' } else { c })
        .collect();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: {mime}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    body
}

/// A boundary that does not occur in `bytes`.
fn boundary_for(bytes: &[u8]) -> String {
    let mut n: u64 = 0x5741_4341_5254; // "WACART"
    loop {
        let b = format!("wacart-{n:016x}");
        if !bytes.windows(b.len()).any(|w| w == b.as_bytes()) {
            return b;
        }
        n = n.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    }
}

impl Client {
    fn media_request(
        &self,
        method: &'static str,
        node: &str,
        edge: Option<&str>,
    ) -> Result<PreparedRequest, Error> {
        let base = self.base.trim_end_matches('/');
        let url = match (&self.door, edge) {
            (Door::Meta { graph_version, .. }, Some(edge)) => {
                format!("{base}/{graph_version}/{node}/{edge}")
            }
            (Door::Meta { graph_version, .. }, None) => format!("{base}/{graph_version}/{node}"),
            (Door::Dialog360 { .. }, Some(edge)) => format!("{base}/{edge}"),
            (Door::Dialog360 { .. }, None) => format!("{base}/{node}"),
            (Door::Kaleyra { .. }, _) => return Err(Error::Unsupported { what: "media" }),
        };
        Ok(self.door.prepared(method, url, Vec::new()))
    }

    /// Uploads a file (`mime` its type, e.g. `image/jpeg`): its media id, to send by `id`.
    ///
    /// # Errors
    /// [`Error::Unsupported`] on Kaleyra's door; the refusal (a type or size the door does not
    /// take is a Graph error 100) or the transport failure otherwise.
    pub async fn upload_media(
        &self,
        bytes: &[u8],
        mime: &str,
        filename: &str,
    ) -> Result<String, Error> {
        let node = match &self.door {
            Door::Meta {
                phone_number_id, ..
            } => phone_number_id.as_str().to_owned(),
            _ => String::new(),
        };
        let mut request = self.media_request("POST", &node, Some("media"))?;
        let boundary = boundary_for(bytes);
        request.body = form(
            &boundary,
            &[("messaging_product", "whatsapp"), ("type", mime)],
            (bytes, mime, filename),
        );
        request.headers.push((
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        ));
        let uploaded: Uploaded = self.call_json(&request).await?;
        Ok(uploaded.id)
    }

    /// A media's download URL, type, digest and size: `GET /{media_id}`.
    ///
    /// # Errors
    /// [`Error::Unsupported`] on Kaleyra's door; the refusal (an unknown, deleted or expired
    /// id is a Graph error 100) or the transport failure otherwise.
    pub async fn media_url(&self, id: &str) -> Result<MediaUrl, Error> {
        let request = self.media_request("GET", id, None)?;
        self.call_json(&request).await
    }

    /// Downloads a media from the URL [`Client::media_url`] gave, with the door's credentials
    /// (the URL alone does not open it). Send it only URLs the door gave: it carries the token.
    ///
    /// # Errors
    /// [`Error::Unsupported`] on Kaleyra's door; the refusal (404 for an expired URL) or the
    /// transport failure otherwise.
    pub async fn download_media(&self, url: &str) -> Result<DownloadedMedia, Error> {
        let kind = self.door.kind();
        let url = match &self.door {
            Door::Meta { .. } => url.to_owned(),
            // 360dialog serves Meta's download path on its own host.
            Door::Dialog360 { .. } => match url.strip_prefix(LOOKASIDE) {
                Some(path) => format!("{}{path}", self.base.trim_end_matches('/')),
                None => url.to_owned(),
            },
            Door::Kaleyra { .. } => return Err(Error::Unsupported { what: "media" }),
        };
        let (name, value) = self.door.auth_header();
        let response = self
            .http
            .get(&url)
            .header(name, value)
            .send()
            .await
            .map_err(|e| transport_error(kind, &e))?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = response
            .bytes()
            .await
            .map_err(|e| transport_error(kind, &e))?
            .to_vec();
        if !(200..300).contains(&status) {
            return Err(refusal(
                kind,
                Answer {
                    status,
                    retry_after: None,
                    body: bytes,
                },
            ));
        }
        Ok(DownloadedMedia {
            bytes,
            content_type,
        })
    }

    /// Deletes a media: `DELETE /{media_id}`.
    ///
    /// # Errors
    /// [`Error::Unsupported`] on Kaleyra's door; the refusal or the transport failure
    /// otherwise; [`Error::Decode`] when the door answers `success: false`.
    pub async fn delete_media(&self, id: &str) -> Result<(), Error> {
        let request = self.media_request("DELETE", id, None)?;
        self.call_success(&request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_has_the_fields_and_the_file_with_its_type() {
        let body = form(
            "b",
            &[("messaging_product", "whatsapp")],
            (b"\x89PNG", "image/png", "a\"b.png"),
        );
        let text = String::from_utf8_lossy(&body);
        assert!(text.starts_with(
            "--b\r\nContent-Disposition: form-data; name=\"messaging_product\"\r\n\r\nwhatsapp\r\n"
        ));
        assert!(
            text.contains("name=\"file\"; filename=\"a_b.png\"\r\nContent-Type: image/png\r\n\r\n")
        );
        assert!(text.ends_with("\r\n--b--\r\n"));
    }

    #[test]
    fn the_boundary_never_occurs_in_the_file() {
        let first = boundary_for(b"");
        let tricky = first.clone().into_bytes();
        let second = boundary_for(&tricky);
        assert_ne!(first, second);
        assert!(!tricky.windows(second.len()).any(|w| w == second.as_bytes()));
    }

    #[test]
    fn file_size_reads_as_a_number_or_a_string() {
        for size in [r#"303833"#, r#""303833""#] {
            let json = format!(
                r#"{{"messaging_product":"whatsapp","url":"u","mime_type":"image/jpeg","sha256":"h","file_size":{size},"id":"1"}}"#
            );
            let m: MediaUrl = serde_json::from_str(&json).unwrap();
            assert_eq!(m.file_size, 303_833);
        }
    }

    #[test]
    fn paths_follow_the_door() {
        let meta = Client::builder(Door::meta("100", "t"))
            .base_url("http://h/")
            .build()
            .unwrap();
        assert_eq!(
            meta.media_request("POST", "100", Some("media"))
                .unwrap()
                .url,
            format!("http://h/{}/100/media", crate::DEFAULT_GRAPH_VERSION)
        );
        assert_eq!(
            meta.media_request("DELETE", "42", None).unwrap().url,
            format!("http://h/{}/42", crate::DEFAULT_GRAPH_VERSION)
        );
        let d360 = Client::builder(Door::dialog360("k"))
            .base_url("http://h")
            .build()
            .unwrap();
        assert_eq!(
            d360.media_request("POST", "", Some("media")).unwrap().url,
            "http://h/media"
        );
        assert_eq!(
            d360.media_request("GET", "42", None).unwrap().url,
            "http://h/42"
        );
        let kaleyra = Client::builder(Door::kaleyra(crate::KaleyraPod::In, "s", "k", "1"))
            .build()
            .unwrap();
        assert!(matches!(
            kaleyra.media_request("GET", "42", None),
            Err(Error::Unsupported { what: "media" })
        ));
    }
}
