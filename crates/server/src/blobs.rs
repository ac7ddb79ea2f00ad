//! The bytes of uploaded media, outside the engine and its log: one file per media id in a
//! directory beside the SQLite database (`<db>.media/`), or a map in memory with a cap on its
//! total size for `--memory`.
//!
//! A file is written to a temporary name, fsynced, renamed to the media id and the directory
//! fsynced, all before the upload's command runs; it is removed once the delete's command is
//! durable. Bytes whose media the engine no longer knows (an upload refused after its bytes were
//! written, a crash between the two, a media expired after 30 days) are swept: at start-up, and
//! by the server every few minutes for blobs older than [`SWEEP_AGE`].

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use axum::body::Bytes;

/// Default cap on the bytes the in-memory store holds (`--memory`).
pub const MEMORY_CAP: u64 = 256 * 1024 * 1024;

/// A blob is swept only once it is this old, so an upload whose command has yet to run keeps
/// its bytes.
pub(crate) const SWEEP_AGE: Duration = Duration::from_secs(10 * 60);

/// Why bytes could not be stored.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BlobError {
    /// The in-memory store would pass its cap.
    #[error("the in-memory media store is full ({used} of {cap} bytes used)")]
    Full {
        /// Bytes held.
        used: u64,
        /// The cap.
        cap: u64,
    },
    /// The file system failed.
    #[error("the media store failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Where media bytes live.
pub struct MediaStore {
    kind: Kind,
}

enum Kind {
    Dir(PathBuf),
    Memory { cap: u64, blobs: Mutex<MemoryBlobs> },
}

#[derive(Default)]
struct MemoryBlobs {
    used: u64,
    by_id: HashMap<String, (Bytes, SystemTime)>,
}

impl std::fmt::Debug for MediaStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            Kind::Dir(p) => write!(f, "MediaStore::Dir({})", p.display()),
            Kind::Memory { cap, .. } => write!(f, "MediaStore::Memory(cap {cap})"),
        }
    }
}

/// A media id is digits only (the server makes them): never a path.
fn safe_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_digit())
}

impl MediaStore {
    /// Media bytes in memory, at most `cap` bytes in all.
    pub fn memory(cap: u64) -> Self {
        MediaStore {
            kind: Kind::Memory {
                cap,
                blobs: Mutex::new(MemoryBlobs::default()),
            },
        }
    }

    /// Media bytes in `dir` (created when missing).
    ///
    /// # Errors
    /// When the directory cannot be created.
    pub fn dir(dir: impl Into<PathBuf>) -> std::io::Result<Self> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        Ok(MediaStore {
            kind: Kind::Dir(dir),
        })
    }

    /// The directory beside a database file: `<db>.media`.
    pub fn beside(db: &Path) -> PathBuf {
        let mut name = db.as_os_str().to_owned();
        name.push(".media");
        PathBuf::from(name)
    }

    /// Stores `bytes` as media `id`, durably (on disk: written, fsynced, renamed, the directory
    /// fsynced).
    pub(crate) async fn put(&self, id: &str, bytes: Bytes) -> Result<(), BlobError> {
        if !safe_id(id) {
            return Err(BlobError::Io(std::io::Error::other("not a media id")));
        }
        match &self.kind {
            Kind::Memory { cap, blobs } => {
                let mut b = blobs.lock().unwrap_or_else(PoisonError::into_inner);
                let size = bytes.len() as u64;
                if b.used.saturating_add(size) > *cap {
                    return Err(BlobError::Full {
                        used: b.used,
                        cap: *cap,
                    });
                }
                b.used += size;
                if let Some((old, _)) = b.by_id.insert(id.to_owned(), (bytes, SystemTime::now())) {
                    b.used -= old.len() as u64;
                }
                Ok(())
            }
            Kind::Dir(dir) => {
                let (dir, id) = (dir.clone(), id.to_owned());
                tokio::task::spawn_blocking(move || write_durably(&dir, &id, &bytes))
                    .await
                    .map_err(|e| BlobError::Io(std::io::Error::other(e.to_string())))?
                    .map_err(BlobError::Io)
            }
        }
    }

    /// The bytes of media `id`, if stored.
    pub(crate) async fn get(&self, id: &str) -> std::io::Result<Option<Bytes>> {
        if !safe_id(id) {
            return Ok(None);
        }
        match &self.kind {
            Kind::Memory { blobs, .. } => Ok(blobs
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .by_id
                .get(id)
                .map(|(b, _)| b.clone())),
            Kind::Dir(dir) => {
                let path = dir.join(id);
                tokio::task::spawn_blocking(move || match std::fs::read(&path) {
                    Ok(b) => Ok(Some(Bytes::from(b))),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(e),
                })
                .await
                .map_err(|e| std::io::Error::other(e.to_string()))?
            }
        }
    }

    /// Removes media `id`'s bytes (nothing when absent).
    pub(crate) fn remove(&self, id: &str) -> std::io::Result<()> {
        if !safe_id(id) {
            return Ok(());
        }
        match &self.kind {
            Kind::Memory { blobs, .. } => {
                let mut b = blobs.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some((old, _)) = b.by_id.remove(id) {
                    b.used -= old.len() as u64;
                }
                Ok(())
            }
            Kind::Dir(dir) => match std::fs::remove_file(dir.join(id)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            },
        }
    }

    /// Removes every blob older than `age` whose media `live` does not know, and temporary
    /// files older than `age`; answers how many went. Blocking (file system).
    pub(crate) fn sweep(&self, age: Duration, live: impl Fn(&str) -> bool) -> usize {
        let old = |at: SystemTime| SystemTime::now().duration_since(at).unwrap_or_default() >= age;
        match &self.kind {
            Kind::Memory { blobs, .. } => {
                let mut b = blobs.lock().unwrap_or_else(PoisonError::into_inner);
                let gone: Vec<String> = b
                    .by_id
                    .iter()
                    .filter(|(id, (_, at))| old(*at) && !live(id))
                    .map(|(id, _)| id.clone())
                    .collect();
                for id in &gone {
                    if let Some((bytes, _)) = b.by_id.remove(id) {
                        b.used -= bytes.len() as u64;
                    }
                }
                gone.len()
            }
            Kind::Dir(dir) => {
                let Ok(entries) = std::fs::read_dir(dir) else {
                    return 0;
                };
                let mut gone = 0;
                for entry in entries.flatten() {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    let temp = name.starts_with(".tmp-");
                    if !temp && (!safe_id(&name) || live(&name)) {
                        continue;
                    }
                    let modified = entry
                        .metadata()
                        .and_then(|m| m.modified())
                        .unwrap_or_else(|_| SystemTime::now());
                    if old(modified) && std::fs::remove_file(entry.path()).is_ok() {
                        gone += 1;
                    }
                }
                gone
            }
        }
    }

    /// Bytes held in memory (0 on disk).
    pub fn memory_used(&self) -> u64 {
        match &self.kind {
            Kind::Memory { blobs, .. } => blobs.lock().unwrap_or_else(PoisonError::into_inner).used,
            Kind::Dir(_) => 0,
        }
    }
}

/// Temporary file, fsync, rename over the id, fsync of the directory: after this returns, the
/// bytes survive a crash under their final name, or the file is not there at all.
fn write_durably(dir: &Path, id: &str, bytes: &[u8]) -> std::io::Result<()> {
    let temp = dir.join(format!(".tmp-{id}"));
    let mut file = std::fs::File::create(&temp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&temp, dir.join(id))?;
    // The rename is durable once the directory is (Unix; elsewhere opening a directory fails and
    // the rename is as durable as the platform makes it).
    if let Ok(d) = std::fs::File::open(dir) {
        d.sync_all()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn memory_keeps_bytes_under_its_cap_and_counts_them_back() {
        runtime().block_on(async {
            let store = MediaStore::memory(10);
            store.put("1", Bytes::from_static(b"123456")).await.unwrap();
            let full = store.put("2", Bytes::from_static(b"12345")).await;
            assert!(matches!(full, Err(BlobError::Full { used: 6, cap: 10 })));
            assert_eq!(store.get("1").await.unwrap().unwrap(), &b"123456"[..]);
            store.remove("1").unwrap();
            assert_eq!(store.memory_used(), 0);
            store.put("2", Bytes::from_static(b"12345")).await.unwrap();
            assert_eq!(store.sweep(Duration::ZERO, |id| id == "2"), 0);
            assert_eq!(store.sweep(Duration::ZERO, |_| false), 1);
            assert_eq!(store.memory_used(), 0);
        });
    }

    #[test]
    fn files_are_written_whole_read_back_swept_and_ids_are_never_paths() {
        let dir = std::env::temp_dir().join(format!("wacart-blobs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        runtime().block_on(async {
            let store = MediaStore::dir(&dir).unwrap();
            store.put("42", Bytes::from_static(b"bytes")).await.unwrap();
            assert_eq!(std::fs::read(dir.join("42")).unwrap(), b"bytes");
            assert!(!dir.join(".tmp-42").exists());
            assert_eq!(store.get("42").await.unwrap().unwrap(), &b"bytes"[..]);
            assert!(store.get("43").await.unwrap().is_none());
            assert!(store.get("../etc/passwd").await.unwrap().is_none());
            assert!(store.put("../x", Bytes::new()).await.is_err());
            std::fs::write(dir.join(".tmp-7"), b"half").unwrap();
            std::fs::write(dir.join("notes.txt"), b"not ours").unwrap();
            // Young blobs stay; old unknown ones and temporary files go; other files stay.
            assert_eq!(store.sweep(Duration::from_secs(3600), |_| false), 0);
            assert_eq!(store.sweep(Duration::ZERO, |id| id == "42"), 1);
            assert!(dir.join("42").exists() && dir.join("notes.txt").exists());
            store.remove("42").unwrap();
            store.remove("42").unwrap();
            assert!(!dir.join("42").exists());
        });
        let _ = std::fs::remove_dir_all(&dir);
    }
}
