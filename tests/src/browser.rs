//! A real browser for the web simulator's tests: Debian's `chromium`, headless, driven through
//! `chromedriver` (W3C WebDriver) with `fantoccini`, over plain HTTP on 127.0.0.1.
//!
//! When either program is missing the tests skip with a message, unless
//! `WACART_REQUIRE_BROWSER=1` (set by `cargo xtask ci`, so CI fails instead). `WACART_CHROMIUM`
//! and `WACART_CHROMEDRIVER` name other binaries.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use wacart_sandbox::{Config, MemoryStore, Sandbox, SharedSandbox};
use wacart_server::{AppState, SkewClock, WorkerConfig, demo};

use crate::Server;

/// How long a wait for the page lasts before the test fails.
pub const WAIT: Duration = Duration::from_secs(20);

/// The flags that let Chromium run here: no sandbox (root), no GPU, and none of the
/// background connections a closed network refuses.
const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
];

/// One browser at a time: two Chromiums on two cores make every wait slower.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A program on `PATH` (or the path an environment variable names).
fn find(var: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(var) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// A headless Chromium session; the driver and the profile go when it is dropped.
pub struct Browser {
    /// The WebDriver session.
    pub client: Client,
    driver: Child,
    profile: PathBuf,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl Drop for Browser {
    fn drop(&mut self) {
        // The driver ends the browser it started when it goes.
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Starts a browser, or answers `None` (after saying why) when Chromium or chromedriver is not
/// installed and `WACART_REQUIRE_BROWSER` is not `1`.
///
/// # Panics
/// When the browser is required and missing, or does not start.
pub async fn browser(test: &str) -> Option<Browser> {
    let chromium = find("WACART_CHROMIUM", &["chromium", "chromium-browser"]);
    let driver = find("WACART_CHROMEDRIVER", &["chromedriver"]);
    let (Some(chromium), Some(driver)) = (chromium, driver) else {
        let required = std::env::var("WACART_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "{test}: WACART_REQUIRE_BROWSER=1 but chromium or chromedriver is not installed \
             (apt-get install chromium chromium-driver)"
        );
        eprintln!(
            "{test}: SKIPPED: chromium or chromedriver is not installed \
             (apt-get install chromium chromium-driver); CI installs them"
        );
        return None;
    };
    let turn = ONE_AT_A_TIME.lock().await;
    let port = free_port();
    let profile =
        std::env::temp_dir().join(format!("wacart-chromium-{}-{port}", std::process::id()));
    let _ = std::fs::remove_dir_all(&profile);
    std::fs::create_dir_all(&profile).expect("a browser profile directory");
    let log = std::fs::File::create(profile.join("chromedriver.log")).expect("a driver log");
    let mut child = Command::new(&driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("{test}: cannot start {}: {e}", driver.display()));
    let url = format!("http://127.0.0.1:{port}");
    let mut up = false;
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    if !up {
        let _ = child.kill();
        panic!("{test}: chromedriver did not listen on {url}");
    }
    let mut args: Vec<String> = FLAGS.iter().map(|f| (*f).to_owned()).collect();
    args.push(format!(
        "--user-data-dir={}",
        profile.join("data").display()
    ));
    args.push("--window-size=1366,900".to_owned());
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"binary": chromium, "args": args}),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = match ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&url)
        .await
    {
        Ok(c) => c,
        Err(e) => {
            let _ = child.kill();
            let log = std::fs::read_to_string(profile.join("chromedriver.log")).unwrap_or_default();
            panic!("{test}: no browser session: {e}\n{log}");
        }
    };
    Some(Browser {
        client,
        driver: child,
        profile,
        _turn: turn,
    })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Browser {
    /// Opens `url`.
    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("the page opens");
    }

    /// Runs `script` (a function body; `arguments` holds `args`) and answers its value.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Waits until `script` answers something truthy; answers it.
    pub async fn until(&self, what: &str, script: &str, args: Vec<Value>) -> Value {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let v = self.js(script, args.clone()).await;
            let truthy = match &v {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
                Value::String(s) => !s.is_empty(),
                _ => true,
            };
            if truthy {
                return v;
            }
            if tokio::time::Instant::now() > deadline {
                let toast = self
                    .js(
                        "return document.getElementById('toast').textContent",
                        vec![],
                    )
                    .await;
                panic!("timed out waiting for {what} (last toast: {toast})");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits for an element matching `css` and answers it.
    pub async fn element(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element {css}: {e}"))
    }

    /// Waits for `css` and clicks it as a person would (scrolled into view first). The page
    /// redraws what changed, so an element found may be replaced before the click lands: then
    /// it is found again.
    pub async fn click(&self, css: &str) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let el = self.element(css).await;
            let arg = serde_json::to_value(&el).expect("an element as JSON");
            let clicked = match self
                .client
                .execute("arguments[0].scrollIntoView({block: 'center'});", vec![arg])
                .await
            {
                Ok(_) => el.click().await,
                Err(e) => Err(e),
            };
            match clicked {
                Ok(()) => return,
                Err(e) if tokio::time::Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("cannot click {css}: {e}"),
            }
        }
    }

    /// The text of the first element matching `css` (empty when there is none).
    pub async fn text(&self, css: &str) -> String {
        self.js(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';",
            vec![json!(css)],
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// Waits until the first element matching `css` has text containing `part`.
    pub async fn wait_text(&self, css: &str, part: &str) {
        self.until(
            &format!("{css} to show {part:?}"),
            "const e = document.querySelector(arguments[0]); return !!e && e.textContent.includes(arguments[1]);",
            vec![json!(css), json!(part)],
        )
        .await;
    }

    /// The page's first contentful paint (ms after navigation started), from the browser's
    /// own performance timeline.
    pub async fn first_contentful_paint(&self) -> f64 {
        self.until(
            "a first contentful paint",
            "const p = performance.getEntriesByName('first-contentful-paint')[0]; return p ? p.startTime : null;",
            vec![],
        )
        .await
        .as_f64()
        .expect("a paint time")
    }

    /// A PNG of the viewport.
    pub async fn screenshot(&self) -> Vec<u8> {
        self.client.screenshot().await.expect("a screenshot")
    }

    /// Ends the session.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

/// The sandbox with the demo business on a clock the page can move, webhooks to `callback`.
pub async fn start_web_server(callback: Option<&str>) -> Server {
    let clock = Arc::new(SkewClock::new());
    let sandbox = Sandbox::open(
        Arc::new(MemoryStore::new()),
        clock.clone(),
        Config::default(),
    )
    .expect("a new sandbox opens");
    let shared = Arc::new(SharedSandbox::new(sandbox));
    demo::create(&shared).expect("the demo business");
    if let Some(url) = callback {
        shared
            .run_blocking(|sb| sb.set_callback(&demo::WABA_ID.into(), Some(url.to_owned())))
            .expect("callback set");
    }
    let state = AppState::new(shared).with_clock(clock);
    crate::serve(
        state,
        WorkerConfig {
            poll: Duration::from_millis(20),
            ..WorkerConfig::default()
        },
    )
    .await
}

/// Where `cargo xtask screenshots` wants the picture, when it runs the screenshot test.
pub fn screenshot_path() -> Option<PathBuf> {
    std::env::var_os("WACART_SCREENSHOT").map(PathBuf::from)
}

/// Writes a PNG, creating its directory.
pub fn write_png(path: &Path, png: &[u8]) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("the screenshot's directory");
    }
    std::fs::write(path, png).expect("the screenshot is written");
}
