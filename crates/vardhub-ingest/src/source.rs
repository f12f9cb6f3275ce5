//! Where a delivery's bytes come from: a folder or a zip file holding `manifest.json` and data files.
//! Files are streamed; each read also hashes the bytes (checked against the manifest) and reports
//! progress.
//!
//! Nothing outside the delivery is ever opened: names with `..`, absolute names, symbolic links,
//! fifos and devices are refused before anything is opened, and every read from a zip entry goes
//! through a counting reader that stops at a bound ([`crate::bounds`]) whatever the entry's header
//! claims.

use crate::bounds::{BoundedReader, zip_entry_bound};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Component, Path, PathBuf};
use vardhub_domain::manifest::{MANIFEST_FILE, MAX_MANIFEST_BYTES};

/// Progress of reading, in bytes.
pub trait Progress: Send + Sync {
    /// A new file of `bytes` bytes is started.
    fn start_file(&self, name: &str, bytes: u64);
    /// `bytes` more bytes were read.
    fn advance(&self, bytes: u64);
}

/// Progress that shows nothing.
#[derive(Debug, Default)]
pub struct NoProgress;
impl Progress for NoProgress {
    fn start_file(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
}

/// Why a named file of a delivery cannot be read (the sender must act).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileProblem {
    /// The name points outside the delivery (`..`, an absolute path, a drive letter).
    #[error("the path points outside the delivery")]
    OutsideDelivery,
    /// No such file in the delivery.
    #[error("the file is missing from the delivery")]
    Missing,
    /// A symbolic link, fifo, device, socket or directory: refused unopened.
    #[error("not a regular file ({0}); deliver the file itself")]
    NotRegular(&'static str),
}

/// A delivery on disk.
#[derive(Debug)]
pub enum DeliverySource {
    /// A folder.
    Folder(PathBuf),
    /// A zip file.
    Zip(PathBuf),
}

impl DeliverySource {
    /// Recognise a folder or a `.zip` file.
    pub fn open(path: &Path) -> io::Result<DeliverySource> {
        let meta = std::fs::metadata(path)?;
        if meta.is_dir() {
            Ok(DeliverySource::Folder(path.to_owned()))
        } else {
            Ok(DeliverySource::Zip(path.to_owned()))
        }
    }

    /// The path given.
    pub fn path(&self) -> &Path {
        match self {
            DeliverySource::Folder(p) | DeliverySource::Zip(p) => p,
        }
    }

    /// The manifest's raw bytes, at most [`MAX_MANIFEST_BYTES`] (a larger manifest is an error
    /// for which [`crate::bounds::exceeded`] answers the bound).
    pub fn manifest_bytes(&self) -> io::Result<Vec<u8>> {
        let mut buf = Vec::new();
        self.with_file(MANIFEST_FILE, MAX_MANIFEST_BYTES, &NoProgress, |r| {
            BoundedReader::new(r, MAX_MANIFEST_BYTES)
                .read_to_end(&mut buf)
                .map(|_| ())
        })?;
        Ok(buf)
    }

    /// Can `name` be read: inside the delivery, present and a regular file?
    pub fn check(&self, name: &str) -> Result<(), FileProblem> {
        if !is_safe_name(name) {
            return Err(FileProblem::OutsideDelivery);
        }
        match self {
            DeliverySource::Folder(dir) => check_in_folder(dir, name),
            DeliverySource::Zip(zip) => {
                let mut archive = File::open(zip)
                    .ok()
                    .and_then(|f| zip::ZipArchive::new(f).ok())
                    .ok_or(FileProblem::Missing)?;
                let entry = archive.by_name(name).map_err(|_| FileProblem::Missing)?;
                if entry.is_symlink() {
                    Err(FileProblem::NotRegular("symbolic link"))
                } else if entry.is_dir() {
                    Err(FileProblem::NotRegular("directory"))
                } else {
                    Ok(())
                }
            }
        }
    }

    /// Does the delivery contain `name` as a readable regular file?
    pub fn contains(&self, name: &str) -> bool {
        self.check(name).is_ok()
    }

    /// Every file of the delivery (relative names with `/`, in sorted order) except the manifest
    /// and those in `listed`; at most `limit` names, plus how many more there were. Folders are
    /// walked without following symbolic links.
    pub fn unlisted(&self, listed: &[&str], limit: usize) -> io::Result<(Vec<String>, u64)> {
        let mut all = Vec::new();
        match self {
            DeliverySource::Folder(dir) => walk(dir, "", &mut all, 0)?,
            DeliverySource::Zip(zip) => {
                let archive = zip::ZipArchive::new(File::open(zip)?).map_err(io::Error::other)?;
                all.extend(
                    archive
                        .file_names()
                        .filter_map(Result::ok)
                        .filter(|n| !n.ends_with('/'))
                        .map(|n| n.into_owned()),
                );
            }
        }
        all.retain(|n| n != MANIFEST_FILE && !listed.contains(&n.as_str()));
        all.sort();
        let more = all.len().saturating_sub(limit) as u64;
        all.truncate(limit);
        Ok((all, more))
    }

    /// Size in bytes of `name` (uncompressed, as the zip header claims).
    pub fn size(&self, name: &str) -> io::Result<u64> {
        match self {
            DeliverySource::Folder(dir) => {
                Ok(std::fs::symlink_metadata(dir.join(checked(name)?))?.len())
            }
            DeliverySource::Zip(zip) => {
                let mut archive =
                    zip::ZipArchive::new(File::open(zip)?).map_err(io::Error::other)?;
                Ok(archive
                    .by_name(checked(name)?)
                    .map_err(io::Error::other)?
                    .size())
            }
        }
    }

    /// Stream `name` through `f`. The reader hashes and counts what `f` reads. A zip entry is
    /// read through a counting reader that fails (see [`crate::bounds::exceeded`]) past
    /// `max_bytes`, past [`crate::bounds::MAX_ZIP_ENTRY_BYTES`] and past
    /// [`crate::bounds::MAX_COMPRESSION_RATIO`] times its compressed size. Symbolic links and
    /// other non-regular files are refused unopened.
    pub fn with_file<T>(
        &self,
        name: &str,
        max_bytes: u64,
        progress: &dyn Progress,
        f: impl FnOnce(&mut HashingReader<'_>) -> io::Result<T>,
    ) -> io::Result<T> {
        let name = checked(name)?;
        match self {
            DeliverySource::Folder(dir) => {
                check_in_folder(dir, name).map_err(problem_to_io)?;
                let file = open_regular(&dir.join(name))?;
                let mut r =
                    HashingReader::new(Box::new(BufReader::with_capacity(1 << 20, file)), progress);
                f(&mut r)
            }
            DeliverySource::Zip(zip) => {
                let mut archive =
                    zip::ZipArchive::new(File::open(zip)?).map_err(io::Error::other)?;
                let entry = archive
                    .by_name(name)
                    .map_err(|e| io::Error::new(io::ErrorKind::NotFound, e))?;
                if !entry.is_file() {
                    return Err(problem_to_io(FileProblem::NotRegular(if entry.is_dir() {
                        "directory"
                    } else {
                        "symbolic link"
                    })));
                }
                let bound = zip_entry_bound(entry.compressed_size(), max_bytes);
                let mut r = HashingReader::new(
                    Box::new(BufReader::with_capacity(
                        1 << 20,
                        BoundedReader::new(entry, bound),
                    )),
                    progress,
                );
                f(&mut r)
            }
        }
    }
}

impl DeliverySource {
    /// Open a file of a folder delivery for random access (Parquet), refusing what is not a
    /// regular file inside the delivery. For a zip, use [`DeliverySource::with_file`].
    pub fn open_in_folder(&self, name: &str) -> io::Result<File> {
        let name = checked(name)?;
        match self {
            DeliverySource::Folder(dir) => {
                check_in_folder(dir, name).map_err(problem_to_io)?;
                open_regular(&dir.join(name))
            }
            DeliverySource::Zip(_) => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "not a folder delivery",
            )),
        }
    }
}

/// The [`FileProblem`] carried by an I/O error from [`DeliverySource::with_file`], if any.
pub fn file_problem(e: &io::Error) -> Option<&FileProblem> {
    e.get_ref().and_then(|i| i.downcast_ref::<FileProblem>())
}

fn problem_to_io(p: FileProblem) -> io::Error {
    let kind = match p {
        FileProblem::Missing => io::ErrorKind::NotFound,
        _ => io::ErrorKind::InvalidInput,
    };
    io::Error::new(kind, p)
}

/// Every component of `name` below `dir` is looked at without following links: the
/// intermediate ones must be directories, the last a regular file.
fn check_in_folder(dir: &Path, name: &str) -> Result<(), FileProblem> {
    let parts: Vec<&str> = name.split('/').filter(|p| !p.is_empty()).collect();
    let mut path = dir.to_owned();
    for (i, part) in parts.iter().enumerate() {
        path.push(part);
        let meta = std::fs::symlink_metadata(&path).map_err(|_| FileProblem::Missing)?;
        let ft = meta.file_type();
        let last = i + 1 == parts.len();
        if ft.is_symlink() {
            return Err(FileProblem::NotRegular("symbolic link"));
        }
        if last && !ft.is_file() {
            return Err(FileProblem::NotRegular(kind_of(&ft)));
        }
        if !last && !ft.is_dir() {
            return Err(FileProblem::Missing);
        }
    }
    Ok(())
}

fn kind_of(ft: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_dir() {
        "directory"
    } else if ft.is_fifo() {
        "fifo"
    } else if ft.is_block_device() || ft.is_char_device() {
        "device"
    } else if ft.is_socket() {
        "socket"
    } else if ft.is_symlink() {
        "symbolic link"
    } else {
        "not a file"
    }
}

/// Open without following a final symbolic link and without blocking on a fifo, then make
/// sure what was opened is a regular file (the path may have changed since it was checked).
fn open_regular(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| {
            if e.raw_os_error() == Some(libc::ELOOP) {
                problem_to_io(FileProblem::NotRegular("symbolic link"))
            } else {
                e
            }
        })?;
    let ft = file.metadata()?.file_type();
    if !ft.is_file() {
        return Err(problem_to_io(FileProblem::NotRegular(kind_of(&ft))));
    }
    Ok(file)
}

/// Files below `dir` (not following links; links and other non-regular entries are listed as
/// they are, so they can be named), relative names with `/`. At most 100 000 names and 8 levels.
fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>, depth: usize) -> io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        if out.len() >= 100_000 {
            return Ok(());
        }
        let e = e?;
        let name = format!("{prefix}{}", e.file_name().to_string_lossy());
        let ft = e.file_type()?;
        if ft.is_dir() {
            if depth < 8 {
                walk(&e.path(), &format!("{name}/"), out, depth + 1)?;
            }
        } else {
            out.push(name);
        }
    }
    Ok(())
}

/// File names inside a delivery must be plain relative names (no `..`, no absolute paths, no
/// backslashes or drive letters that another system would read as such).
fn is_safe_name(name: &str) -> bool {
    let p = Path::new(name);
    !name.is_empty()
        && !name.contains('\\')
        && !name.contains(':')
        && !name.contains('\0')
        && p.components().all(|c| matches!(c, Component::Normal(_)))
}

fn checked(name: &str) -> io::Result<&str> {
    if is_safe_name(name) {
        Ok(name)
    } else {
        Err(problem_to_io(FileProblem::OutsideDelivery))
    }
}

/// A reader that hashes (SHA-256) and counts the bytes read, and reports progress.
pub struct HashingReader<'a> {
    inner: Box<dyn Read + 'a>,
    hasher: Sha256,
    bytes: u64,
    progress: &'a dyn Progress,
    unreported: u64,
}

impl<'a> HashingReader<'a> {
    fn new(inner: Box<dyn Read + 'a>, progress: &'a dyn Progress) -> Self {
        HashingReader {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
            progress,
            unreported: 0,
        }
    }

    /// Read the rest (so the hash covers the whole file) and return (sha256 hex, bytes).
    pub fn finish(&mut self) -> io::Result<(String, u64)> {
        let copied = io::copy(self, &mut io::sink());
        self.progress.advance(self.unreported);
        self.unreported = 0;
        copied?;
        let hasher = std::mem::take(&mut self.hasher);
        Ok((hex::encode(hasher.finalize()), self.bytes))
    }

    /// Bytes read so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }
}

impl Read for HashingReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        self.unreported += n as u64;
        if self.unreported >= 1 << 20 {
            self.progress.advance(self.unreported);
            self.unreported = 0;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_outside_the_delivery_are_refused() {
        for bad in [
            "../x.csv",
            "/etc/passwd",
            "a/../../x",
            "..\\x.csv",
            "C:x.csv",
            "",
        ] {
            assert!(!is_safe_name(bad), "{bad}");
        }
        for good in ["x.csv", "sub/x.csv"] {
            assert!(is_safe_name(good), "{good}");
        }
    }
}
