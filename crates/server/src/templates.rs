//! Message templates on the doors that have them (docs/templates.md §2): Meta's template API
//! (`POST/GET/DELETE /{version}/{waba_id}/message_templates`, `GET/POST /{version}/{template_id}`,
//! a token of a number of that WABA), 360dialog's (`/v1/configs/templates`, its API key), and
//! the sandbox's review decisions (`POST /sandbox/templates/{template_id}/status`).

use axum::Router;
use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{delete, get, post};
use serde_json::{Map, Value, json};
use wacart_sandbox::{EngineError, TemplateFilter, TemplateInfo};
use wacart_schema::{
    Category, DefComponent, InputError, ParameterFormat, PhoneNumberId, TemplateStatus, WabaId,
    codes, validate_template_value,
};

use crate::AppState;
use crate::body::json_object;
use crate::doors::{graph_auth, invalid, message_body, no_such_node};
use crate::errors::{self, Refusal, Shape};
use crate::media::{param, query_pairs};

/// Most templates one page lists.
const PAGE_MAX: usize = 1000;
/// The page size when none is asked for.
const PAGE_DEFAULT: usize = 25;

/// The fields a template node answers with when `fields` is not given (Meta's defaults).
const DEFAULT_FIELDS: &[&str] = &[
    "name",
    "parameter_format",
    "components",
    "language",
    "status",
    "category",
    "id",
];
/// Every field a template node has.
const FIELDS: &[&str] = &[
    "name",
    "parameter_format",
    "components",
    "language",
    "status",
    "category",
    "id",
    "rejected_reason",
];

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/{version}/{node}/message_templates",
            get(list).post(create).delete(remove),
        )
        .route("/{version}/{node}", post(edit))
        .route("/v1/configs/templates", get(d360_list).post(d360_create))
        .route("/v1/configs/templates/{name}", delete(d360_delete))
        .route("/sandbox/templates/{template_id}/status", post(review))
        .route(
            "/sandbox/customers/{wa_id}/messages/{wamid}/open",
            get(open),
        )
}

/// The WABA a request's token reaches, when it is `node`.
fn waba_node(
    state: &AppState,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: &HeaderMap,
) -> Result<WabaId, Refusal> {
    let (version, node) = errors::path(Shape::Graph, path)?;
    let number = graph_auth(state, headers, &version)?;
    let waba = number_waba(state, &number)?;
    errors::ensure(waba.as_str() == node, || no_such_node(&node))?;
    Ok(waba)
}

fn number_waba(state: &AppState, number: &PhoneNumberId) -> Result<WabaId, Refusal> {
    state
        .sandbox
        .read(|sb| sb.number_waba(number))
        .ok_or_else(|| no_such_node(number.as_str()))
}

/// A template as Meta's API shows it, with the fields asked for.
fn template_json(t: &TemplateInfo, fields: &[&str]) -> Value {
    let d = &t.definition;
    let mut out = Map::new();
    for f in fields {
        let v = match *f {
            "name" => json!(d.name),
            "parameter_format" => json!(
                d.parameter_format
                    .clone()
                    .unwrap_or(ParameterFormat::Positional)
            ),
            "components" => json!(d.components),
            "language" => json!(d.language),
            "status" => json!(t.status),
            "category" => json!(d.category),
            "id" => json!(t.id),
            "rejected_reason" => json!(match t.status {
                TemplateStatus::Rejected => t.reason.as_deref().unwrap_or("NONE"),
                _ => "NONE",
            }),
            _ => continue,
        };
        out.insert((*f).to_owned(), v);
    }
    Value::Object(out)
}

/// `?fields=a,b`: the fields asked for, or the defaults; an unknown one is Graph's 100.
fn fields(pairs: &[(String, String)]) -> Result<Vec<&'static str>, Refusal> {
    let Some(list) = param(pairs, "fields") else {
        return Ok(DEFAULT_FIELDS.to_vec());
    };
    let mut out = Vec::new();
    for f in list.split(',').map(str::trim).filter(|f| !f.is_empty()) {
        let known = FIELDS.iter().find(|k| **k == f).ok_or_else(|| {
            Refusal::graph(
                codes::INVALID_PARAMETER,
                format!(
                    "Tried accessing nonexisting field ({f}) on node type (WhatsAppMessageTemplate)"
                ),
            )
        })?;
        out.push(*known);
    }
    if !out.contains(&"id") {
        out.push("id");
    }
    Ok(out)
}

fn filter(pairs: &[(String, String)]) -> TemplateFilter {
    let get = |k: &str| param(pairs, k).map(str::to_owned);
    let mut f = TemplateFilter::default();
    f.name = get("name");
    f.content = get("content");
    f.language = get("language");
    f.category = get("category");
    f.status = get("status");
    f
}

fn limit(pairs: &[(String, String)], key: &str, default: usize) -> Result<usize, Refusal> {
    match param(pairs, key) {
        None => Ok(default),
        Some(v) => v
            .parse::<usize>()
            .map(|n| n.clamp(1, PAGE_MAX))
            .map_err(|_| {
                Refusal::graph(codes::INVALID_PARAMETER, format!("{key} must be a number"))
            }),
    }
}

/// `GET /{version}/{waba_id}/message_templates`: `?name=&content=&language=&category=&status=`
/// filter, `?fields=` selects, `?limit=&after=` pages (`paging.cursors.after`).
async fn list(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, Refusal> {
    let waba = waba_node(&state, path, &headers)?;
    let pairs = query_pairs(query.as_deref());
    let fields = fields(&pairs)?;
    let limit = limit(&pairs, "limit", PAGE_DEFAULT)?;
    let filter = filter(&pairs);
    let after = param(&pairs, "after").map(str::to_owned);
    let (page, more) = state
        .sandbox
        .read(|sb| sb.templates(&waba, &filter, after.as_deref(), limit));
    let data: Vec<Value> = page.iter().map(|t| template_json(t, &fields)).collect();
    let mut cursors = Map::new();
    if let (Some(first), Some(last)) = (page.first(), page.last()) {
        cursors.insert("before".into(), json!(first.id));
        cursors.insert("after".into(), json!(last.id));
    }
    let mut paging = json!({"cursors": cursors});
    if more && let Some(last) = page.last() {
        paging["next"] = json!(format!("?limit={limit}&after={}", last.id));
    }
    Ok(errors::ok(&json!({"data": data, "paging": paging})))
}

/// Reads a definition body: every broken rule, Graph code 100.
async fn definition_body(
    shape: Shape,
    headers: &HeaderMap,
    body: Body,
) -> Result<wacart_schema::TemplateDefinition, Refusal> {
    let bytes = message_body(shape, headers, body).await?;
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|e| invalid(shape, &InputError::NotJson(e.to_string())))?;
    validate_template_value(&value).map_err(|v| invalid(shape, &InputError::Invalid(v)))
}

async fn create_in(
    state: &AppState,
    shape: Shape,
    waba: &WabaId,
    headers: &HeaderMap,
    body: Body,
) -> Result<TemplateInfo, Refusal> {
    let definition = definition_body(shape, headers, body).await?;
    let created = state
        .sandbox
        .run(|sb| sb.create_template(waba, definition))
        .await
        .map_err(|e| Refusal::engine(shape, &e))?;
    state.outbox.notify_one();
    Ok(created)
}

/// `POST /{version}/{waba_id}/message_templates`: `{"id", "status": "PENDING", "category"}`.
async fn create(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Refusal> {
    let waba = waba_node(&state, path, &headers)?;
    let t = create_in(&state, Shape::Graph, &waba, &headers, body).await?;
    Ok(errors::ok(&json!({
        "id": t.id, "status": t.status, "category": t.definition.category,
    })))
}

/// `DELETE /{version}/{waba_id}/message_templates?name=…[&hsm_id=…]`: `{"success": true}`.
async fn remove(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, Refusal> {
    let waba = waba_node(&state, path, &headers)?;
    let pairs = query_pairs(query.as_deref());
    let name = param(&pairs, "name")
        .filter(|n| !n.is_empty())
        .ok_or_else(|| Refusal::graph(codes::INVALID_PARAMETER, "The parameter name is required"))?
        .to_owned();
    let hsm_id = param(&pairs, "hsm_id").map(str::to_owned);
    state
        .sandbox
        .run(|sb| sb.delete_template(&waba, &name, hsm_id.as_deref()))
        .await?;
    state.outbox.notify_one();
    Ok(errors::ok(&json!({"success": true})))
}

/// The template `node` when the token's WABA owns it (`None`: not a template of it).
fn own_template(state: &AppState, number: &PhoneNumberId, node: &str) -> Option<TemplateInfo> {
    let waba = state.sandbox.read(|sb| sb.number_waba(number))?;
    state
        .sandbox
        .read(|sb| sb.template(node))
        .filter(|t| t.waba_id == waba)
}

/// `GET /{version}/{template_id}` (hooked into the node route that also serves the phone
/// number and media nodes): the template, `?fields=` selecting.
pub(crate) fn get_node(
    state: &AppState,
    number: &PhoneNumberId,
    node: &str,
    pairs: &[(String, String)],
) -> Result<Option<Response>, Refusal> {
    let Some(t) = own_template(state, number, node) else {
        return Ok(None);
    };
    let fields = fields(pairs)?;
    Ok(Some(errors::ok(&template_json(&t, &fields))))
}

/// `POST /{version}/{template_id}`: `{"components", "category"}` (`name` and `language` may be
/// given, unchanged); `{"success": true}`, and the template goes back to review.
async fn edit(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Refusal> {
    let (version, node) = errors::path(Shape::Graph, path)?;
    let number = graph_auth(&state, &headers, &version)?;
    let t = own_template(&state, &number, &node)
        .ok_or_else(|| Refusal::graph_error(errors::unsupported_request("post", &node)))?;
    let bytes = message_body(Shape::Graph, &headers, body).await?;
    let value: Map<String, Value> = json_object(&bytes)
        .map_err(|e| Refusal::graph(codes::INVALID_PARAMETER, format!("bad request body: {e}")))?;
    let mut components: Option<Vec<DefComponent>> = None;
    let mut category: Option<Category> = None;
    for (k, v) in &value {
        let bad = |why: String| Refusal::graph(codes::INVALID_PARAMETER, format!("{k}: {why}"));
        match k.as_str() {
            "components" => {
                components =
                    Some(serde_json::from_value(v.clone()).map_err(|e| bad(e.to_string()))?);
            }
            "category" => {
                let c = v
                    .as_str()
                    .map(Category::from)
                    .ok_or_else(|| bad("a string".into()))?;
                if let Category::Unknown(c) = &c {
                    return Err(bad(format!(
                        "{c:?} is not MARKETING, UTILITY or AUTHENTICATION"
                    )));
                }
                category = Some(c);
            }
            "name" if v.as_str() == Some(t.definition.name.as_str()) => {}
            "language" if v.as_str() == Some(t.definition.language.as_str()) => {}
            "name" | "language" => {
                return Err(bad("a template's name and language cannot be edited".into()));
            }
            _ => return Err(bad("unknown field".into())),
        }
    }
    errors::ensure(components.is_some() || category.is_some(), || {
        Refusal::graph(
            codes::INVALID_PARAMETER,
            "The parameter components or category is required",
        )
    })?;
    state
        .sandbox
        .run(|sb| sb.edit_template(&t.id, components, category))
        .await?;
    Ok(errors::ok(&json!({"success": true})))
}

// ---------------------------------------------------------------------------------------------
// 360dialog.

fn d360_waba(state: &AppState, headers: &HeaderMap) -> Result<WabaId, Refusal> {
    let number = crate::d360::number(state, headers)?;
    number_waba(state, &number)
}

/// A template as 360dialog lists it.
fn d360_json(t: &TemplateInfo) -> Value {
    let d = &t.definition;
    json!({
        "id": t.id, "name": d.name, "language": d.language, "category": d.category,
        "components": d.components, "status": t.status,
        "rejected_reason": match t.status {
            TemplateStatus::Rejected => t.reason.as_deref().unwrap_or("NONE"),
            _ => "NONE",
        },
        "namespace": format!("wacart_{}", t.waba_id),
    })
}

/// `POST /v1/configs/templates` (`D360-API-KEY`): the template created.
async fn d360_create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Refusal> {
    let waba = d360_waba(&state, &headers)?;
    let t = create_in(&state, Shape::D360, &waba, &headers, body).await?;
    Ok(errors::ok(&d360_json(&t)))
}

/// `GET /v1/configs/templates?limit=&offset=` (and Meta's filters): `waba_templates`, with
/// `count`, `total`, `limit`, `offset`.
async fn d360_list(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, Refusal> {
    let waba = d360_waba(&state, &headers)?;
    let pairs = query_pairs(query.as_deref());
    let limit = limit(&pairs, "limit", 1000)?;
    let offset: usize = match param(&pairs, "offset") {
        None => 0,
        Some(v) => v
            .parse()
            .map_err(|_| Refusal::graph(codes::INVALID_PARAMETER, "offset must be a number"))?,
    };
    let filter = filter(&pairs);
    let all = state
        .sandbox
        .read(|sb| sb.templates(&waba, &filter, None, usize::MAX).0);
    let page: Vec<Value> = all.iter().skip(offset).take(limit).map(d360_json).collect();
    Ok(errors::ok(&json!({
        "count": page.len(), "total": all.len(), "limit": limit, "offset": offset,
        "waba_templates": page,
    })))
}

/// `DELETE /v1/configs/templates/{name}`: every language of it.
async fn d360_delete(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    let name = errors::path(Shape::D360, path)?;
    let waba = d360_waba(&state, &headers)?;
    state
        .sandbox
        .run(|sb| sb.delete_template(&waba, &name, None))
        .await
        .map_err(|e| Refusal::engine(Shape::D360, &e))?;
    state.outbox.notify_one();
    Ok(errors::ok(&json!({"success": true})))
}

// ---------------------------------------------------------------------------------------------
// The sandbox's review.

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewBody {
    status: String,
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /sandbox/templates/{template_id}/status` `{"status", "reason"}`: the sandbox approves,
/// rejects, pauses or disables a template; the business gets the status webhook.
async fn review(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    body: Body,
) -> Result<Response, Refusal> {
    let id = errors::path(Shape::Graph, path)?;
    let bytes = crate::body::read_body(body, crate::MAX_BODY)
        .await
        .map_err(|e| e.refusal(Shape::Graph, crate::MAX_BODY))?;
    let b: ReviewBody = json_object(&bytes)
        .map_err(|e| Refusal::graph(codes::INVALID_PARAMETER, format!("bad request body: {e}")))?;
    let status = TemplateStatus::from(b.status.as_str());
    errors::ensure(
        matches!(
            status,
            TemplateStatus::Approved
                | TemplateStatus::Rejected
                | TemplateStatus::Paused
                | TemplateStatus::Disabled
        ),
        || {
            Refusal::graph(
                codes::INVALID_PARAMETER,
                "status is APPROVED, REJECTED, PAUSED or DISABLED",
            )
        },
    )?;
    state
        .sandbox
        .run(|sb| sb.review_template(&id, status, b.reason))
        .await
        .map_err(Refusal::sandbox)?;
    state.outbox.notify_one();
    let t = state
        .sandbox
        .read(|sb| sb.template(&id))
        .ok_or_else(|| Refusal::sandbox(EngineError::UnknownTemplate(id.clone())))?;
    Ok(errors::ok(&template_json(&t, FIELDS)))
}

/// `GET /sandbox/customers/{wa_id}/messages/{wamid}/open[?card_index=N]`: what the customer sees
/// on tapping to open a message: a catalog link's or catalog button's catalog ("Invalid catalog
/// link" when it is hidden or names another number), a product message's or template's
/// products, a product card's product. Changes nothing.
async fn open(
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Result<Response, Refusal> {
    let (raw, wamid) = errors::path(Shape::Graph, path)?;
    let who = crate::api::wa_id(&raw)?;
    let pairs = query_pairs(query.as_deref());
    let card = match param(&pairs, "card_index") {
        None => None,
        Some(v) => Some(
            v.parse::<usize>()
                .map_err(|_| Refusal::graph(codes::INVALID_PARAMETER, "card_index is a number"))?,
        ),
    };
    let id = wacart_schema::MessageId::new(wamid);
    let view = state
        .sandbox
        .read(|sb| sb.open_message(&who, &id, card))
        .map_err(Refusal::sandbox)?;
    Ok(errors::ok(&view))
}
