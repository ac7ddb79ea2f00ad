//! The typed walker: the value rules of an [`OutboundMessage`].

use serde_json::Value;

use super::report::{Path, Report, Violations};
use super::rules::*;
use super::{Options, limits};
use crate::codes;
use crate::outbound::{Content, Interactive, OutboundMessage};

impl OutboundMessage {
    /// Checks every rule of spec §1 with the default [`Options`].
    ///
    /// # Errors
    /// [`Violations`] with every broken rule, each with its path and Graph code.
    pub fn validate(&self) -> Result<(), Violations> {
        self.validate_with(&Options::default())
    }

    /// Checks every rule of spec §1 with the given options.
    ///
    /// # Errors
    /// [`Violations`] with every broken rule, each with its path and Graph code.
    pub fn validate_with(&self, opts: &Options) -> Result<(), Violations> {
        let mut r = Report::default();
        let root = Path::Root;
        let group = match &self.recipient_type {
            Some(rt) => rule_recipient_type(&mut r, &root.key("recipient_type"), rt.as_str()),
            None => false,
        };
        match (&self.to, &self.recipient) {
            (Some(to), _) => rule_to(&mut r, &root.key("to"), to.as_str(), group, opts.dialect),
            (None, Some(user)) => rule_user_id(&mut r, &root.key("recipient"), user.as_str()),
            (None, None) => r.push(
                &root.key("to"),
                crate::codes::REQUIRED_PARAMETER_MISSING,
                "required (or recipient)",
            ),
        }
        if let (Some(_), Some(user)) = (&self.to, &self.recipient) {
            rule_user_id(&mut r, &root.key("recipient"), user.as_str());
        }
        if let Some(b) = &self.biz_opaque_callback_data {
            rule_optional_text(
                &mut r,
                &root.key("biz_opaque_callback_data"),
                b,
                limits::BIZ_OPAQUE_MAX,
            );
        }
        match &self.content {
            Content::Text(t) => {
                rule_text(
                    &mut r,
                    &root.key("text").key("body"),
                    &t.body,
                    limits::TEXT_BODY_MAX,
                );
            }
            Content::Interactive(i) => typed_interactive(&mut r, &root.key("interactive"), i, opts),
            Content::Template(t) => {
                crate::template::validate_typed_send(&mut r, &root.key("template"), t);
            }
            Content::Other { kind, body } if kind == "template" => {
                let body = (!body.is_null()).then_some(body);
                crate::template::check_send::raw_send(&mut r, &root.key("template"), body);
            }
            Content::Other { kind, .. } => rule_message_type(&mut r, &root.key("type"), kind),
        }
        r.finish()
    }
}

fn typed_interactive(r: &mut Report, p: &Path<'_>, i: &Interactive, opts: &Options) {
    let body = p.key("body");
    let body_text = body.key("text");
    let footer = p.key("footer");
    let footer_text = footer.key("text");
    let action = p.key("action");
    match i {
        Interactive::Product(m) => {
            if let Some(b) = &m.body {
                rule_text(r, &body_text, &b.text, limits::BODY_TEXT_MAX);
            }
            if let Some(f) = &m.footer {
                rule_optional_text(r, &footer_text, &f.text, limits::FOOTER_TEXT_MAX);
            }
            rule_catalog_id(r, &action.key("catalog_id"), m.action.catalog_id.as_str());
            rule_retailer_id(
                r,
                &action.key("product_retailer_id"),
                m.action.product_retailer_id.as_str(),
            );
        }
        Interactive::ProductList(m) => {
            let header = p.key("header");
            rule_header_type(r, &header.key("type"), m.header.kind.as_str());
            rule_text(
                r,
                &header.key("text"),
                &m.header.text,
                limits::HEADER_TEXT_MAX,
            );
            rule_text(r, &body_text, &m.body.text, limits::BODY_TEXT_MAX);
            if let Some(f) = &m.footer {
                rule_optional_text(r, &footer_text, &f.text, limits::FOOTER_TEXT_MAX);
            }
            rule_catalog_id(r, &action.key("catalog_id"), m.action.catalog_id.as_str());
            let sections = action.key("sections");
            let n = m.action.sections.len();
            rule_section_count(r, &sections, n);
            let total = m
                .action
                .sections
                .iter()
                .map(|s| s.product_items.len())
                .sum();
            let mut seen = 0;
            for (si, s) in m.action.sections.iter().enumerate() {
                let sp = sections.index(si);
                rule_section_title(r, &sp.key("title"), s.title.as_deref(), n);
                let items = sp.key("product_items");
                rule_items_nonempty(r, &items, s.product_items.len());
                for (ii, item) in s.product_items.iter().enumerate() {
                    let ip = items.index(ii);
                    rule_item_total(r, &ip, seen, total);
                    seen += 1;
                    rule_retailer_id(
                        r,
                        &ip.key("product_retailer_id"),
                        item.product_retailer_id.as_str(),
                    );
                }
            }
        }
        Interactive::CatalogMessage(m) => {
            rule_text(r, &body_text, &m.body.text, limits::BODY_TEXT_MAX);
            if let Some(f) = &m.footer {
                rule_optional_text(r, &footer_text, &f.text, limits::FOOTER_TEXT_MAX);
            }
            rule_action_name(r, &action.key("name"), &m.action.name);
            let params = action.key("parameters");
            let thumb = params.key("thumbnail_product_retailer_id");
            match m
                .action
                .parameters
                .as_ref()
                .and_then(|p| p.thumbnail_product_retailer_id.as_ref())
            {
                Some(id) => rule_retailer_id(r, &thumb, id.as_str()),
                None if opts.strict_catalog_thumbnail => rule_missing_thumbnail(r, &thumb),
                None => {}
            }
        }
        Interactive::Other(map) => match map.get("type").and_then(Value::as_str) {
            Some(kind) => rule_interactive_type(r, &p.key("type"), kind),
            None => r.push(
                &p.key("type"),
                codes::REQUIRED_PARAMETER_MISSING,
                "required",
            ),
        },
    }
}
