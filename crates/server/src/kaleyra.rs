//! Kaleyra accounts in the sandbox (`/sandbox/kaleyra/...`): what a Kaleyra customer sets in
//! Kaleyra's console — callback profiles, the account's billing and API access, each number's
//! default callback profile and API version — as routes and as `--config`. Errors in Graph's
//! shape, as on the rest of the sandbox API.

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, put};
use serde::Deserialize;
use serde_json::Value;
use wacart_sandbox::callbacks::{CallbackEvent, CallbackMethod, CallbackProfile};
use wacart_sandbox::{AccountSettings, EngineError, NumberSettings, SharedSandbox};
use wacart_schema::PhoneNumberId;

use crate::AppState;
use crate::errors::{self, Refusal, Shape};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/sandbox/kaleyra/{sid}", get(account).put(set_account))
        .route(
            "/sandbox/kaleyra/{sid}/callback-profiles/{id}",
            put(put_profile).delete(drop_profile),
        )
        .route("/sandbox/kaleyra/{sid}/numbers/{number}", put(set_number))
}

/// A callback profile as `PUT …/callback-profiles/{id}` takes it (the id is the path's).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileBody {
    /// `GET` or `POST`.
    pub method: CallbackMethod,
    /// The endpoint (with `GET`, its query is the template).
    pub url: String,
    /// With `POST`, the JSON body template.
    #[serde(default)]
    pub body: Option<Value>,
    /// The events it takes (both when empty).
    #[serde(default)]
    pub events: Vec<CallbackEvent>,
    /// Extra headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

impl ProfileBody {
    fn into_profile(self, id: String) -> CallbackProfile {
        let mut p = CallbackProfile::post_all(id, self.url);
        p.method = self.method;
        p.body = self.body;
        p.events = self.events;
        p.headers = self.headers;
        p
    }
}

/// A Kaleyra account in `--config`: `{"<SID>": {"billing": …, "balance": …, "price": …,
/// "api_access": …, "callback_profiles": {"<id>": {…}}, "numbers": {"<phone number id>": {…}}}}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountConfig {
    /// `prepaid` or `postpaid`.
    #[serde(default)]
    billing: Option<wacart_sandbox::Billing>,
    /// The prepaid balance.
    #[serde(default)]
    balance: Option<wacart_schema::Price>,
    /// The price of each message.
    #[serde(default)]
    price: Option<wacart_schema::Price>,
    /// Whether the account type has API access.
    #[serde(default)]
    api_access: Option<bool>,
    /// Callback profiles by id.
    #[serde(default)]
    pub callback_profiles: BTreeMap<String, ProfileBody>,
    /// Numbers' settings by phone number id.
    #[serde(default)]
    pub numbers: BTreeMap<String, NumberSettings>,
}

impl AccountConfig {
    fn is_empty(&self) -> bool {
        self.billing.is_none()
            && self.balance.is_none()
            && self.price.is_none()
            && self.api_access.is_none()
    }

    fn apply(&self, mut s: AccountSettings) -> AccountSettings {
        if let Some(b) = self.billing {
            s.billing = b;
        }
        if let Some(b) = self.balance {
            s.balance = b;
        }
        if let Some(p) = self.price {
            s.price = p;
        }
        if let Some(a) = self.api_access {
            s.api_access = a;
        }
        s
    }
}

/// Applies a `--config` account: settings, then profiles, then numbers (each a command).
///
/// # Errors
/// What the engine refused.
pub fn configure(
    sandbox: &SharedSandbox,
    sid: &str,
    config: AccountConfig,
) -> Result<(), EngineError> {
    if !config.is_empty() {
        let current = sandbox
            .read(|sb| sb.kaleyra_account(sid).map(|a| a.settings))
            .unwrap_or_default();
        let settings = config.apply(current);
        sandbox.run_blocking(|sb| sb.kaleyra_set_account(sid, settings))?;
    }
    for (id, body) in config.callback_profiles {
        sandbox.run_blocking(|sb| sb.kaleyra_put_profile(sid, body.into_profile(id)))?;
    }
    for (number, settings) in config.numbers {
        sandbox
            .run_blocking(|sb| sb.kaleyra_set_number(sid, &PhoneNumberId::new(number), settings))?;
    }
    Ok(())
}

fn not_found(details: String) -> Refusal {
    Refusal::graph_error_with_status(
        axum::http::StatusCode::NOT_FOUND,
        wacart_schema::GraphError::new(wacart_schema::codes::INVALID_PARAMETER, details, "wacart"),
    )
}

fn unknown(sid: &str) -> Refusal {
    not_found(format!(
        "no number is reachable through the Kaleyra SID {sid:?}"
    ))
}

/// The account, or 404.
fn known(st: &AppState, sid: &str) -> Result<wacart_sandbox::AccountView, Refusal> {
    st.sandbox
        .read(|sb| sb.kaleyra_account(sid))
        .ok_or_else(|| unknown(sid))
}

fn view(st: &AppState, sid: &str) -> Result<Response, Refusal> {
    st.sandbox
        .read(|sb| sb.kaleyra_account(sid))
        .map(|a| errors::ok(&a))
        .ok_or_else(|| unknown(sid))
}

async fn account(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, Refusal> {
    let sid = errors::path(Shape::Graph, path)?;
    view(&st, &sid)
}

async fn set_account(
    State(st): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    b: Body,
) -> Result<Response, Refusal> {
    let sid = errors::path(Shape::Graph, path)?;
    known(&st, &sid)?;
    let settings: AccountSettings = crate::api::body(b).await?;
    st.sandbox
        .run(|sb| sb.kaleyra_set_account(&sid, settings))
        .await
        .map_err(Refusal::sandbox)?;
    view(&st, &sid)
}

async fn put_profile(
    State(st): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    b: Body,
) -> Result<Response, Refusal> {
    let (sid, id) = errors::path(Shape::Graph, path)?;
    known(&st, &sid)?;
    let body: ProfileBody = crate::api::body(b).await?;
    let profile = body.into_profile(id);
    st.sandbox
        .run(|sb| sb.kaleyra_put_profile(&sid, profile.clone()))
        .await
        .map_err(Refusal::sandbox)?;
    Ok(errors::ok(&profile))
}

async fn drop_profile(
    State(st): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, Refusal> {
    let (sid, id) = errors::path(Shape::Graph, path)?;
    let account = known(&st, &sid)?;
    errors::ensure(account.callback_profiles.iter().any(|p| p.id == id), || {
        not_found(format!("no callback profile {id:?} on this account"))
    })?;
    st.sandbox
        .run(|sb| sb.kaleyra_drop_profile(&sid, &id))
        .await
        .map_err(Refusal::sandbox)?;
    Ok(errors::ok(&serde_json::json!({"success": true})))
}

async fn set_number(
    State(st): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    b: Body,
) -> Result<Response, Refusal> {
    let (sid, number) = errors::path(Shape::Graph, path)?;
    known(&st, &sid)?;
    let number = PhoneNumberId::new(number);
    let on_account = st.sandbox.read(|sb| {
        sb.number_spec(&number)
            .and_then(|n| n.kaleyra.as_ref())
            .is_some_and(|(s, _)| *s == sid)
    });
    errors::ensure(on_account, || {
        not_found(format!(
            "number {number} is not reachable through the Kaleyra SID {sid:?}"
        ))
    })?;
    let settings: NumberSettings = crate::api::body(b).await?;
    st.sandbox
        .run(|sb| sb.kaleyra_set_number(&sid, &number, settings))
        .await
        .map_err(Refusal::sandbox)?;
    view(&st, &sid)
}
