//! Line endings and record sizes of a delivered CSV file, before the CSV parser sees it: CR-only
//! and mixed line endings become LF (so every line is counted, whatever the exporting system
//! used), and a record longer than [`MAX_RECORD_BYTES`] stops the reading with [`RecordTooLong`]
//! instead of being buffered whole. Quotes are followed as the CSV parser follows them (a quote
//! opens a quoted field only at the start of a field), so a line break inside a quoted value
//! counts as a line but does not end the record.

use crate::bounds::MAX_RECORD_BYTES;
use std::io::{self, Read};

/// A record is longer than [`MAX_RECORD_BYTES`] (carried inside an [`io::Error`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the record starting at line {line} is longer than {MAX_RECORD_BYTES} bytes")]
pub struct RecordTooLong {
    /// The line the record starts on (1-based).
    pub line: u64,
}

/// The line of the over-long record, if the error is a [`RecordTooLong`].
pub fn record_too_long(e: &io::Error) -> Option<u64> {
    e.get_ref()
        .and_then(|i| i.downcast_ref::<RecordTooLong>())
        .map(|r| r.line)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    StartField,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// Normalises line endings to LF and bounds the size of a record.
pub struct LineReader<R> {
    inner: R,
    delimiter: u8,
    last_cr: bool,
    state: State,
    record_bytes: u64,
    line: u64,
    record_line: u64,
}

impl<R: Read> LineReader<R> {
    /// Wrap a reader of a CSV file with the given field delimiter.
    pub fn new(inner: R, delimiter: u8) -> Self {
        LineReader {
            inner,
            delimiter,
            last_cr: false,
            state: State::StartField,
            record_bytes: 0,
            line: 1,
            record_line: 1,
        }
    }
}

impl<R: Read> Read for LineReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.inner.read(buf)?;
            if n == 0 {
                return Ok(0);
            }
            let mut w = 0;
            for r in 0..n {
                let b = match buf[r] {
                    b'\r' => {
                        self.last_cr = true;
                        b'\n'
                    }
                    b'\n' if self.last_cr => {
                        self.last_cr = false;
                        continue;
                    }
                    b => {
                        self.last_cr = false;
                        b
                    }
                };
                buf[w] = b;
                w += 1;
                if b == b'\n' {
                    self.line += 1;
                    if self.state != State::Quoted {
                        self.state = State::StartField;
                        self.record_bytes = 0;
                        self.record_line = self.line;
                        continue;
                    }
                }
                self.record_bytes += 1;
                if self.record_bytes > MAX_RECORD_BYTES {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        RecordTooLong {
                            line: self.record_line,
                        },
                    ));
                }
                self.state = match (self.state, b) {
                    (State::StartField, b'"') => State::Quoted,
                    (State::Quoted, b'"') => State::QuoteInQuoted,
                    (State::QuoteInQuoted, b'"') => State::Quoted,
                    (State::Quoted, _) => State::Quoted,
                    (_, d) if d == self.delimiter => State::StartField,
                    _ => State::Unquoted,
                };
            }
            if w > 0 {
                return Ok(w);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalised(input: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        // Read in tiny pieces so CR LF pairs split across reads are covered.
        let mut r = LineReader::new(io::BufReader::with_capacity(1, input), b';');
        r.read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn cr_only_and_mixed_line_endings_become_lf() {
        assert_eq!(normalised(b"a\rb\r\nc\nd\r").unwrap(), b"a\nb\nc\nd\n");
        assert_eq!(normalised(b"a\r\n\r\nb").unwrap(), b"a\n\nb");
    }

    #[test]
    fn long_records_stop_the_reading_with_their_line() {
        let mut input = b"h\nshort\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_RECORD_BYTES as usize + 1));
        let err = normalised(&input).unwrap_err();
        assert_eq!(record_too_long(&err), Some(3));
        // A quoted line break continues the record; a stray quote inside a field does not.
        let mut quoted = b"\"".to_vec();
        for _ in 0..(MAX_RECORD_BYTES / 4) {
            quoted.extend(b"xx\n\n");
        }
        assert!(normalised(&quoted).is_err());
        let mut stray = Vec::new();
        for _ in 0..(MAX_RECORD_BYTES / 4) {
            stray.extend(b"x\"x\n");
        }
        assert!(normalised(&stray).is_ok());
    }
}
