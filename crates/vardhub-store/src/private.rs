//! Files and folders the hub creates are private to the user that runs it: folders 0700, files
//! 0600, whatever the process umask (the binary also sets a umask of 077; a library cannot rely on
//! it). SQLite creates the catalogue's `-wal` and `-shm` with the mode of the catalogue itself, so
//! creating the catalogue file 0600 first is enough for all three.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

/// Mode of every folder the hub creates.
pub const DIR_MODE: u32 = 0o700;
/// Mode of every file the hub creates.
pub const FILE_MODE: u32 = 0o600;

/// Create `path` and any missing parents, each with mode 0700.
pub fn create_dir_all(path: &Path) -> std::io::Result<()> {
    DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(path)
}

/// Create (or truncate) a file with mode 0600 for writing.
pub fn create_file(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(FILE_MODE)
        .open(path)
}

/// Create a file that must not exist yet, with mode 0600.
pub fn create_new_file(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .open(path)
}

/// Open a file for appending, creating it with mode 0600.
pub fn append_file(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .append(true)
        .create(true)
        .mode(FILE_MODE)
        .open(path)
}

/// Write `bytes` to a new or truncated file with mode 0600.
pub fn write_file(path: &Path, bytes: impl AsRef<[u8]>) -> std::io::Result<()> {
    create_file(path)?.write_all(bytes.as_ref())
}

/// Whether group or others may read, write or enter `path` (its mode has any of 0o077).
pub fn is_shared(path: &Path) -> std::io::Result<Option<u32>> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
    Ok((mode & 0o077 != 0).then_some(mode))
}
