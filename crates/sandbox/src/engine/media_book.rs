//! The media records the state holds: by id, with an index by expiry. Plain data, so the state
//! can hold it without depending on the media commands (`media.rs`) that change it.

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use wacart_schema::{PhoneNumberId, WabaId};

use crate::clock::DAY;

/// How long an uploaded media lives (ms): 30 days.
pub const MEDIA_TTL: u64 = 30 * DAY;

/// Message types whose object may name an uploaded media by `id`.
pub const MEDIA_TYPES: [&str; 5] = ["image", "video", "audio", "document", "sticker"];

/// A media record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Media {
    pub(crate) id: String,
    /// The number it was uploaded on.
    pub(crate) number: PhoneNumberId,
    pub(crate) waba_id: WabaId,
    pub(crate) mime_type: String,
    /// Hex SHA-256 of the bytes.
    pub(crate) sha256: String,
    pub(crate) file_size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) file_name: Option<String>,
    /// Upload time (ms).
    pub(crate) created_at: u64,
}

impl Media {
    pub(crate) fn expires_at(&self) -> u64 {
        self.created_at.saturating_add(MEDIA_TTL)
    }
}

/// The live media, by id, with an index by expiry so time moving costs only what expires.
#[derive(Clone, Debug, Default)]
pub(crate) struct MediaBook {
    by_id: HashMap<String, Media>,
    expiry: BTreeSet<(u64, String)>,
}

impl MediaBook {
    pub(crate) fn insert(&mut self, media: Media) {
        self.expiry.insert((media.expires_at(), media.id.clone()));
        self.by_id.insert(media.id.clone(), media);
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<Media> {
        let media = self.by_id.remove(id)?;
        self.expiry.remove(&(media.expires_at(), media.id.clone()));
        Some(media)
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Media> {
        self.by_id.get(id)
    }

    /// Forgets every media expired at `at`.
    pub(crate) fn expire(&mut self, at: u64) {
        while let Some((due, _)) = self.expiry.first() {
            if *due > at {
                break;
            }
            if let Some((_, id)) = self.expiry.pop_first() {
                self.by_id.remove(&id);
            }
        }
    }

    /// Every record, by id (the snapshot's order).
    pub(crate) fn sorted(&self) -> Vec<&Media> {
        let mut v: Vec<&Media> = self.by_id.values().collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    }

    /// A book of these records (from a snapshot).
    pub(crate) fn from_records(records: Vec<Media>) -> Self {
        let mut book = MediaBook::default();
        for m in records {
            book.insert(m);
        }
        book
    }

    pub(crate) fn len(&self) -> usize {
        self.by_id.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn media(id: &str, at: u64) -> Media {
        Media {
            id: id.to_owned(),
            number: PhoneNumberId::new("1"),
            waba_id: WabaId::new("2"),
            mime_type: "image/png".to_owned(),
            sha256: "00".to_owned(),
            file_size: 1,
            file_name: None,
            created_at: at,
        }
    }

    #[test]
    fn media_expire_thirty_days_after_upload_and_the_index_follows() {
        let mut book = MediaBook::default();
        book.insert(media("1", 0));
        book.insert(media("2", 10));
        book.expire(MEDIA_TTL - 1);
        assert_eq!(book.len(), 2);
        book.expire(MEDIA_TTL);
        assert_eq!(book.len(), 1);
        assert!(book.get("1").is_none());
        assert!(book.remove("2").is_some());
        assert!(book.expiry.is_empty() && book.by_id.is_empty());
    }
}
