//! Media the business uploaded, to send by id: what the engine knows of each (owner, MIME type,
//! digest, size, name, time). The bytes are not here, nor in the log: the server keeps them in a
//! blob store beside the database, written before [`UploadMedia`] runs and removed after
//! [`DeleteMedia`] is durable.
//!
//! Media expire [`MEDIA_TTL`] after upload, as Meta documents ("persist for 30 days, unless they
//! are deleted earlier"); [`MediaBook::expire`] runs whenever time moves, so the records never
//! outlive that and memory stays bounded by a month of uploads.

use serde::{Deserialize, Serialize};
use wacart_schema::{Content, GraphError, OutboundMessage, PhoneNumberId, WabaId, codes};

use super::media_book::Media;
pub use super::media_book::{MEDIA_TTL, MEDIA_TYPES};
use super::op::Op;
use super::state::State;
use super::{Ack, EngineError, Sandbox};

/// What a caller learns of a media.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MediaInfo {
    /// The media id.
    pub id: String,
    /// The number it was uploaded on.
    pub phone_number_id: PhoneNumberId,
    /// That number's WABA.
    pub waba_id: WabaId,
    /// Its MIME type.
    pub mime_type: String,
    /// Hex SHA-256 of its bytes.
    pub sha256: String,
    /// Its size in bytes.
    pub file_size: u64,
    /// The file name it was uploaded with, if any.
    pub file_name: Option<String>,
    /// Upload time (ms).
    pub created_at: u64,
    /// When it expires (ms).
    pub expires_at: u64,
}

impl From<&Media> for MediaInfo {
    fn from(m: &Media) -> Self {
        MediaInfo {
            id: m.id.clone(),
            phone_number_id: m.number.clone(),
            waba_id: m.waba_id.clone(),
            mime_type: m.mime_type.clone(),
            sha256: m.sha256.clone(),
            file_size: m.file_size,
            file_name: m.file_name.clone(),
            created_at: m.created_at,
            expires_at: m.expires_at(),
        }
    }
}

/// A media, as the upload describes it; its bytes are already in the blob store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NewMedia {
    /// The id the server chose (unique: a taken one is refused).
    pub id: String,
    /// Its MIME type.
    pub mime_type: String,
    /// Hex SHA-256 of its bytes.
    pub sha256: String,
    /// Its size in bytes.
    pub file_size: u64,
    /// The file name of the upload, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
}

impl NewMedia {
    /// A media description.
    pub fn new(
        id: impl Into<String>,
        mime_type: impl Into<String>,
        sha256: impl Into<String>,
        file_size: u64,
        file_name: Option<String>,
    ) -> Self {
        NewMedia {
            id: id.into(),
            mime_type: mime_type.into(),
            sha256: sha256.into(),
            file_size,
            file_name,
        }
    }
}

/// A business number uploads a media.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct UploadMedia {
    number: PhoneNumberId,
    #[serde(flatten)]
    media: NewMedia,
}

impl Op for UploadMedia {
    type Output = ();

    fn exec(&self, state: &mut State, at: u64) -> Result<(), EngineError> {
        let waba_id = state.number(&self.number)?.waba_id.clone();
        let m = &self.media;
        if m.id.is_empty() || m.id.len() > 64 || !m.id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(EngineError::BadRequest(format!(
                "a media id is 1 to 64 digits, not {:?}",
                m.id
            )));
        }
        if state.media.get(&m.id).is_some() {
            return Err(EngineError::Exists(format!("media {}", m.id)));
        }
        state.media.insert(Media {
            id: m.id.clone(),
            number: self.number.clone(),
            waba_id,
            mime_type: m.mime_type.clone(),
            sha256: m.sha256.clone(),
            file_size: m.file_size,
            file_name: m.file_name.clone(),
            created_at: at,
        });
        Ok(())
    }
}

/// A media is deleted: it is unknown from then on.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DeleteMedia {
    id: String,
}

impl Op for DeleteMedia {
    type Output = ();

    fn exec(&self, state: &mut State, _at: u64) -> Result<(), EngineError> {
        state
            .media
            .remove(&self.id)
            .map(drop)
            .ok_or_else(|| EngineError::UnknownMedia(self.id.clone()))
    }
}

/// The error Meta answers for a send naming a media it does not know (observed answers quoted
/// in docs/media.md: `(#100) Param image['id'] is not a valid whatsapp business account media
/// attachment ID`, HTTP 400).
pub(crate) fn invalid_media_id(kind: &str) -> EngineError {
    let details =
        format!("Param {kind}['id'] is not a valid whatsapp business account media attachment ID");
    let mut error = GraphError::new(codes::INVALID_PARAMETER, details.clone(), "wacart-sandbox");
    error.message = format!("(#{}) {details}", codes::INVALID_PARAMETER);
    EngineError::Graph(Box::new(error))
}

/// A send whose image, video, audio, document or sticker names a media by `id` must name one
/// uploaded on the sending number, not deleted and not expired. Sends by `link` are not checked.
pub(crate) fn check_send(
    state: &State,
    number: &PhoneNumberId,
    message: &OutboundMessage,
) -> Result<(), EngineError> {
    let Content::Other { kind, body } = &message.content else {
        return Ok(());
    };
    if !MEDIA_TYPES.contains(&kind.as_str()) {
        return Ok(());
    }
    let Some(id) = body.get("id") else {
        return Ok(());
    };
    let known = id
        .as_str()
        .and_then(|id| state.media.get(id))
        .is_some_and(|m| m.number == *number && m.expires_at() > state.now);
    if known {
        Ok(())
    } else {
        Err(invalid_media_id(kind))
    }
}

impl Sandbox {
    /// Records an uploaded media (its bytes are already stored by the caller).
    ///
    /// # Errors
    /// [`EngineError::UnknownNumber`]; [`EngineError::Exists`] when the id is taken;
    /// [`EngineError::BadRequest`] for an id that is not 1 to 64 digits.
    pub fn upload_media(
        &mut self,
        number: &PhoneNumberId,
        media: NewMedia,
    ) -> Result<Ack<()>, EngineError> {
        self.run(UploadMedia {
            number: number.clone(),
            media,
        })
    }

    /// Deletes a media.
    ///
    /// # Errors
    /// [`EngineError::UnknownMedia`] when there is no such live media.
    pub fn delete_media(&mut self, id: &str) -> Result<Ack<()>, EngineError> {
        if self.media(id).is_none() {
            return Err(EngineError::UnknownMedia(id.to_owned()));
        }
        self.run(DeleteMedia { id: id.to_owned() })
    }

    /// A live media: known, not deleted, not expired by the clock's time.
    pub fn media(&self, id: &str) -> Option<MediaInfo> {
        let now = self.media_now();
        self.state
            .media
            .get(id)
            .filter(|m| m.expires_at() > now)
            .map(MediaInfo::from)
    }

    /// How many media records the state holds (expired ones leave when time next moves).
    pub fn media_count(&self) -> usize {
        self.state.media.len()
    }

    /// The time media expiry is judged at (ms): the clock's, never behind the state's.
    pub fn media_now(&self) -> u64 {
        self.clock.now_millis().max(self.state.now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_invalid_id_error_reads_as_metas() {
        let EngineError::Graph(g) = invalid_media_id("image") else {
            panic!("a Graph error");
        };
        assert_eq!(
            g.message,
            "(#100) Param image['id'] is not a valid whatsapp business account media attachment ID"
        );
        assert_eq!(g.code, 100);
        assert_eq!(g.http_status(), 400);
    }
}
