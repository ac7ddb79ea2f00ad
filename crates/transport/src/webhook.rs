//! Webhook security: `X-Hub-Signature-256` signing and verification, and the subscription
//! handshake. Pure functions: no web framework here.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use wacart_schema::WebhookPayload;

/// The header Meta signs webhook bodies in.
pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";

type HmacSha256 = Hmac<Sha256>;

fn mac(app_secret: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
    match HmacSha256::new_from_slice(app_secret) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of every length"),
    }
}

/// The `X-Hub-Signature-256` value for `body`: `sha256=` and 64 lowercase hex digits of
/// HMAC-SHA256 over the exact bytes, keyed with the app secret.
///
/// ```
/// let header = wacart_transport::sign(b"demo-app-secret", br#"{"object":"whatsapp_business_account"}"#);
/// assert!(header.starts_with("sha256=") && header.len() == 71);
/// assert!(wacart_transport::verify(b"demo-app-secret", Some(&header), br#"{"object":"whatsapp_business_account"}"#).is_ok());
/// ```
pub fn sign(app_secret: &[u8], body: &[u8]) -> String {
    let mut m = mac(app_secret);
    m.update(body);
    let tag = m.finalize().into_bytes();
    let mut out = String::with_capacity(71);
    out.push_str("sha256=");
    for b in tag.iter() {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Why a webhook's signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// No `X-Hub-Signature-256` header.
    #[error("the X-Hub-Signature-256 header is missing")]
    Missing,
    /// The header is not `sha256=` followed by 64 hex digits.
    #[error("the X-Hub-Signature-256 header is not `sha256=` and 64 hex digits")]
    Malformed,
    /// Well formed, but not the signature of this body with this secret.
    #[error("the signature does not match the body")]
    Mismatch,
}

/// Checks `header` (the value of `X-Hub-Signature-256`) against the exact raw `body`, in
/// constant time.
///
/// # Errors
/// [`SignatureError`]: missing, malformed, or not matching.
pub fn verify(app_secret: &[u8], header: Option<&str>, body: &[u8]) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let hex = header
        .trim()
        .strip_prefix("sha256=")
        .ok_or(SignatureError::Malformed)?;
    if hex.len() != 64 {
        return Err(SignatureError::Malformed);
    }
    let mut tag = [0u8; 32];
    for (i, pair) in hex.as_bytes().chunks_exact(2).enumerate() {
        tag[i] = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    let mut m = mac(app_secret);
    m.update(body);
    m.verify_slice(&tag).map_err(|_| SignatureError::Mismatch)
}

fn nibble(c: u8) -> Result<u8, SignatureError> {
    match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        b'A'..=b'F' => Ok(c - b'A' + 10),
        _ => Err(SignatureError::Malformed),
    }
}

/// Why a verified body could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The signature check failed.
    #[error(transparent)]
    Signature(#[from] SignatureError),
    /// The body is not a webhook payload.
    #[error("the body is not a webhook payload: {0}")]
    Parse(String),
}

/// Verifies the signature, then parses the payload with `wacart-schema`.
///
/// # Errors
/// [`WebhookError`] when the signature is wrong or the body is not a payload.
pub fn verify_and_parse(
    app_secret: &[u8],
    header: Option<&str>,
    body: &[u8],
) -> Result<WebhookPayload, WebhookError> {
    verify(app_secret, header, body)?;
    serde_json::from_slice(body).map_err(|e| WebhookError::Parse(e.to_string()))
}

/// The subscription handshake's refusal: answer 403.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HandshakeError {
    /// `hub.mode` is not `subscribe`.
    #[error("hub.mode is not `subscribe`")]
    Mode,
    /// `hub.verify_token` does not match.
    #[error("hub.verify_token does not match")]
    Token,
    /// `hub.challenge` is missing.
    #[error("hub.challenge is missing")]
    Challenge,
}

/// Answers the verification handshake (`GET <callback>?hub.mode=subscribe&hub.challenge=...&hub.verify_token=...`):
/// the challenge to send back with 200, or the refusal (403). `query` is the raw query string.
///
/// ```
/// use wacart_transport::handshake;
/// let q = "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=demo-verify-token";
/// assert_eq!(handshake(q, "demo-verify-token").unwrap(), "1158201444");
/// assert!(handshake(q, "other").is_err());
/// ```
///
/// # Errors
/// [`HandshakeError`] when the mode, the token or the challenge is wrong.
pub fn handshake(query: &str, verify_token: &str) -> Result<String, HandshakeError> {
    let (mut mode, mut token, mut challenge) = (None, None, None);
    for pair in query.trim_start_matches('?').split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        match percent_decode(k).as_str() {
            "hub.mode" => mode = Some(percent_decode(v)),
            "hub.verify_token" => token = Some(percent_decode(v)),
            "hub.challenge" => challenge = Some(percent_decode(v)),
            _ => {}
        }
    }
    if mode.as_deref() != Some("subscribe") {
        return Err(HandshakeError::Mode);
    }
    // No token, or none configured, is never a match.
    let Some(given) = token.filter(|t| !t.is_empty() && !verify_token.is_empty()) else {
        return Err(HandshakeError::Token);
    };
    // Compare tokens without an early exit on the first differing byte.
    let same = given.len() == verify_token.len()
        && given
            .bytes()
            .zip(verify_token.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if !same {
        return Err(HandshakeError::Token);
    }
    challenge
        .filter(|c| !c.is_empty())
        .ok_or(HandshakeError::Challenge)
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (nibble(bytes[i + 1]), nibble(bytes[i + 2])) {
                (Ok(h), Ok(l)) => {
                    out.push((h << 4) | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Known answers computed independently (Python: hmac.new(key, body, hashlib.sha256).hexdigest()).
    const SECRET: &[u8] = b"demo-app-secret";
    const KAT_ASCII: &str =
        "sha256=d6003bedf605fdf46943662e7d2065e132f4b26764d6ec946ba3fae527acafc2";
    const KAT_ESCAPED: &str =
        "sha256=54367af79fefa8e4de3a8a5a76fcbf7c24f7e597c34df53c8650b10d43b41127";

    #[test]
    fn known_answer_ascii_body() {
        let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
        assert_eq!(sign(SECRET, body), KAT_ASCII);
    }

    #[test]
    fn known_answer_body_with_non_ascii_escaped_as_meta_does() {
        let payload = serde_json::json!({"name": "Zoë 🛒"});
        let body = wacart_schema::to_vec_ascii(&payload).unwrap();
        assert_eq!(body, br#"{"name":"Zo\u00eb \ud83d\uded2"}"#);
        assert_eq!(sign(SECRET, &body), KAT_ESCAPED);
        // The unescaped UTF-8 bytes carry the same JSON but a different signature.
        let raw = serde_json::to_vec(&payload).unwrap();
        assert_eq!(
            verify(SECRET, Some(KAT_ESCAPED), &raw),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn verify_tells_missing_malformed_and_wrong_apart() {
        let body = b"{}";
        let good = sign(SECRET, body);
        assert_eq!(verify(SECRET, Some(&good), body), Ok(()));
        assert_eq!(
            verify(
                SECRET,
                Some(&good.to_uppercase().replace("SHA256=", "sha256=")),
                body
            ),
            Ok(())
        );
        assert_eq!(verify(SECRET, None, body), Err(SignatureError::Missing));
        assert_eq!(
            verify(SECRET, Some("sha1=abc"), body),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(SECRET, Some("sha256=zz"), body),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(SECRET, Some(&format!("sha256={}", "g".repeat(64))), body),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(SECRET, Some(&good), b"{} "),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"other-secret", Some(&good), body),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn handshake_answers_the_challenge_or_refuses() {
        let ok = "hub.mode=subscribe&hub.challenge=abc%2B1&hub.verify_token=my+token";
        assert_eq!(handshake(ok, "my token"), Ok("abc+1".to_owned()));
        assert_eq!(handshake(ok, "my tokem"), Err(HandshakeError::Token));
        assert_eq!(
            handshake(
                "hub.mode=unsubscribe&hub.verify_token=t&hub.challenge=1",
                "t"
            ),
            Err(HandshakeError::Mode)
        );
        assert_eq!(
            handshake("hub.mode=subscribe&hub.verify_token=t", "t"),
            Err(HandshakeError::Challenge)
        );
        assert_eq!(handshake("", "t"), Err(HandshakeError::Mode));
        let no_token = "hub.mode=subscribe&hub.challenge=1";
        assert_eq!(
            handshake(no_token, ""),
            Err(HandshakeError::Token),
            "an empty token never matches"
        );
        assert_eq!(
            handshake(
                "hub.mode=subscribe&hub.verify_token=%ZZ&hub.challenge=1",
                "%ZZ"
            ),
            Ok("1".to_owned())
        );
    }
}
