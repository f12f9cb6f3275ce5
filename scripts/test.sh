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

# The browser test drives Debian's headless Chromium through chromedriver.
if ! command -v chromedriver >/dev/null 2>&1 || ! { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; }; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver
fi

# Test-only Python tools (pxwebpy, pyjstat, pySHACL, DuckDB, pandas, polars, schemathesis, …) in a
# venv, and HL7's FHIR R4 examples from npm: the tests run the ecosystem's own clients against the hub.
if ! python3 -m venv --help >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv
fi
VARDHUB_PYTHON=$(scripts/pyenv.sh)
export VARDHUB_PYTHON
VARDHUB_FHIR_EXAMPLES=$(scripts/fhir-examples.sh)
export VARDHUB_FHIR_EXAMPLES

export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
# The benchmark suite is only checked for well-formedness here (it runs with bench/run.py).
if [ -x bench/check.sh ]; then bench/check.sh; fi
