//! Snapshots: the state as one document, so opening loads it and replays only the commands
//! logged after it. Maps are written as sorted pairs, so two equal states give equal bytes;
//! lookups that follow from other fields (credentials, the message index, parked WABAs) are
//! rebuilt on load rather than written.

use serde::{Deserialize, Serialize};
use wacart_catalog::{Carts, Catalog, SettingsBook};
use wacart_schema::{CatalogId, MessageId, PhoneNumberId, StatusKind, WaId};

use super::media_book::{Media, MediaBook};
use super::state::{Customer, Number, Outbox, State, Thread, ThreadKey, Waiting};
use super::template_book::{Template, TemplateBook};
use crate::model::{Config, TenantSpec};

/// Bumped when the document changes shape; an unknown version is refused.
const VERSION: u32 = 1;

/// A scheduled status, borrowed.
type ScheduledRef<'a> = (&'a (u64, u64), &'a (MessageId, StatusKind));
/// A scheduled status: (due, sequence) and (message, status).
type Scheduled = ((u64, u64), (MessageId, StatusKind));

#[derive(Serialize)]
struct ImageRef<'a> {
    version: u32,
    config: &'a Config,
    tenants: Vec<&'a TenantSpec>,
    numbers: Vec<(&'a PhoneNumberId, &'a Number)>,
    catalogs: Vec<(&'a CatalogId, &'a Catalog)>,
    settings: &'a SettingsBook,
    customers: Vec<(&'a WaId, &'a Customer)>,
    threads: Vec<(&'a ThreadKey, &'a Thread)>,
    waiting: Vec<(&'a MessageId, &'a Waiting)>,
    carts: &'a Carts,
    pair_tat: Vec<(&'a ThreadKey, &'a u64)>,
    scheduled: Vec<ScheduledRef<'a>>,
    outbox: &'a Outbox,
    /// Uploaded media, by id; absent before media were kept.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    media: Vec<&'a Media>,
    /// Kaleyra accounts by SID; absent before they were kept.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    kaleyra_accounts: &'a std::collections::BTreeMap<String, super::kaleyra_book::Account>,
    /// Message templates, by id; absent before templates were kept.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    templates: Vec<&'a Template>,
    counter: u64,
    now: u64,
}

#[derive(Deserialize)]
struct Image {
    version: u32,
    config: Config,
    tenants: Vec<TenantSpec>,
    numbers: Vec<(PhoneNumberId, Number)>,
    catalogs: Vec<(CatalogId, Catalog)>,
    settings: SettingsBook,
    customers: Vec<(WaId, Customer)>,
    threads: Vec<(ThreadKey, Thread)>,
    waiting: Vec<(MessageId, Waiting)>,
    carts: Carts,
    pair_tat: Vec<(ThreadKey, u64)>,
    scheduled: Vec<Scheduled>,
    outbox: Outbox,
    #[serde(default)]
    media: Vec<Media>,
    #[serde(default)]
    kaleyra_accounts: std::collections::BTreeMap<String, super::kaleyra_book::Account>,
    #[serde(default)]
    templates: Vec<Template>,
    counter: u64,
    now: u64,
}

fn sorted<'a, K, V, O: Ord>(
    map: impl Iterator<Item = (&'a K, &'a V)>,
    key: impl Fn(&'a K) -> O,
) -> Vec<(&'a K, &'a V)>
where
    K: 'a,
    V: 'a,
{
    let mut v: Vec<_> = map.collect();
    // Keys borrow from the map: sorting tens of thousands of statuses in flight allocates
    // nothing beyond this vector.
    v.sort_by_key(|(k, _)| key(k));
    v
}

/// A thread's key as the snapshot orders it.
fn thread_key(k: &ThreadKey) -> (&str, &str) {
    (k.0.as_str(), k.1.as_str())
}

/// The state as a snapshot document, written into a buffer of `capacity` bytes to begin with
/// (the previous snapshot's size: one allocation instead of a chain of doublings, each a
/// transient copy the allocator keeps for a while).
pub(crate) fn encode(state: &State, capacity: usize) -> Result<Vec<u8>, serde_json::Error> {
    let mut tenants: Vec<&TenantSpec> = state.tenants.values().collect();
    tenants.sort_by(|a, b| a.waba_id.as_str().cmp(b.waba_id.as_str()));
    let image = ImageRef {
        version: VERSION,
        config: &state.config,
        tenants,
        numbers: sorted(state.numbers.iter(), |k| k.as_str()),
        catalogs: sorted(state.catalogs.iter(), |k| k.as_str()),
        settings: &state.settings,
        customers: sorted(state.customers.iter(), |k| k.as_str()),
        threads: sorted(state.threads.iter(), thread_key),
        waiting: sorted(state.waiting.iter(), |k| k.as_str()),
        carts: &state.carts,
        pair_tat: sorted(state.pair_tat.iter(), thread_key),
        scheduled: state.scheduled.iter().collect(),
        outbox: &state.outbox,
        media: state.media.sorted(),
        kaleyra_accounts: &state.kaleyra_accounts,
        templates: state.templates.sorted(),
        counter: state.counter,
        now: state.now,
    };
    let mut out = Vec::with_capacity(capacity);
    serde_json::to_writer(&mut out, &image)?;
    Ok(out)
}

/// A state from a snapshot document.
pub(crate) fn decode(bytes: &[u8]) -> Result<State, String> {
    let image: Image = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if image.version != VERSION {
        return Err(format!(
            "snapshot version {} is not {VERSION}: written by another wacart",
            image.version
        ));
    }
    let mut state = State::new();
    state.config = image.config;
    for t in image.tenants {
        if t.app.callback_url.is_none() {
            state.outbox.parked.insert(t.waba_id.clone());
        }
        state.tenants.insert(t.waba_id.clone(), t);
    }
    for (id, n) in image.numbers {
        for token in &n.spec.tokens {
            state.tokens.insert(token.expose().to_owned(), id.clone());
        }
        if let Some(k) = &n.spec.d360_key {
            state.d360_keys.insert(k.expose().to_owned(), id.clone());
        }
        if let Some((sid, key)) = &n.spec.kaleyra {
            state
                .kaleyra
                .insert((sid.clone(), key.expose().to_owned()), id.clone());
        }
        state.numbers.insert(id, n);
    }
    state.catalogs = image.catalogs.into_iter().collect();
    state.settings = image.settings;
    state.customers = image.customers.into_iter().collect();
    for (key, thread) in image.threads {
        for (i, e) in thread.entries.iter().enumerate() {
            state
                .messages
                .insert(e.id().clone(), (key.clone(), thread.base + i as u64));
        }
        state.threads.insert(key, thread);
    }
    state.waiting = image.waiting.into_iter().collect();
    state.carts = image.carts;
    state.pair_tat = image.pair_tat.into_iter().collect();
    state.scheduled = image.scheduled.into_iter().collect();
    let parked = std::mem::take(&mut state.outbox.parked);
    state.outbox = image.outbox;
    state.outbox.parked = parked;
    state.media = MediaBook::from_records(image.media);
    state.kaleyra_accounts = image.kaleyra_accounts;
    state.templates = TemplateBook::from_records(image.templates);
    state.counter = image.counter;
    state.now = image.now;
    Ok(state)
}
