#![doc = include_str!("../README.md")]

mod bsuid;
pub mod callbacks;
pub mod clock;
mod engine;
mod model;
mod shared;
mod store;
mod webhooks;

pub use clock::{Clock, ManualClock};
pub use engine::{
    AccountSettings, AccountView, Ack, BatchOutcome, Billing, CartItemView, CartSnapshot, ChatView,
    CustomerInput, Door, EngineError, KALEYRA_API_VERSION, KaleyraMeta, KaleyraRefusal, MEDIA_TTL,
    MEDIA_TYPES, MediaInfo, MessageView, NewMedia, NumberSettings, ProductView, Sandbox,
    SectionView, Sent, THREAD_PAGE, TYPING_FOR, ThreadStatus, Upkeep, WINDOW,
};
pub use engine::{
    ButtonView, CATALOG_LINK_PREFIX, CardView, OpenedView, TEMPLATE_STATUS_FIELD, TemplateFilter,
    TemplateInfo, TemplateView,
};
pub use model::{
    AppSpec, CURRENT_APP_VERSION, Config, Credential, CustomerSpec, Device, NumberSpec, Platform,
    TenantSpec, WindowMode,
};
pub use shared::SharedSandbox;
pub use store::{
    Durability, Durable, Effect, EntryRow, MemoryStore, Opened, SqliteStore, Store, StoreError,
};
pub use webhooks::{Attempt, Delivery, DeliveryState, NewWebhook, StatusSpec, WebhookBody};
