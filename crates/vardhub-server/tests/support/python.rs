//! The test-only Python tools (issue 17): the ecosystem's own clients and validators — pxwebpy,
//! pyjstat, pySHACL, DuckDB, pandas, polars, schemathesis, openapi-python-client — run against the
//! test hub. They live in the venv `scripts/pyenv.sh` makes (`scripts/test.sh` sets
//! `VARDHUB_PYTHON`); without it these tests fail and say how to make it, never skip.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The venv's python: `VARDHUB_PYTHON`, else `target/pyenv/bin/python` of the workspace.
pub fn python() -> PathBuf {
    let path = std::env::var_os("VARDHUB_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/pyenv/bin/python")
        });
    assert!(
        path.exists(),
        "no test Python at {}: run scripts/pyenv.sh (scripts/test.sh does) or set VARDHUB_PYTHON",
        path.display()
    );
    path
}

/// A script of `tests/python/`.
pub fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/python")
        .join(name)
}

/// Run `tests/python/<name>` with `args` in the venv (off the async runtime's threads); its
/// stdout. Panics with its stdout and stderr when it fails.
pub async fn run(name: &str, args: &[String]) -> String {
    let py = python();
    let script = script(name);
    let args = args.to_vec();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(&py)
            .arg(&script)
            .args(&args)
            .output()
            .unwrap_or_else(|e| panic!("{}: {e}", py.display()))
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{name} failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}
