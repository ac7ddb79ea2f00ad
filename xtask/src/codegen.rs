//! Generated files: fixtures extracted from Meta's OpenAPI file (vendored in
//! `docs/reference/meta-openapi/`), and `docs/openapi.json` from `wacart openapi`.
//!
//! Each fixture is `{"origin": {...}, "kind": "...", "value": <the example>}` where `origin`
//! names the file and the JSON pointer the example came from. Keys are written sorted, so the
//! output depends only on the examples.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

const OUT_DIR: &str = "fixtures/meta-openapi";

const SEND: &str = "/paths/~1{Version}~1{Phone-Number-ID}~1messages/post";
const WEBHOOKS: &str = "/paths/~1whatsapp~1webhooks/post";
const TEMPLATES: &str = "/paths/~1{Version}~1{WABA-ID}~1message_templates/post";

/// An example's name as a JSON pointer token (`/` is `~1`, `~` is `~0`).
fn token(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// (file name, kind, pointer) of every example this project uses.
fn wanted() -> Vec<(&'static str, &'static str, String)> {
    let req =
        |name: &str| format!("{SEND}/requestBody/content/application~1json/examples/{name}/value");
    let res = |name: &str| {
        format!("{SEND}/responses/200/content/application~1json/examples/{name}/value")
    };
    let hook = |name: &str| {
        format!("{WEBHOOKS}/requestBody/content/application~1json/examples/{name}/value")
    };
    let create = |name: &str| {
        format!(
            "{TEMPLATES}/requestBody/content/application~1json/examples/{}/value",
            token(name)
        )
    };
    let mut all = vec![
        (
            "send-single-product.json",
            "outbound",
            req("Send Single Product Message"),
        ),
        (
            "send-multi-product.json",
            "outbound",
            req("Send Multi-Product Message"),
        ),
        (
            "send-catalog-message.json",
            "outbound",
            req("Send Catalog Message"),
        ),
        ("send-text.json", "outbound", req("Send Text Message")),
        (
            "send-text-preview-url.json",
            "outbound",
            req("Send Text Message with Preview URL"),
        ),
        (
            "send-reply-to-text.json",
            "outbound",
            req("Send Reply to Text Message"),
        ),
        (
            "response-single-product.json",
            "send_response",
            res("Send Single Product Message"),
        ),
        (
            "response-text.json",
            "send_response",
            res("Send Text Message"),
        ),
        ("webhook-text.json", "webhook", hook("Text Message")),
        (
            "webhook-text-product-inquiry.json",
            "webhook",
            hook("Text Message with Context (Product Inquiry)"),
        ),
        (
            "webhook-unsupported.json",
            "webhook",
            hook("Unsupported Message"),
        ),
        ("webhook-order.json", "webhook", hook("Order Message")),
        (
            "message-order.json",
            "inbound_message",
            "/components/schemas/OrderMessage/allOf/1/example".to_owned(),
        ),
        (
            "message-button.json",
            "inbound_message",
            "/components/schemas/ButtonMessage/allOf/1/example".to_owned(),
        ),
    ];
    // Template sends (docs/templates.md §3) and template definitions (§2).
    for (file, name) in [
        (
            "send-template-catalog.json",
            "Send Catalog Template Message",
        ),
        ("send-template-flow.json", "Send Flow Template Message"),
        (
            "send-template-interactive.json",
            "Send Message Template Interactive",
        ),
        ("send-template-media.json", "Send Message Template Media"),
        ("send-template-text.json", "Send Message Template Text"),
        (
            "send-template-issue-resolution.json",
            "Send Sample Issue Resolution Template",
        ),
        (
            "send-template-shipping.json",
            "Send Sample Shipping Confirmation Template",
        ),
        ("send-template-sample-text.json", "Send Sample Text Message"),
        ("send-template-hello-world.json", "Send Test Message"),
    ] {
        all.push((file, "outbound", req(name)));
    }
    for (file, name) in [
        (
            "create-template-mpm.json",
            "Create multi-product message template",
        ),
        ("create-template-catalog.json", "Create catalog template"),
        (
            "create-template-auth-copy-code.json",
            "Create authentication template w/ OTP copy code button",
        ),
        (
            "create-template-auth-one-tap.json",
            "Create authentication template w/ OTP one-tap autofill button",
        ),
        (
            "create-template-document.json",
            "Create template w/ document header, text body, a phone number button, and a URL button",
        ),
        (
            "create-template-image.json",
            "Create template w/ image header, text body, text footer, and 2 call-to-action buttons",
        ),
        (
            "create-template-location.json",
            "Create template w/ location header, text body, text footer, and a website buttons",
        ),
        (
            "create-template-quick-replies.json",
            "Create template w/ text header, text body, text footer, and 2 quick reply buttons",
        ),
        (
            "create-template-flow-by-id.json",
            "Create Flow Template Message by ID",
        ),
    ] {
        all.push((file, "template_definition", create(name)));
    }
    all
}

/// Where the vendored OpenAPI file lives, relative to the workspace root.
pub(crate) const SPEC_PATH: &str = "docs/reference/meta-openapi/business-messaging-api_v23.0.yaml";

/// The OpenAPI file to extract from: `WACART_META_OPENAPI` when set (a path to another copy,
/// e.g. a newer release being tried out), else the vendored one.
fn spec_path() -> PathBuf {
    std::env::var_os("WACART_META_OPENAPI")
        .map_or_else(|| crate::root().join(SPEC_PATH), PathBuf::from)
}

/// Renders every fixture: (path relative to the root, contents).
fn generate(spec: &Value) -> Result<Vec<(PathBuf, String)>, String> {
    let mut out = Vec::new();
    for (file, kind, pointer) in wanted() {
        let value = spec
            .pointer(&pointer)
            .ok_or_else(|| format!("{SPEC_PATH} has no example at {pointer}"))?;
        let doc = json!({
            "origin": {
                "file": SPEC_PATH,
                "pointer": pointer,
                "note": "generated by `cargo xtask codegen`; do not edit",
            },
            "kind": kind,
            "value": value,
        });
        let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())? + "\n";
        out.push((Path::new(OUT_DIR).join(file), text));
    }
    Ok(out)
}

/// `docs/openapi.json`, from `wacart openapi` (the route table in crates/server/src/openapi/routes.rs).
fn openapi(check: bool) -> Result<(), String> {
    let out = std::process::Command::new(env!("CARGO"))
        .args([
            "run",
            "--quiet",
            "--package",
            "wacart-server",
            "--bin",
            "wacart",
            "--",
            "openapi",
        ])
        .current_dir(crate::root())
        .output()
        .map_err(|e| format!("cannot run wacart openapi: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "wacart openapi failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let path = crate::root().join("docs/openapi.json");
    let current = std::fs::read(&path).ok();
    if current.as_deref() == Some(out.stdout.as_slice()) {
        eprintln!("xtask codegen: docs/openapi.json is fresh");
        return Ok(());
    }
    if check {
        return Err(
            "stale generated file (run `cargo xtask codegen`): docs/openapi.json".to_owned(),
        );
    }
    std::fs::create_dir_all(crate::root().join("docs")).map_err(|e| e.to_string())?;
    std::fs::write(&path, &out.stdout)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    eprintln!("xtask codegen: wrote docs/openapi.json");
    Ok(())
}

pub(crate) fn run(check: bool) -> Result<(), String> {
    openapi(check)?;
    fixtures(check)
}

/// Every fixture as it should be, rendered in memory from the OpenAPI file: (path relative
/// to the workspace root, contents). A missing or unreadable source is an error, never a skip.
pub(crate) fn expected_fixtures() -> Result<Vec<(PathBuf, String)>, String> {
    let spec_path = spec_path();
    let text = std::fs::read_to_string(&spec_path).map_err(|e| {
        format!(
            "cannot read Meta's OpenAPI file {} ({e}); it is vendored at {SPEC_PATH}",
            spec_path.display()
        )
    })?;
    let spec: Value = serde_yaml::from_str(&text)
        .map_err(|e| format!("cannot parse {}: {e}", spec_path.display()))?;
    generate(&spec)
}

/// The committed fixtures that differ from `expected`, are missing, or are no longer generated,
/// as paths relative to `root`, sorted.
pub(crate) fn stale_fixtures(root: &Path, expected: &[(PathBuf, String)]) -> Vec<String> {
    let mut stale = Vec::new();
    for (rel, contents) in expected {
        let current = std::fs::read(root.join(rel)).ok();
        if current.as_deref() != Some(contents.as_bytes()) {
            let why = if current.is_none() {
                "missing"
            } else {
                "differs"
            };
            stale.push(format!("{} ({why})", rel.display()));
        }
    }
    if let Ok(entries) = std::fs::read_dir(root.join(OUT_DIR)) {
        for entry in entries.flatten() {
            let rel = Path::new(OUT_DIR).join(entry.file_name());
            if !expected.iter().any(|(f, _)| *f == rel) {
                stale.push(format!("{} (no longer generated)", rel.display()));
            }
        }
    }
    stale.sort();
    stale
}

fn fixtures(check: bool) -> Result<(), String> {
    let files = expected_fixtures()?;
    let root = crate::root();
    let stale = stale_fixtures(&root, &files);
    if stale.is_empty() {
        eprintln!("xtask codegen: {} generated files are fresh", files.len());
        return Ok(());
    }
    if check {
        return Err(format!(
            "stale generated files (run `cargo xtask codegen`): {}",
            stale.join(", ")
        ));
    }
    let out_dir = root.join(OUT_DIR);
    std::fs::create_dir_all(&out_dir).map_err(|e| e.to_string())?;
    for (rel, contents) in &files {
        let path = root.join(rel);
        if std::fs::read(&path).ok().as_deref() != Some(contents.as_bytes()) {
            std::fs::write(&path, contents)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            eprintln!("xtask codegen: wrote {}", rel.display());
        }
    }
    for entry in std::fs::read_dir(&out_dir)
        .map_err(|e| e.to_string())?
        .flatten()
    {
        let rel = Path::new(OUT_DIR).join(entry.file_name());
        if !files.iter().any(|(f, _)| *f == rel) {
            std::fs::remove_file(entry.path()).map_err(|e| e.to_string())?;
            eprintln!("xtask codegen: removed {}", rel.display());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed fixtures are exactly what the vendored OpenAPI file gives. Run
    /// `cargo xtask codegen` to refresh them. (`docs/openapi.json` is checked by
    /// `cargo xtask codegen --check` only: it needs the server binary built.)
    #[test]
    fn committed_fixtures_match_the_vendored_openapi_file() {
        let expected = match expected_fixtures() {
            Ok(files) => files,
            Err(e) => panic!("cannot regenerate the fixtures: {e}"),
        };
        let stale = stale_fixtures(&crate::root(), &expected);
        assert!(
            stale.is_empty(),
            "stale generated files (run `cargo xtask codegen`): {}",
            stale.join(", ")
        );
    }

    /// The comparison names a changed, a missing and a leftover file.
    #[test]
    fn stale_fixtures_names_each_kind_of_difference() {
        let root = std::env::temp_dir().join(format!("xtask-codegen-{}", std::process::id()));
        let dir = root.join(OUT_DIR);
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::write(dir.join("same.json"), "a\n").expect("write");
        std::fs::write(dir.join("changed.json"), "b\n").expect("write");
        std::fs::write(dir.join("leftover.json"), "c\n").expect("write");
        let expected = vec![
            (Path::new(OUT_DIR).join("same.json"), "a\n".to_owned()),
            (Path::new(OUT_DIR).join("changed.json"), "B\n".to_owned()),
            (Path::new(OUT_DIR).join("new.json"), "d\n".to_owned()),
        ];
        let stale = stale_fixtures(&root, &expected);
        std::fs::remove_dir_all(&root).expect("clean up");
        assert_eq!(
            stale,
            [
                format!("{OUT_DIR}/changed.json (differs)"),
                format!("{OUT_DIR}/leftover.json (no longer generated)"),
                format!("{OUT_DIR}/new.json (missing)"),
            ]
        );
    }
}
