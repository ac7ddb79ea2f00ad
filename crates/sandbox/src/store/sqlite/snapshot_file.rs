//! Snapshots live in files beside the database (`<database>.snapshots/<seq>-<checksum>`), written by the
//! thread that encoded them; the database keeps a row with the snapshot's sequence number and
//! the checksum of its bytes. Under load a snapshot is megabytes (every status still in flight),
//! and written inside a group commit it held that commit, and every caller waiting on it, for
//! 20–40 ms. Written here, it costs the writer one small row.
//!
//! Order makes it safe: the file is whole (written to a temporary name, synced, renamed) before
//! its row is queued, and files are deleted only once a newer row is committed. A file without
//! a row (a crash between the two) is ignored and deleted with the older ones later.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::checksum::chain_next;
use crate::store::StoreError;

/// The folder of a database's snapshot files.
pub(super) fn dir(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".snapshots");
    PathBuf::from(name)
}

/// The checksum kept in the database for a snapshot's bytes: the log's FNV-1a, seeded with
/// the sequence number, so a file of another snapshot does not pass for this one.
pub(super) fn checksum(seq: u64, bytes: &[u8]) -> u64 {
    chain_next(0, seq, bytes)
}

/// A snapshot's file name: two snapshots of the same record (time moved between them) are two
/// files, so the one a committed row names is never overwritten.
fn name(seq: u64, sum: u64) -> String {
    format!("{seq}-{sum:016x}")
}

fn io_err(what: &str, path: &Path, e: &std::io::Error) -> StoreError {
    StoreError::Database(format!("cannot {what} {}: {e}", path.display()))
}

/// Writes a snapshot's file whole, synced to disk when `sync` is set, and answers its checksum.
///
/// # Errors
/// [`StoreError::Database`] when the file cannot be written.
pub(super) fn write(dir: &Path, seq: u64, bytes: &[u8], sync: bool) -> Result<u64, StoreError> {
    std::fs::create_dir_all(dir).map_err(|e| io_err("create", dir, &e))?;
    let sum = checksum(seq, bytes);
    let path = dir.join(name(seq, sum));
    let partial = dir.join(format!("{}.partial", name(seq, sum)));
    let mut file = std::fs::File::create(&partial).map_err(|e| io_err("create", &partial, &e))?;
    file.write_all(bytes)
        .and_then(|()| if sync { file.sync_all() } else { Ok(()) })
        .map_err(|e| io_err("write", &partial, &e))?;
    drop(file);
    std::fs::rename(&partial, &path).map_err(|e| io_err("rename", &partial, &e))?;
    if sync {
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| io_err("sync", dir, &e))?;
    }
    Ok(sum)
}

/// Reads a snapshot's file and checks it against the checksum its row keeps.
///
/// # Errors
/// [`StoreError::Corrupt`] when the file is missing, unreadable or not the one the row names.
pub(super) fn read(dir: &Path, seq: u64, sum: u64) -> Result<Vec<u8>, StoreError> {
    let path = dir.join(name(seq, sum));
    let corrupt = |reason: String| StoreError::Corrupt { seq, reason };
    let bytes = std::fs::read(&path).map_err(|e| {
        corrupt(format!(
            "its snapshot {} cannot be read ({e}); the snapshot files travel with the database",
            path.display()
        ))
    })?;
    if checksum(seq, &bytes) != sum {
        return Err(corrupt(format!(
            "its snapshot {} does not match the checksum the database keeps: it was changed",
            path.display()
        )));
    }
    Ok(bytes)
}

/// Deletes the snapshot files (whole or partial) older than `seq`, the one now committed.
/// Best effort: a file left behind is only space, deleted by a later call.
pub(super) fn remove_older(dir: &Path, seq: u64) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let number = name.to_str().and_then(|n| n.split('-').next());
        if number
            .and_then(|n| n.parse::<u64>().ok())
            .is_some_and(|s| s < seq)
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_reads_back_only_with_its_own_checksum_and_older_files_go() {
        let dir = std::env::temp_dir().join(format!("wacart-snapfile-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let sum = write(&dir, 7, b"{\"state\":1}", true).unwrap();
        assert_eq!(read(&dir, 7, sum).unwrap(), b"{\"state\":1}");
        // The same bytes under another sequence number are another snapshot.
        assert_ne!(checksum(8, b"{\"state\":1}"), sum);
        // Another snapshot of the same record is another file: the first still reads.
        let later = write(&dir, 7, b"{\"state\":2}", true).unwrap();
        assert_eq!(read(&dir, 7, sum).unwrap(), b"{\"state\":1}");
        assert_eq!(read(&dir, 7, later).unwrap(), b"{\"state\":2}");
        std::fs::write(dir.join(name(7, sum)), b"{\"state\":3}").unwrap();
        assert!(matches!(
            read(&dir, 7, sum),
            Err(StoreError::Corrupt { seq: 7, .. })
        ));
        assert!(matches!(
            read(&dir, 9, sum),
            Err(StoreError::Corrupt { seq: 9, .. })
        ));
        let newest = write(&dir, 12, b"{}", false).unwrap();
        std::fs::write(dir.join("10-00.partial"), b"{").unwrap();
        remove_older(&dir, 12);
        let mut left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, [name(12, newest)]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
