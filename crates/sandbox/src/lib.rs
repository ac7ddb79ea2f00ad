#![doc = include_str!("../README.md")]

mod bsuid;
pub mod clock;
mod engine;
mod model;
mod shared;
mod store;
mod webhooks;

pub use clock::{Clock, ManualClock};
pub use engine::{
    Ack, BatchOutcome, CartItemView, CartSnapshot, ChatView, CustomerInput, Door, EngineError,
    MEDIA_TTL, MEDIA_TYPES, MediaInfo, MessageView, NewMedia, ProductView, Sandbox, SectionView,
    Sent, THREAD_PAGE, TYPING_FOR, ThreadStatus, Upkeep, WINDOW,
};
pub use model::{
    AppSpec, CURRENT_APP_VERSION, Config, Credential, CustomerSpec, Device, NumberSpec, Platform,
    TenantSpec, WindowMode,
};
pub use shared::SharedSandbox;
pub use store::{
    Durability, Durable, Effect, EntryRow, MemoryStore, Opened, SqliteStore, Store, StoreError,
};
pub use webhooks::{Attempt, Delivery, DeliveryState};
