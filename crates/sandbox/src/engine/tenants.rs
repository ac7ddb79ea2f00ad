//! Who is there: the configuration, tenants (WABA, app, numbers, catalogs, credentials),
//! customers and their devices.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use wacart_catalog::{Catalog, CommerceSettings, SettingsUpdate};
use wacart_schema::{PhoneNumberId, WaId, WabaId};

use super::op::Op;
use super::state::{Number, State};
use super::{Ack, EngineError, Sandbox};
use crate::model::{Config, CustomerSpec, Device, NumberSpec, TenantSpec};

/// Replaces the configuration (logged when the sandbox opens with another one).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Configure {
    pub(crate) config: Box<Config>,
}

impl Op for Configure {
    type Output = ();

    fn exec(&self, state: &mut State, _at: u64) -> Result<(), EngineError> {
        state.config = (*self.config).clone();
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CreateTenant {
    tenant: TenantSpec,
}

impl Op for CreateTenant {
    type Output = ();

    fn exec(&self, state: &mut State, _at: u64) -> Result<(), EngineError> {
        let t = &self.tenant;
        check_new_tenant(state, t)?;
        for c in &t.catalogs {
            state.catalogs.insert(c.clone(), Catalog::new(c.clone()));
        }
        for n in &t.numbers {
            let id = &n.phone_number_id;
            for token in &n.tokens {
                state.tokens.insert(token.expose().to_owned(), id.clone());
            }
            if let Some(k) = &n.d360_key {
                state.d360_keys.insert(k.expose().to_owned(), id.clone());
            }
            if let Some((sid, key)) = &n.kaleyra {
                state
                    .kaleyra
                    .insert((sid.clone(), key.expose().to_owned()), id.clone());
            }
            state.settings.link_catalog(id, n.catalog_id.clone());
            let update = SettingsUpdate::new()
                .cart_enabled(n.cart_enabled)
                .catalog_visible(n.catalog_visible);
            state.settings.update(id, update);
            state.numbers.insert(
                id.clone(),
                Number {
                    spec: n.clone(),
                    waba_id: t.waba_id.clone(),
                    rate_tat: 0,
                },
            );
        }
        state.set_parked(&t.waba_id, t.app.callback_url.is_none());
        state.tenants.insert(t.waba_id.clone(), t.clone());
        Ok(())
    }
}

/// A credential of a number, as the maps that pick the number key it.
fn credentials(n: &NumberSpec) -> Vec<(&'static str, String, String)> {
    let mut creds: Vec<_> = n
        .tokens
        .iter()
        .map(|c| ("token", String::new(), c.expose().to_owned()))
        .collect();
    creds.extend(
        n.d360_key
            .iter()
            .map(|k| ("d360", String::new(), k.expose().to_owned())),
    );
    creds.extend(
        n.kaleyra
            .iter()
            .map(|(sid, k)| ("kaleyra", sid.clone(), k.expose().to_owned())),
    );
    creds
}

/// Nothing of a new tenant may exist already; credentials pick the number, so each must be
/// non-empty and reach one number only.
fn check_new_tenant(state: &State, t: &TenantSpec) -> Result<(), EngineError> {
    if state.tenants.contains_key(&t.waba_id) {
        return Err(EngineError::Exists(format!("WABA {}", t.waba_id)));
    }
    let mut seen = HashSet::new();
    for n in &t.numbers {
        if state.numbers.contains_key(&n.phone_number_id) {
            return Err(EngineError::Exists(format!(
                "phone number id {}",
                n.phone_number_id
            )));
        }
        for (kind, sid, value) in credentials(n) {
            if value.is_empty() {
                return Err(EngineError::BadRequest(format!(
                    "number {} has an empty credential",
                    n.phone_number_id
                )));
            }
            let taken = match kind {
                "token" => state.tokens.contains_key(&value),
                "d360" => state.d360_keys.contains_key(&value),
                _ => state.kaleyra.contains_key(&(sid.clone(), value.clone())),
            };
            if taken || !seen.insert((kind, sid, value)) {
                return Err(EngineError::Exists(format!(
                    "a credential of number {}",
                    n.phone_number_id
                )));
            }
        }
    }
    for c in &t.catalogs {
        if state.catalogs.contains_key(c) {
            return Err(EngineError::Exists(format!("catalog {c}")));
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SetCallback {
    waba_id: WabaId,
    url: Option<String>,
    /// Headers sent with every webhook (360dialog's webhook configuration); absent: none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    headers: BTreeMap<String, String>,
}

impl Op for SetCallback {
    type Output = ();

    fn exec(&self, state: &mut State, _at: u64) -> Result<(), EngineError> {
        let t = state
            .tenants
            .get_mut(&self.waba_id)
            .ok_or_else(|| EngineError::BadRequest(format!("unknown WABA {}", self.waba_id)))?;
        t.app.callback_url.clone_from(&self.url);
        t.app.callback_headers.clone_from(&self.headers);
        state.set_parked(&self.waba_id, self.url.is_none());
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AddCustomer {
    customer: CustomerSpec,
}

impl Op for AddCustomer {
    type Output = ();

    fn exec(&self, state: &mut State, _at: u64) -> Result<(), EngineError> {
        let c = &self.customer;
        if state.customers.contains_key(&c.wa_id) {
            return Err(EngineError::Exists(format!(
                "customer {}",
                wacart_schema::MaskedPhone(c.wa_id.as_str())
            )));
        }
        state.customer_entry(&c.wa_id, Some(&c.name));
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SetDevice {
    wa_id: WaId,
    device: String,
    device_spec: Device,
}

impl Op for SetDevice {
    type Output = ();

    fn exec(&self, state: &mut State, _at: u64) -> Result<(), EngineError> {
        let c = state.customer_entry(&self.wa_id, None);
        c.devices
            .insert(self.device.clone(), self.device_spec.clone());
        Ok(())
    }
}

/// The customer changes their profile: display name, username (`Some(None)` removes it).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SetProfile {
    wa_id: WaId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    username: Option<Option<String>>,
}

impl Op for SetProfile {
    type Output = ();

    fn exec(&self, state: &mut State, _at: u64) -> Result<(), EngineError> {
        if let Some(Some(u)) = &self.username {
            check_username(u).map_err(|m| EngineError::BadRequest(m.to_owned()))?;
        }
        if let Some(n) = &self.name
            && (n.trim().is_empty() || n.chars().count() > 128)
        {
            return Err(EngineError::BadRequest(
                "a profile name has 1 to 128 characters".into(),
            ));
        }
        let c = state.customer_entry(&self.wa_id, None);
        if let Some(n) = &self.name {
            c.name.clone_from(n);
        }
        if let Some(u) = &self.username {
            c.username = u.as_ref().map(|u| u.to_ascii_lowercase());
        }
        Ok(())
    }
}

/// Meta's username rules (the same for customers as for businesses): 3 to 35 characters of
/// a-z, 0-9, `.` and `_`, at least one letter; no period first, last or twice in a row; not
/// starting with `www`; not ending in a domain.
pub(crate) fn check_username(u: &str) -> Result<(), &'static str> {
    let lower = u.to_ascii_lowercase();
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '_';
    if !(3..=35).contains(&lower.len()) || !lower.chars().all(allowed) {
        return Err("a username has 3 to 35 characters: letters a-z, digits, '.' and '_'");
    }
    if !lower.chars().any(|c| c.is_ascii_lowercase()) {
        return Err("a username has at least one letter");
    }
    if lower.starts_with('.') || lower.ends_with('.') || lower.contains("..") {
        return Err("a username does not start or end with '.', nor have two in a row");
    }
    if lower.starts_with("www") {
        return Err("a username does not start with www");
    }
    const DOMAINS: &[&str] = &[
        ".com", ".org", ".net", ".edu", ".gov", ".io", ".co", ".in", ".br", ".uk", ".de", ".info",
        ".biz", ".app", ".shop", ".store",
    ];
    if DOMAINS.iter().any(|d| lower.ends_with(d)) {
        return Err("a username does not end with a domain (.com, .org, ...)");
    }
    Ok(())
}

impl Sandbox {
    /// Adds a tenant (WABA, app, numbers, empty catalogs).
    ///
    /// # Errors
    /// [`EngineError::Exists`] when its WABA, a number or a catalog exists already.
    pub fn create_tenant_cmd(&mut self, tenant: TenantSpec) -> Result<Ack<()>, EngineError> {
        self.run(CreateTenant { tenant })
    }

    /// Sets (or clears) a WABA app's webhook callback.
    ///
    /// # Errors
    /// [`EngineError::BadRequest`] for an unknown WABA.
    pub fn set_callback(
        &mut self,
        waba_id: &WabaId,
        url: Option<String>,
    ) -> Result<Ack<()>, EngineError> {
        self.run(SetCallback {
            waba_id: waba_id.clone(),
            url,
            headers: BTreeMap::new(),
        })
    }

    /// Sets a WABA app's webhook callback with headers sent on every webhook (360dialog's
    /// webhook configuration).
    ///
    /// # Errors
    /// [`EngineError::BadRequest`] for an unknown WABA or a header that is not a valid HTTP
    /// header.
    pub fn set_callback_with_headers(
        &mut self,
        waba_id: &WabaId,
        url: String,
        headers: BTreeMap<String, String>,
    ) -> Result<Ack<()>, EngineError> {
        for (k, v) in &headers {
            if !crate::callbacks::header_name(k) || !crate::callbacks::header_value(v) {
                return Err(EngineError::BadRequest(format!(
                    "header {k:?} is not a valid HTTP header: a name of letters, digits, '-' and '_', a value of visible ASCII"
                )));
            }
        }
        self.run(SetCallback {
            waba_id: waba_id.clone(),
            url: Some(url),
            headers,
        })
    }

    /// Adds a customer with one current device, `phone`.
    ///
    /// # Errors
    /// [`EngineError::Exists`] when known already.
    pub fn add_customer(&mut self, customer: CustomerSpec) -> Result<Ack<()>, EngineError> {
        self.run(AddCustomer { customer })
    }

    /// Adds or changes a customer's device (the customer is created when new). A device name
    /// has 1 to 64 characters.
    ///
    /// # Errors
    /// [`EngineError::BadRequest`] for a bad name; [`EngineError::Store`].
    pub fn set_device(
        &mut self,
        wa_id: &WaId,
        device: &str,
        spec: Device,
    ) -> Result<Ack<()>, EngineError> {
        if device.is_empty() || device.chars().count() > 64 {
            return Err(EngineError::BadRequest(
                "a device name has 1 to 64 characters".into(),
            ));
        }
        self.run(SetDevice {
            wa_id: wa_id.clone(),
            device: device.to_owned(),
            device_spec: spec,
        })
    }

    /// The customer changes their display name and/or username (`Some(None)` removes the
    /// username). A customer with a username is known to businesses by their BSUID only, until
    /// a business sends to their phone number.
    ///
    /// # Errors
    /// [`EngineError::BadRequest`] for a name or username Meta would refuse.
    pub fn set_profile(
        &mut self,
        wa_id: &WaId,
        name: Option<String>,
        username: Option<Option<String>>,
    ) -> Result<Ack<()>, EngineError> {
        self.run(SetProfile {
            wa_id: wa_id.clone(),
            name,
            username,
        })
    }

    /// The customer's profile: display name and username.
    pub fn profile(&self, wa_id: &WaId) -> Option<(&str, Option<&str>)> {
        self.state
            .customers
            .get(wa_id)
            .map(|c| (c.name.as_str(), c.username.as_deref()))
    }

    /// The customer's BSUID as the WABA of `number` knows them.
    pub fn user_id(&self, wa_id: &WaId, number: &PhoneNumberId) -> Option<wacart_schema::UserId> {
        let waba = &self.state.numbers.get(number)?.waba_id;
        crate::bsuid::bsuid(waba, wa_id)
    }

    /// The tenants.
    pub fn tenants(&self) -> impl Iterator<Item = &TenantSpec> {
        self.state.tenants.values()
    }

    /// The number a Meta access token reaches.
    pub fn number_for_token(&self, token: &str) -> Option<&PhoneNumberId> {
        self.state.tokens.get(token)
    }

    /// The number a 360dialog key selects.
    pub fn number_for_d360_key(&self, key: &str) -> Option<&PhoneNumberId> {
        self.state.d360_keys.get(key)
    }

    /// The number a Kaleyra SID and key reach.
    pub fn number_for_kaleyra(&self, sid: &str, key: &str) -> Option<&PhoneNumberId> {
        self.state.kaleyra.get(&(sid.to_owned(), key.to_owned()))
    }

    /// The WABA a number belongs to.
    pub fn number_waba(&self, id: &PhoneNumberId) -> Option<WabaId> {
        self.state.numbers.get(id).map(|n| n.waba_id.clone())
    }

    /// A number's spec.
    pub fn number_spec(&self, id: &PhoneNumberId) -> Option<&NumberSpec> {
        self.state.numbers.get(id).map(|n| &n.spec)
    }

    /// A number's commerce settings.
    pub fn settings(&self, id: &PhoneNumberId) -> Option<CommerceSettings> {
        self.state
            .numbers
            .contains_key(id)
            .then(|| self.state.settings.settings(id))
    }

    /// Every customer's WhatsApp id, in order.
    pub fn customer_ids(&self) -> Vec<&WaId> {
        let mut ids: Vec<&WaId> = self.state.customers.keys().collect();
        ids.sort();
        ids
    }

    /// Whether the customer is known.
    pub fn has_customer(&self, wa_id: &WaId) -> bool {
        self.state.customers.contains_key(wa_id)
    }

    /// The customer's devices.
    pub fn devices(&self, wa_id: &WaId) -> Option<&BTreeMap<String, Device>> {
        self.state.customers.get(wa_id).map(|c| &c.devices)
    }
}
