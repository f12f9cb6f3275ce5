#!/usr/bin/env bash
# The test command of Vårddatahubben (README, second command; CI runs exactly this).
# Installs what the tests need on a fresh Debian machine, then checks formatting, lints and runs
# every test of the workspace. Benchmarks are not run here; their code is only built.
set -euo pipefail
cd "$(dirname "$0")/.."

# Rust components used below (the machine's toolchain comes from rustup).
if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
  rustup component add rustfmt clippy
fi

export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
