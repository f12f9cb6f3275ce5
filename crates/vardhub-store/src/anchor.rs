//! Checkpoints of the audit log outside the catalogue.
//!
//! The MAC chain alone cannot show that entries were removed from the *end* of the log: the
//! remaining prefix is a valid chain. So the head of the chain (sequence number and MAC) is
//! appended, with the time and a MAC over the line, to an append-only file beside the audit key
//! (`audit-anchors.log`, outside the data directory). [`crate::Hub::verify_audit`] checks that
//! every checkpoint is signed by the audit key and that the catalogue still holds the entry it
//! names, with the MAC it names.
//!
//! Each line is written with one `write` on a file opened with `O_APPEND`, so the server and a
//! concurrent ingest may both append; lines may therefore appear out of order, which verification
//! allows. A checkpoint may lag the catalogue (a crash after a commit and before the checkpoint):
//! entries after the last checkpoint are protected by the chain only.

use crate::error::StoreError;
use crate::keys::AuditKey;
use crate::private;
use crate::time;
use std::io::Write;

const VERSION: &str = "v1";
const LABEL: &str = "vardhub/audit/anchor";

/// One checkpoint: the log had entry `seq` with MAC `mac` at time `at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Anchor {
    /// 1-based line number in the file.
    pub line: usize,
    pub seq: i64,
    pub mac: String,
    /// Whether the line's own MAC verifies with the audit key.
    pub signed: bool,
}

/// Append a checkpoint for entry `seq` with `mac`; `sync` also flushes it to disk.
pub(crate) fn append(key: &AuditKey, seq: i64, mac: &str, sync: bool) -> Result<(), StoreError> {
    let at = time::fmt(time::now_utc());
    let seq = seq.to_string();
    let sig = key.mac(&[LABEL, &seq, mac, &at]);
    let line = format!("{VERSION} {seq} {mac} {at} {sig}\n");
    let path = key.anchors();
    let mut file = private::append_file(&path).map_err(StoreError::io(&path))?;
    file.write_all(line.as_bytes())
        .map_err(StoreError::io(&path))?;
    if sync {
        file.sync_all().map_err(StoreError::io(&path))?;
    }
    Ok(())
}

/// Every complete checkpoint in the file (none when it does not exist). A line that does not
/// parse counts as unsigned.
pub(crate) fn read(key: &AuditKey) -> Result<Vec<Anchor>, StoreError> {
    let path = key.anchors();
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(StoreError::io(&path)(e)),
    };
    // A last line without its newline is a checkpoint being written right now (one `write_all`
    // per line): it is left for the next read, not counted as unsigned.
    let complete = match text.rfind('\n') {
        Some(end) => &text[..=end],
        None => "",
    };
    Ok(complete
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let parts: Vec<&str> = l.split(' ').collect();
            match parts.as_slice() {
                &[VERSION, seq, mac, at, sig] => {
                    let signed = key.mac(&[LABEL, seq, mac, at]) == sig;
                    Anchor {
                        line: i + 1,
                        seq: seq.parse().unwrap_or(-1),
                        mac: mac.to_owned(),
                        signed,
                    }
                }
                _ => Anchor {
                    line: i + 1,
                    seq: -1,
                    mac: String::new(),
                    signed: false,
                },
            }
        })
        .collect())
}
