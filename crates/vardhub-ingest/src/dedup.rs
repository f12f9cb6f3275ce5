//! Finding rows with the same key in a file of any size with bounded memory.
//!
//! Each row's key (already pseudonymised, so no identity number is ever written) is hashed to
//! 128 bits and kept with its line number. Most files are small: their records stay in memory
//! (at most 8 MiB, about 350 000 rows) and are sorted there. Beyond that bound the records are
//! spilled to [`BUCKETS`] files in the staging folder and, after the file is read, each bucket is
//! sorted on its own; a bucket larger than the bound is first split on further hash bits, so
//! memory stays bounded whatever the file size.

use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

/// Number of spill files.
pub const BUCKETS: usize = 64;
const RECORD: usize = 24;

/// Collects key hashes and finds duplicates.
pub struct DuplicateDetector {
    dir: PathBuf,
    /// Records not yet spilled (all of them for a small file).
    memory: Vec<(u128, u64)>,
    /// The spill files, once the records outgrew memory.
    buckets: Option<Vec<BufWriter<File>>>,
    max_bucket_bytes: u64,
}

/// A row whose key was seen before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duplicate {
    /// The repeated row's line.
    pub line: u64,
    /// The line where the key was first seen.
    pub first_line: u64,
}

/// Hash a key made of several normalised values.
pub fn key_hash<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> u128 {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u32).to_le_bytes());
        h.update(p);
    }
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    u128::from_le_bytes(b)
}

impl DuplicateDetector {
    /// Spill files, if any are needed, go to `dir` (created then; removed by
    /// [`DuplicateDetector::finish`]).
    pub fn new(dir: &Path) -> io::Result<DuplicateDetector> {
        Ok(DuplicateDetector {
            dir: dir.to_owned(),
            memory: Vec::new(),
            buckets: None,
            max_bucket_bytes: MAX_BUCKET_BYTES,
        })
    }

    /// Change the size above which a bucket is split (tests use a small one).
    pub fn with_max_bucket_bytes(mut self, bytes: u64) -> Self {
        self.max_bucket_bytes = bytes;
        self
    }

    /// Record the key hash of the row at `line`.
    pub fn add(&mut self, hash: u128, line: u64) -> io::Result<()> {
        self.memory.push((hash, line));
        if (self.memory.len() * RECORD) as u64 > self.max_bucket_bytes {
            self.spill()?;
        }
        Ok(())
    }

    /// Move the records in memory to the bucket files (created on first use).
    fn spill(&mut self) -> io::Result<()> {
        if self.buckets.is_none() {
            std::fs::create_dir_all(&self.dir)?;
            let files = (0..BUCKETS)
                .map(|i| {
                    File::create(self.dir.join(format!("{i:02}.bin")))
                        .map(|f| BufWriter::with_capacity(64 * 1024, f))
                })
                .collect::<io::Result<_>>()?;
            self.buckets = Some(files);
        }
        let buckets = self.buckets.as_mut().expect("created above");
        for (hash, line) in self.memory.drain(..) {
            let w = &mut buckets[(hash >> 122) as usize % BUCKETS];
            w.write_all(&hash.to_le_bytes())?;
            w.write_all(&line.to_le_bytes())?;
        }
        Ok(())
    }

    /// All rows whose key occurred on an earlier line, sorted by line.
    pub fn finish(mut self) -> io::Result<Vec<Duplicate>> {
        let mut dups = Vec::new();
        if self.buckets.is_none() {
            // Never spilled: everything is in memory.
            collect_duplicates(&mut self.memory, &mut dups);
        } else {
            self.spill()?;
            let buckets = self.buckets.take().expect("spilled");
            for (i, w) in buckets.into_iter().enumerate() {
                w.into_inner().map_err(|e| e.into_error())?;
                find_in_bucket(
                    &self.dir.join(format!("{i:02}.bin")),
                    1,
                    self.max_bucket_bytes,
                    &mut dups,
                )?;
            }
            let _ = std::fs::remove_dir(&self.dir);
        }
        dups.sort_unstable_by_key(|d| d.line);
        Ok(dups)
    }
}

/// Sort `entries` by hash and add every repeat (with its group's earliest line) to `dups`.
fn collect_duplicates(entries: &mut [(u128, u64)], dups: &mut Vec<Duplicate>) {
    entries.sort_unstable();
    for group in entries.chunk_by(|a, b| a.0 == b.0) {
        let first = group[0].1;
        dups.extend(group[1..].iter().map(|&(_, line)| Duplicate {
            line,
            first_line: first,
        }));
    }
}

/// A bucket larger than this is split on further hash bits instead of being read into memory,
/// so memory stays bounded whatever the file size.
const MAX_BUCKET_BYTES: u64 = 8 << 20;

/// Sub-buckets per split.
const SPLIT: usize = 16;

fn find_in_bucket(path: &Path, level: u32, max: u64, dups: &mut Vec<Duplicate>) -> io::Result<()> {
    let size = std::fs::metadata(path)?.len();
    let mut reader = BufReader::with_capacity(64 * 1024, File::open(path)?);
    let mut record = [0u8; RECORD];
    let mut next = |reader: &mut BufReader<File>| -> io::Result<Option<(u128, u64)>> {
        match reader.read_exact(&mut record) {
            Ok(()) => {
                let mut h = [0u8; 16];
                h.copy_from_slice(&record[..16]);
                let mut l = [0u8; 8];
                l.copy_from_slice(&record[16..]);
                Ok(Some((u128::from_le_bytes(h), u64::from_le_bytes(l))))
            }
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
            Err(e) => Err(e),
        }
    };
    // 6 bits chose the bucket; each split uses 4 more, so 30 levels exhaust the 128-bit hash.
    if size > max && level < 30 {
        let subs: Vec<PathBuf> = (0..SPLIT)
            .map(|i| path.with_extension(format!("{i:x}.bin")))
            .collect();
        {
            let mut writers = subs
                .iter()
                .map(|p| File::create(p).map(|f| BufWriter::with_capacity(64 * 1024, f)))
                .collect::<io::Result<Vec<_>>>()?;
            let shift = 122 - 4 * level;
            while let Some((hash, line)) = next(&mut reader)? {
                let w = &mut writers[(hash >> shift) as usize % SPLIT];
                w.write_all(&hash.to_le_bytes())?;
                w.write_all(&line.to_le_bytes())?;
            }
            for w in writers {
                w.into_inner().map_err(|e| e.into_error())?;
            }
        }
        drop(reader);
        std::fs::remove_file(path)?;
        for sub in &subs {
            find_in_bucket(sub, level + 1, max, dups)?;
        }
        return Ok(());
    }
    let mut entries: Vec<(u128, u64)> = Vec::with_capacity((size / RECORD as u64) as usize);
    while let Some(e) = next(&mut reader)? {
        entries.push(e);
    }
    drop(reader);
    collect_duplicates(&mut entries, dups);
    std::fs::remove_file(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_repeats_and_names_the_first_occurrence() {
        let dir = tempfile::tempdir().unwrap();
        let mut d = DuplicateDetector::new(&dir.path().join("dups")).unwrap();
        for (line, key) in [(2, "a"), (3, "b"), (4, "a"), (5, "c"), (6, "a"), (7, "b")] {
            d.add(key_hash([key.as_bytes()]), line).unwrap();
        }
        let dups = d.finish().unwrap();
        assert_eq!(
            dups,
            vec![
                Duplicate {
                    line: 4,
                    first_line: 2
                },
                Duplicate {
                    line: 6,
                    first_line: 2
                },
                Duplicate {
                    line: 7,
                    first_line: 3
                },
            ]
        );
        assert!(!dir.path().join("dups").exists());
    }

    #[test]
    fn large_buckets_are_split_and_still_exact() {
        let dir = tempfile::tempdir().unwrap();
        let mut d = DuplicateDetector::new(&dir.path().join("dups"))
            .unwrap()
            .with_max_bucket_bytes(4096);
        // ~5 MB of records, ~80 kB per bucket: every bucket is split, some twice.
        let n = 200_000u64;
        for line in 0..n {
            d.add(key_hash([line.to_le_bytes().as_slice()]), line)
                .unwrap();
        }
        for line in [10u64, 199_999] {
            d.add(key_hash([line.to_le_bytes().as_slice()]), n + line)
                .unwrap();
        }
        let dups = d.finish().unwrap();
        assert!(!dir.path().join("dups").exists(), "all spill files removed");
        assert_eq!(
            dups,
            vec![
                Duplicate {
                    line: n + 10,
                    first_line: 10
                },
                Duplicate {
                    line: n + 199_999,
                    first_line: 199_999
                },
            ]
        );
    }

    #[test]
    fn key_parts_are_delimited() {
        assert_ne!(
            key_hash([b"ab".as_slice(), b"c"]),
            key_hash([b"a".as_slice(), b"bc"])
        );
    }
}
