//! The log format. Every accepted change is one [`Command`], appended to the store as a
//! [`Record`] with its time; opening a store replays them.
//!
//! Each command family owns its arguments, its execution and its typed answer through [`Op`];
//! this enum only names them for the log. Field names are the log's format: renaming one makes
//! older databases unreadable.

use serde::{Deserialize, Serialize};

use super::EngineError;
use super::carts::{AddCartItem, SendCart, SetCartItem, ViewCart};
use super::catalogs::{CatalogBatch, ImportFeed, UpdateSettings};
use super::customer::{CustomerSend, React, Tap};
use super::deliveries::{AttemptOne, Attempts, Redeliver};
use super::kaleyra::{DropProfile, KaleyraSend, NotSent, PutProfile, SetAccount, SetNumber};
use super::media::{DeleteMedia, UploadMedia};
use super::messages::{CustomerText, Forward, SendMessage};
use super::op::Op;
use super::state::State;
use super::templates::{CreateTemplate, DeleteTemplate, EditTemplate, ReviewTemplate};
use super::tenants::{AddCustomer, Configure, CreateTenant, SetCallback, SetDevice, SetProfile};
use super::threads::{MarkRead, ViewThread};

/// What the engine logs: a command and its time.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Record {
    pub(crate) at: u64,
    #[serde(flatten)]
    pub(crate) command: Command,
}

macro_rules! commands {
    ($($variant:ident($op:ty)),* $(,)?) => {
        /// Every command, as logged: each variant is one operation's arguments.
        #[derive(Debug, Serialize, Deserialize)]
        #[serde(tag = "op", rename_all = "snake_case")]
        pub(crate) enum Command {
            $($variant($op),)*
        }

        $(impl From<$op> for Command {
            fn from(op: $op) -> Self {
                Command::$variant(op)
            }
        })*

        impl Command {
            /// Runs a logged command again at its time, its answer dropped.
            pub(crate) fn replay(&self, state: &mut State, at: u64) -> Result<(), EngineError> {
                state.advance_to(at);
                match self {
                    $(Command::$variant(op) => op.exec(state, at).map(drop),)*
                }
            }
        }
    };
}

// The one list of commands: the variant names are the log's `op` values (snake_case).
commands!(
    Configure(Configure),
    CreateTenant(CreateTenant),
    SetCallback(SetCallback),
    AddCustomer(AddCustomer),
    SetDevice(SetDevice),
    Send(SendMessage),
    CustomerText(CustomerText),
    ViewThread(ViewThread),
    SetCartItem(SetCartItem),
    AddCartItem(AddCartItem),
    ViewCart(ViewCart),
    SendCart(SendCart),
    Forward(Forward),
    CatalogBatch(CatalogBatch),
    ImportFeed(ImportFeed),
    UpdateSettings(UpdateSettings),
    Attempt(AttemptOne),
    Attempts(Attempts),
    Redeliver(Redeliver),
    MarkRead(MarkRead),
    CustomerSend(CustomerSend),
    Tap(Tap),
    React(React),
    SetProfile(SetProfile),
    UploadMedia(UploadMedia),
    DeleteMedia(DeleteMedia),
    KaleyraProfile(PutProfile),
    KaleyraDropProfile(DropProfile),
    KaleyraAccount(SetAccount),
    KaleyraNumber(SetNumber),
    KaleyraSend(KaleyraSend),
    KaleyraNotSent(NotSent),
    CreateTemplate(CreateTemplate),
    EditTemplate(EditTemplate),
    DeleteTemplate(DeleteTemplate),
    ReviewTemplate(ReviewTemplate),
);
