//! Crash points for the crash-consistency tests.
//!
//! When the environment variable `VARDHUB_CRASH_AT` names a point, the process aborts there (no
//! destructors, no flushing: like a SIGKILL). The tests use it to hit the narrow windows of
//! publication deterministically; random SIGKILLs cover everything else. Unset, it costs one
//! environment lookup per publication.

/// Abort the process if `VARDHUB_CRASH_AT` equals `name`.
pub(crate) fn point(name: &str) {
    if std::env::var_os("VARDHUB_CRASH_AT").is_some_and(|v| v == name) {
        std::process::abort();
    }
}
