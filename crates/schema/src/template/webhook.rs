//! The `message_template_status_update` webhook (docs/templates.md §4): a change whose `field` is
//! `message_template_status_update` and whose `value` says what happened to which template.

use crate::webhook::{Change, WebhookPayload};
use crate::wire::{wire_enum, wire_struct};

wire_enum! {
    /// A template's status (and the `event` of its status webhook).
    pub enum TemplateStatus {
        /// Waiting for review.
        Pending = "PENDING",
        /// Can be sent.
        Approved = "APPROVED",
        /// Refused on review; see the reason.
        Rejected = "REJECTED",
        /// Paused for low quality: sends answer 132015.
        Paused = "PAUSED",
        /// Disabled: sends answer 132016.
        Disabled = "DISABLED",
        /// Deleted; the name stays taken for a while.
        PendingDeletion = "PENDING_DELETION",
        /// The business appealed a rejection.
        InAppeal = "IN_APPEAL",
        /// Archived.
        Archived = "ARCHIVED",
    }
}

wire_struct! {
    /// `value` of a `message_template_status_update` change.
    pub struct TemplateStatusUpdate {
        /// The new status.
        event: req TemplateStatus = "event",
        /// The template's id (a number on the wire).
        message_template_id: req u64 = "message_template_id",
        /// Its name.
        message_template_name: req String = "message_template_name",
        /// Its language.
        message_template_language: req String = "message_template_language",
        /// Why (`NONE` on approval; a rejection or pause reason otherwise).
        reason: opt String = "reason",
        /// Its category.
        message_template_category: opt String = "message_template_category",
        /// On `DISABLED`: `{"disable_date": …}`.
        disable_info: opt serde_json::Value = "disable_info",
    }
}

/// The `field` of a template status change.
pub const TEMPLATE_STATUS_FIELD: &str = "message_template_status_update";

impl Change {
    /// The template status update this change carries, when its `field` is
    /// `message_template_status_update`.
    pub fn template_status_update(&self) -> Option<TemplateStatusUpdate> {
        if self.field != TEMPLATE_STATUS_FIELD {
            return None;
        }
        serde_json::to_value(&self.value)
            .ok()
            .and_then(|v| serde_json::from_value(v).ok())
    }
}

impl WebhookPayload {
    /// Every template status update of the payload, in order.
    pub fn template_status_updates(&self) -> Vec<TemplateStatusUpdate> {
        self.entry
            .iter()
            .flat_map(|e| e.changes.iter())
            .filter_map(Change::template_status_update)
            .collect()
    }
}
