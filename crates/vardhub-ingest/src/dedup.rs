//! Finding rows with the same key in a file of any size with bounded memory.
//!
//! Each row's key (already pseudonymised, so no identity number is ever written) is hashed to
//! 128 bits and appended with its line number to one of [`BUCKETS`] spill files in the staging
//! folder. After the file is read, each bucket is sorted on its own: memory is about 1/[`BUCKETS`]
//! of 24 bytes per row, and nothing is kept in memory while the file streams.

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
    buckets: Vec<BufWriter<File>>,
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
    /// Spill files go to `dir` (created; removed by [`DuplicateDetector::finish`]).
    pub fn new(dir: &Path) -> io::Result<DuplicateDetector> {
        std::fs::create_dir_all(dir)?;
        let buckets = (0..BUCKETS)
            .map(|i| {
                File::create(dir.join(format!("{i:02}.bin")))
                    .map(|f| BufWriter::with_capacity(64 * 1024, f))
            })
            .collect::<io::Result<_>>()?;
        Ok(DuplicateDetector {
            dir: dir.to_owned(),
            buckets,
        })
    }

    /// Record the key hash of the row at `line`.
    pub fn add(&mut self, hash: u128, line: u64) -> io::Result<()> {
        let bucket = (hash >> 122) as usize % BUCKETS;
        let w = &mut self.buckets[bucket];
        w.write_all(&hash.to_le_bytes())?;
        w.write_all(&line.to_le_bytes())
    }

    /// All rows whose key occurred on an earlier line, sorted by line.
    pub fn finish(self) -> io::Result<Vec<Duplicate>> {
        let mut dups = Vec::new();
        for (i, w) in self.buckets.into_iter().enumerate() {
            w.into_inner().map_err(|e| e.into_error())?;
            let path = self.dir.join(format!("{i:02}.bin"));
            let mut bytes = Vec::new();
            BufReader::new(File::open(&path)?).read_to_end(&mut bytes)?;
            let mut entries: Vec<(u128, u64)> = bytes
                .chunks_exact(RECORD)
                .map(|c| {
                    let mut h = [0u8; 16];
                    h.copy_from_slice(&c[..16]);
                    let mut l = [0u8; 8];
                    l.copy_from_slice(&c[16..]);
                    (u128::from_le_bytes(h), u64::from_le_bytes(l))
                })
                .collect();
            drop(bytes);
            entries.sort_unstable();
            for pair in entries.chunk_by(|a, b| a.0 == b.0) {
                let first = pair[0].1;
                dups.extend(pair[1..].iter().map(|&(_, line)| Duplicate {
                    line,
                    first_line: first,
                }));
            }
            std::fs::remove_file(&path)?;
        }
        let _ = std::fs::remove_dir(&self.dir);
        dups.sort_unstable_by_key(|d| d.line);
        Ok(dups)
    }
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
    fn key_parts_are_delimited() {
        assert_ne!(
            key_hash([b"ab".as_slice(), b"c"]),
            key_hash([b"a".as_slice(), b"bc"])
        );
    }
}
