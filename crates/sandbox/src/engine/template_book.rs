//! The templates' data, as the state holds it: every WABA's templates with the lookups sends
//! and time need, what a sent template message keeps, and the review that falls due as time
//! moves (with its `message_template_status_update` webhook). The commands that change them
//! are in `templates.rs`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use wacart_schema::{FilledTemplate, TemplateDefinition, TemplateStatus, WabaId, to_vec_ascii};

use super::state::State;

/// Template ids are 16 digits, as Meta's are: this plus a counter.
pub(crate) const ID_BASE: u64 = 1_600_000_000_000_000;

/// The webhook `field` (and the outbox's kind) of a template status change.
pub const TEMPLATE_STATUS_FIELD: &str = "message_template_status_update";

/// A template of a WABA.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Template {
    pub(crate) id: String,
    pub(crate) waba_id: WabaId,
    pub(crate) definition: TemplateDefinition,
    pub(crate) status: TemplateStatus,
    /// The reason of the last rejection, pause or disabling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) reason: Option<String>,
    pub(crate) created_at: u64,
    pub(crate) updated_at: u64,
    /// When its review decides (ms), while pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) review_due: Option<u64>,
}

/// Every template, by id, with the lookups sends need: by (WABA, name, language), and reviews
/// by due time, so time moving costs only the reviews that fall due.
#[derive(Clone, Debug, Default)]
pub(crate) struct TemplateBook {
    by_id: BTreeMap<String, Template>,
    by_name: HashMap<(WabaId, String, String), String>,
    reviews: BTreeSet<(u64, String)>,
}

impl TemplateBook {
    pub(crate) fn insert(&mut self, t: Template) {
        let key = (
            t.waba_id.clone(),
            t.definition.name.clone(),
            t.definition.language.clone(),
        );
        self.by_name.insert(key, t.id.clone());
        if let Some(due) = t.review_due {
            self.reviews.insert((due, t.id.clone()));
        }
        self.by_id.insert(t.id.clone(), t);
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<Template> {
        let t = self.by_id.remove(id)?;
        self.by_name.remove(&(
            t.waba_id.clone(),
            t.definition.name.clone(),
            t.definition.language.clone(),
        ));
        if let Some(due) = t.review_due {
            self.reviews.remove(&(due, t.id.clone()));
        }
        Some(t)
    }

    /// Changes a template through `f`, keeping the review index right.
    pub(crate) fn update<T>(&mut self, id: &str, f: impl FnOnce(&mut Template) -> T) -> Option<T> {
        let t = self.by_id.get_mut(id)?;
        if let Some(due) = t.review_due {
            self.reviews.remove(&(due, id.to_owned()));
        }
        let out = f(t);
        if let Some(due) = t.review_due {
            self.reviews.insert((due, id.to_owned()));
        }
        Some(out)
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Template> {
        self.by_id.get(id)
    }

    pub(crate) fn find(&self, waba: &WabaId, name: &str, language: &str) -> Option<&Template> {
        self.by_name
            .get(&(waba.clone(), name.to_owned(), language.to_owned()))
            .and_then(|id| self.by_id.get(id))
    }

    pub(crate) fn of_waba<'a>(
        &'a self,
        waba: &'a WabaId,
    ) -> impl Iterator<Item = &'a Template> + 'a {
        self.by_id.values().filter(move |t| t.waba_id == *waba)
    }

    /// Every template, by id (the snapshot's order).
    pub(crate) fn sorted(&self) -> Vec<&Template> {
        self.by_id.values().collect()
    }

    /// A book of these templates (from a snapshot).
    pub(crate) fn from_records(records: Vec<Template>) -> Self {
        let mut book = TemplateBook::default();
        for t in records {
            book.insert(t);
        }
        book
    }
}

/// Queues the `message_template_status_update` webhook of a template's new status.
pub(crate) fn status_webhook(state: &mut State, t: &Template, event: &TemplateStatus, at: u64) {
    #[derive(Serialize)]
    struct Body<'a> {
        object: &'static str,
        entry: [EntryOut<'a>; 1],
    }
    #[derive(Serialize)]
    struct EntryOut<'a> {
        id: &'a WabaId,
        time: u64,
        changes: [ChangeOut; 1],
    }
    #[derive(Serialize)]
    struct ChangeOut {
        value: Value,
        field: &'static str,
    }
    let id: u64 = t.id.parse().unwrap_or_default();
    let mut value = json!({
        "event": event.as_str(),
        "message_template_id": id,
        "message_template_name": t.definition.name,
        "message_template_language": t.definition.language,
        "reason": t.reason.as_deref().unwrap_or("NONE"),
        "message_template_category": t.definition.category.as_str(),
    });
    if *event == TemplateStatus::Disabled {
        value["disable_info"] = json!({"disable_date": (at / 1000).to_string()});
    }
    let body = || {
        // Plain data: serialization cannot fail.
        to_vec_ascii(&Body {
            object: "whatsapp_business_account",
            entry: [EntryOut {
                id: &t.waba_id,
                time: at / 1000,
                changes: [ChangeOut {
                    value,
                    field: TEMPLATE_STATUS_FIELD,
                }],
            }],
        })
        .unwrap_or_default()
    };
    let waba = t.waba_id.clone();
    state.push_delivery(&waba, TEMPLATE_STATUS_FIELD, body, at);
}

/// Moves a template to `status` (with `reason`) at `at`, and tells the business.
pub(crate) fn set_status(
    state: &mut State,
    id: &str,
    status: TemplateStatus,
    reason: Option<String>,
    at: u64,
) {
    let changed = state.templates.update(id, |t| {
        t.status = status.clone();
        t.reason = reason;
        t.review_due = None;
        t.updated_at = at;
        t.clone()
    });
    if let Some(t) = changed {
        status_webhook(state, &t, &status, at);
    }
}

/// Reviews falling due by `at` approve their templates, in due order (called whenever time
/// moves).
pub(crate) fn review_due(state: &mut State, at: u64) {
    while let Some((due, id)) = state.templates.reviews.first().cloned() {
        if due > at {
            break;
        }
        state.templates.reviews.pop_first();
        if state
            .templates
            .get(&id)
            .is_some_and(|t| t.status == TemplateStatus::Pending)
        {
            set_status(state, &id, TemplateStatus::Approved, None, due);
        }
    }
}

/// What a template message is priced as on its statuses (per-message pricing).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Pricing {
    /// A marketing template: charged.
    Marketing,
    /// A utility template outside the customer service window: charged.
    Utility,
    /// A utility template inside the customer service window: free.
    UtilityInWindow,
    /// An authentication template: charged.
    Authentication,
}

impl Pricing {
    /// (`billable`, `type`, `category`) of the status webhook's `pricing`.
    pub(crate) fn parts(self) -> (bool, &'static str, &'static str) {
        match self {
            Pricing::Marketing => (true, "regular", "marketing"),
            Pricing::Utility => (true, "regular", "utility"),
            Pricing::UtilityInWindow => (false, "free_customer_service", "utility"),
            Pricing::Authentication => (true, "regular", "authentication"),
        }
    }
}

/// A template message as sent: the template it used, what the customer sees, its pricing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct TemplateSent {
    pub(crate) template_id: String,
    pub(crate) pricing: Pricing,
    pub(crate) filled: FilledTemplate,
}
