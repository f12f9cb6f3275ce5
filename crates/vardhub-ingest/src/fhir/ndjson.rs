//! NDJSON lines with bounded memory: each line is one record of at most
//! [`crate::bounds::MAX_RECORD_BYTES`]; a longer line is reported and skipped to its end (the next
//! line is read normally, since NDJSON lines delimit themselves). CRLF endings and a UTF-8 BOM on
//! the first line are accepted; blank lines are skipped but keep their line numbers.

use crate::bounds::MAX_RECORD_BYTES;
use std::io::{self, BufRead, Read};

/// One line: its bytes (without line end), or `Err(())` when it was longer than the bound.
pub type Record<'a> = Result<&'a [u8], ()>;

/// Call `f` with (line number, record) for every non-blank line; returns the number of them.
pub fn for_each_line<R: BufRead>(
    mut r: R,
    mut f: impl FnMut(u64, Record<'_>) -> io::Result<()>,
) -> io::Result<u64> {
    let mut buf = Vec::with_capacity(4096);
    let mut line = 0u64;
    let mut records = 0u64;
    loop {
        buf.clear();
        let n = (&mut r)
            .take(MAX_RECORD_BYTES + 1)
            .read_until(b'\n', &mut buf)?;
        if n == 0 {
            return Ok(records);
        }
        line += 1;
        let ended = buf.last() == Some(&b'\n');
        if !ended && buf.len() as u64 > MAX_RECORD_BYTES {
            skip_to_line_end(&mut r)?;
            records += 1;
            f(line, Err(()))?;
            continue;
        }
        let mut rec: &[u8] = &buf;
        if line == 1 {
            rec = rec.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(rec);
        }
        let rec = rec.strip_suffix(b"\n").unwrap_or(rec);
        let rec = rec.strip_suffix(b"\r").unwrap_or(rec);
        if rec.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        records += 1;
        f(line, Ok(rec))?;
    }
}

fn skip_to_line_end<R: BufRead>(r: &mut R) -> io::Result<()> {
    loop {
        let (found, used) = {
            let available = r.fill_buf()?;
            if available.is_empty() {
                return Ok(());
            }
            match available.iter().position(|b| *b == b'\n') {
                Some(i) => (true, i + 1),
                None => (false, available.len()),
            }
        };
        r.consume(used);
        if found {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(bytes: &[u8]) -> Vec<(u64, Option<String>)> {
        let mut out = Vec::new();
        let n = for_each_line(bytes, |l, r| {
            out.push((l, r.ok().map(|b| String::from_utf8_lossy(b).into_owned())));
            Ok(())
        })
        .unwrap();
        assert_eq!(n as usize, out.len());
        out
    }

    #[test]
    fn lines_are_numbered_and_bounded() {
        let long = vec![b'x'; MAX_RECORD_BYTES as usize + 10];
        let mut input = b"\xEF\xBB\xBF{\"a\":1}\r\n\n  \n".to_vec();
        input.extend_from_slice(&long);
        input.extend_from_slice(b"\n{\"b\":2}");
        assert_eq!(
            lines(&input),
            vec![
                (1, Some("{\"a\":1}".to_owned())),
                (4, None),
                (5, Some("{\"b\":2}".to_owned())),
            ]
        );
        // A line of exactly the bound is a record.
        let exact = vec![b'y'; MAX_RECORD_BYTES as usize];
        assert_eq!(
            lines(&exact)[0].1.as_ref().map(String::len),
            Some(exact.len())
        );
    }
}
