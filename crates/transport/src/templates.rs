//! Template management on the doors that have it (docs/templates.md §2): create, list and
//! delete. Meta's door: `POST`, `GET` and `DELETE /{version}/{waba_id}/message_templates`
//! (Meta's door names a phone number, so these calls take the WABA id). 360dialog's:
//! `/v1/configs/templates` with its key (the key selects the WABA). Kaleyra's template API is not
//! covered ([`Error::Unsupported`]). Sending a template is [`Client::send`] with a
//! `type: "template"` message.

use serde::Deserialize;
use serde_json::Value;
use wacart_schema::{TemplateDefinition, WabaId};

use crate::client::Client;
use crate::door::{Door, PreparedRequest};
use crate::error::Error;

/// A template as created: its id, status (`PENDING` until reviewed) and category.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct CreatedTemplate {
    /// The template's id.
    pub id: String,
    /// `PENDING`, `APPROVED`, `REJECTED`, ...
    pub status: String,
    /// `MARKETING`, `UTILITY`, `AUTHENTICATION`.
    #[serde(default)]
    pub category: Option<String>,
}

/// A template as a list shows it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct TemplateRecord {
    /// Its id.
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// Its language.
    #[serde(default)]
    pub language: String,
    /// Its status.
    #[serde(default)]
    pub status: String,
    /// Its category.
    #[serde(default)]
    pub category: String,
    /// Its components, as the door gives them.
    #[serde(default)]
    pub components: Vec<Value>,
}

/// One page of templates, and the cursor of the next (Meta's door) when there is one.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct TemplatePage {
    /// The templates.
    pub templates: Vec<TemplateRecord>,
    /// Pass it as [`TemplateQuery::after`] for the next page.
    pub next: Option<String>,
}

/// Which templates to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TemplateQuery {
    /// A part of the name.
    pub name: Option<String>,
    /// Statuses, comma-separated (`APPROVED`).
    pub status: Option<String>,
    /// A language code.
    pub language: Option<String>,
    /// Page size.
    pub limit: Option<usize>,
    /// The cursor a previous page gave.
    pub after: Option<String>,
}

impl TemplateQuery {
    /// Everything, in pages of the door's default size.
    pub fn new() -> Self {
        Self::default()
    }

    /// Templates whose name holds `name`.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Templates with this status (comma-separated for several).
    #[must_use]
    pub fn status(mut self, status: impl Into<String>) -> Self {
        self.status = Some(status.into());
        self
    }

    /// Pages of `limit`.
    #[must_use]
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = Some(limit);
        self
    }

    /// The page after this cursor.
    #[must_use]
    pub fn after(mut self, cursor: impl Into<String>) -> Self {
        self.after = Some(cursor.into());
        self
    }

    fn query_string(&self) -> String {
        let mut q = Vec::new();
        let pairs = [
            ("name", &self.name),
            ("status", &self.status),
            ("language", &self.language),
            ("after", &self.after),
        ];
        for (k, v) in pairs {
            if let Some(v) = v {
                q.push(format!("{k}={}", encode(v)));
            }
        }
        if let Some(l) = self.limit {
            q.push(format!("limit={l}"));
        }
        q.join("&")
    }
}

/// Percent-encodes a query value.
fn encode(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b',') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[derive(Deserialize)]
struct MetaPage {
    #[serde(default)]
    data: Vec<TemplateRecord>,
    #[serde(default)]
    paging: Option<Paging>,
}

#[derive(Deserialize)]
struct Paging {
    #[serde(default)]
    cursors: Option<Cursors>,
    #[serde(default)]
    next: Option<String>,
}

#[derive(Deserialize)]
struct Cursors {
    #[serde(default)]
    after: Option<String>,
}

#[derive(Deserialize)]
struct D360Page {
    #[serde(default)]
    waba_templates: Vec<TemplateRecord>,
}

#[derive(Deserialize)]
struct Success {
    #[serde(default)]
    success: bool,
}

impl Client {
    fn template_request(
        &self,
        method: &'static str,
        waba_id: &WabaId,
        tail: &str,
        body: Vec<u8>,
    ) -> Result<PreparedRequest, Error> {
        let base = self.base.trim_end_matches('/');
        let url = match &self.door {
            Door::Meta { graph_version, .. } => {
                format!("{base}/{graph_version}/{waba_id}/message_templates{tail}")
            }
            Door::Dialog360 { .. } => format!("{base}/v1/configs/templates{tail}"),
            Door::Kaleyra { .. } => {
                return Err(Error::Unsupported {
                    what: "message templates",
                });
            }
        };
        Ok(self.door.prepared(method, url, body))
    }

    /// Creates a template in the WABA (Meta's door; 360dialog's key names its WABA): its id,
    /// and `PENDING` until Meta reviews it.
    ///
    /// # Errors
    /// [`Error::Unsupported`] on Kaleyra's door; the refusal (Graph 100 for a broken definition
    /// or a name taken in that language) or transport failure otherwise.
    pub async fn create_template(
        &self,
        waba_id: &WabaId,
        definition: &TemplateDefinition,
    ) -> Result<CreatedTemplate, Error> {
        let body = serde_json::to_vec(definition).map_err(|e| Error::Build(e.to_string()))?;
        let request = self.template_request("POST", waba_id, "", body)?;
        self.call_json(&request).await
    }

    /// A page of the WABA's templates.
    ///
    /// # Errors
    /// [`Error::Unsupported`] on Kaleyra's door; the refusal or transport failure otherwise.
    pub async fn list_templates(
        &self,
        waba_id: &WabaId,
        query: &TemplateQuery,
    ) -> Result<TemplatePage, Error> {
        let q = query.query_string();
        let tail = if q.is_empty() {
            String::new()
        } else {
            format!("?{q}")
        };
        let request = self.template_request("GET", waba_id, &tail, Vec::new())?;
        match &self.door {
            Door::Dialog360 { .. } => {
                let page: D360Page = self.call_json(&request).await?;
                Ok(TemplatePage {
                    templates: page.waba_templates,
                    next: None,
                })
            }
            _ => {
                let page: MetaPage = self.call_json(&request).await?;
                let next = page
                    .paging
                    .filter(|p| p.next.is_some())
                    .and_then(|p| p.cursors)
                    .and_then(|c| c.after);
                Ok(TemplatePage {
                    templates: page.data,
                    next,
                })
            }
        }
    }

    /// Deletes the WABA's template of this name, every language.
    ///
    /// # Errors
    /// [`Error::Unsupported`] on Kaleyra's door; the refusal (Graph 100 when there is no such
    /// template) or transport failure otherwise.
    pub async fn delete_template(&self, waba_id: &WabaId, name: &str) -> Result<(), Error> {
        let tail = match &self.door {
            Door::Dialog360 { .. } => format!("/{}", encode(name)),
            _ => format!("?name={}", encode(name)),
        };
        let request = self.template_request("DELETE", waba_id, &tail, Vec::new())?;
        let answer: Success = self.call_json(&request).await?;
        if answer.success {
            Ok(())
        } else {
            Err(Error::Decode {
                door: self.door.kind(),
                message: "`success` is false".to_owned(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_encoded() {
        let q = TemplateQuery::new()
            .name("spring sale")
            .status("APPROVED,PAUSED")
            .limit(10)
            .after("1600000000000003");
        assert_eq!(
            q.query_string(),
            "name=spring%20sale&status=APPROVED,PAUSED&after=1600000000000003&limit=10"
        );
    }
}
