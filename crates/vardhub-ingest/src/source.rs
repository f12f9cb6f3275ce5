//! Where a delivery's bytes come from: a folder or a zip file holding `manifest.json` and data files.
//! Files are streamed; each read also hashes the bytes (checked against the manifest) and reports
//! progress.

use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use vardhub_domain::manifest::MANIFEST_FILE;

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

    /// The manifest's raw bytes.
    pub fn manifest_bytes(&self) -> io::Result<Vec<u8>> {
        let mut buf = Vec::new();
        self.with_file(MANIFEST_FILE, &NoProgress, |r| {
            r.read_to_end(&mut buf).map(|_| ())
        })?;
        Ok(buf)
    }

    /// Does the delivery contain `name`?
    pub fn contains(&self, name: &str) -> bool {
        if !is_safe_name(name) {
            return false;
        }
        match self {
            DeliverySource::Folder(dir) => dir.join(name).is_file(),
            DeliverySource::Zip(zip) => File::open(zip)
                .ok()
                .and_then(|f| zip::ZipArchive::new(f).ok())
                .is_some_and(|mut a| a.by_name(name).is_ok()),
        }
    }

    /// Size in bytes of `name` (uncompressed).
    pub fn size(&self, name: &str) -> io::Result<u64> {
        match self {
            DeliverySource::Folder(dir) => Ok(std::fs::metadata(dir.join(checked(name)?))?.len()),
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

    /// Stream `name` through `f`. The reader hashes and counts what `f` reads.
    pub fn with_file<T>(
        &self,
        name: &str,
        progress: &dyn Progress,
        f: impl FnOnce(&mut HashingReader<'_>) -> io::Result<T>,
    ) -> io::Result<T> {
        let name = checked(name)?;
        match self {
            DeliverySource::Folder(dir) => {
                let file = File::open(dir.join(name))?;
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
                let mut r = HashingReader::new(
                    Box::new(BufReader::with_capacity(1 << 20, entry)),
                    progress,
                );
                f(&mut r)
            }
        }
    }
}

/// File names inside a delivery must be plain relative names (no `..`, no absolute paths).
fn is_safe_name(name: &str) -> bool {
    let p = Path::new(name);
    !name.is_empty()
        && p.components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

fn checked(name: &str) -> io::Result<&str> {
    if is_safe_name(name) {
        Ok(name)
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "unsafe file name in delivery",
        ))
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
        io::copy(self, &mut io::sink())?;
        self.progress.advance(self.unreported);
        self.unreported = 0;
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
