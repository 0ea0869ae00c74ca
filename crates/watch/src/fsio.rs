//! Durable file operations: atomic replace, fsync of folders, append at a known offset.

use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

use crate::error::WatchError;

/// Makes a folder's entries (creations, renames) durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), WatchError> {
    let f = std::fs::File::open(dir).map_err(WatchError::io("opening folder to sync", dir))?;
    f.sync_all().map_err(WatchError::io("syncing folder", dir))
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, fsynced, renamed
/// over `path`. A reader sees the old file or the new one, never a part. The caller syncs the
/// folder (once for many files).
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WatchError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    {
        let mut f = std::fs::File::create(&tmp).map_err(WatchError::io("creating", &tmp))?;
        f.write_all(bytes)
            .map_err(WatchError::io("writing", &tmp))?;
        f.sync_all().map_err(WatchError::io("syncing", &tmp))?;
    }
    std::fs::rename(&tmp, path).map_err(WatchError::io("renaming into place", path))
}

/// Brings `path` to exactly `end` bytes (cutting off the remains of an append that was cut
/// short), then writes `bytes` there and fsyncs. Returns the new length.
///
/// # Errors
/// [`WatchError::Inconsistent`] when the file is shorter than `end`: lines the journal vouches
/// for are missing.
pub(crate) fn append_at(path: &Path, end: u64, bytes: &[u8]) -> Result<u64, WatchError> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(path)
        .map_err(WatchError::io("opening", path))?;
    let len = f
        .metadata()
        .map_err(WatchError::io("reading the size of", path))?
        .len();
    if len < end {
        return Err(WatchError::Inconsistent {
            path: path.to_owned(),
            reason: format!(
                "{len} bytes, but the journal has {end} bytes of lines in it \
                 (truncated or replaced?)"
            ),
        });
    }
    if len > end {
        f.set_len(end)
            .map_err(WatchError::io("cutting an unfinished append from", path))?;
    }
    f.seek(SeekFrom::Start(end))
        .map_err(WatchError::io("seeking in", path))?;
    f.write_all(bytes)
        .map_err(WatchError::io("appending to", path))?;
    f.sync_all().map_err(WatchError::io("syncing", path))?;
    Ok(end + bytes.len() as u64)
}
