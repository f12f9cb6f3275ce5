//! The bounds that keep reading a delivery in bounded memory, whatever the delivery says about
//! itself: a record's size, a zip entry's uncompressed size (never trusting the zip header), and
//! the counting reader that stops at a bound.

use std::io::{self, Read};

/// Longest CSV record (a line, or several lines inside quotes), in bytes. Also bounds a field.
pub const MAX_RECORD_BYTES: u64 = 64 * 1024;

/// Largest uncompressed zip entry read at all.
pub const MAX_ZIP_ENTRY_BYTES: u64 = 16 << 30;

/// Largest zipped Parquet file (it is read into memory for random access).
pub const MAX_ZIPPED_PARQUET_BYTES: u64 = 1 << 30;

/// A zip entry may expand to at most this many times its compressed size (CSV exports
/// compress 5–20×; a zip bomb, 1 000× and more).
pub const MAX_COMPRESSION_RATIO: u64 = 100;

/// The ratio bound is never below this, so that small files are never refused for it.
pub const MIN_RATIO_BOUND: u64 = 1 << 20;

/// How many bytes a zip entry of `compressed` bytes may expand to, given the most the caller
/// expects (`expected`: from the manifest's row count, or a hard cap).
pub fn zip_entry_bound(compressed: u64, expected: u64) -> u64 {
    let by_ratio = compressed
        .saturating_mul(MAX_COMPRESSION_RATIO)
        .max(MIN_RATIO_BOUND);
    by_ratio.min(MAX_ZIP_ENTRY_BYTES).min(expected)
}

/// The most a CSV file declaring `rows` data rows can hold: the header and each row at most
/// [`MAX_RECORD_BYTES`], with room for blank lines.
pub fn csv_file_bound(rows: u64) -> u64 {
    rows.saturating_add(16)
        .saturating_mul(MAX_RECORD_BYTES)
        .saturating_mul(2)
}

/// A read went past its bound (carried inside an [`io::Error`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("more than {bound} bytes")]
pub struct BoundExceeded {
    /// The bound, in bytes.
    pub bound: u64,
}

/// The bound an I/O error reports as exceeded, if it is a [`BoundExceeded`].
pub fn exceeded(e: &io::Error) -> Option<u64> {
    e.get_ref()
        .and_then(|i| i.downcast_ref::<BoundExceeded>())
        .map(|b| b.bound)
}

/// A reader that yields at most `bound` bytes of its inner reader and fails with
/// [`BoundExceeded`] if there are more (it reads at most one byte past the bound to know).
pub struct BoundedReader<R> {
    inner: R,
    left: u64,
    bound: u64,
}

impl<R: Read> BoundedReader<R> {
    /// Wrap `inner`.
    pub fn new(inner: R, bound: u64) -> Self {
        BoundedReader {
            inner,
            left: bound,
            bound,
        }
    }
}

impl<R: Read> Read for BoundedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    BoundExceeded { bound: self.bound },
                )),
            };
        }
        let max = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..max])?;
        self.left -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_reader_stops_at_the_bound() {
        let mut out = Vec::new();
        let err = BoundedReader::new(io::repeat(0), 1000)
            .read_to_end(&mut out)
            .unwrap_err();
        assert_eq!(exceeded(&err), Some(1000));
        assert_eq!(out.len(), 1000);
        let mut out = Vec::new();
        BoundedReader::new(&[1u8; 1000][..], 1000)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out.len(), 1000);
    }

    #[test]
    fn zip_bound_uses_ratio_cap_and_expectation() {
        assert_eq!(zip_entry_bound(10, u64::MAX), MIN_RATIO_BOUND);
        assert_eq!(
            zip_entry_bound(1 << 20, u64::MAX),
            (1 << 20) * MAX_COMPRESSION_RATIO
        );
        assert_eq!(zip_entry_bound(1 << 40, u64::MAX), MAX_ZIP_ENTRY_BYTES);
        assert_eq!(zip_entry_bound(1 << 20, 5000), 5000);
    }
}
