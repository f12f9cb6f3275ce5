#!/usr/bin/env bash
# Makes (or refreshes) the test-only Python venv in target/pyenv from scripts/python-requirements.txt
# and prints its python. The Rust tests find it through VARDHUB_PYTHON or at target/pyenv/bin/python.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=target/pyenv
STAMP=$VENV/.requirements
if [ ! -x "$VENV/bin/python" ] || ! cmp -s scripts/python-requirements.txt "$STAMP"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check --upgrade pip >&2
  "$VENV/bin/pip" install -q --disable-pip-version-check -r scripts/python-requirements.txt >&2
  cp scripts/python-requirements.txt "$STAMP"
fi
echo "$PWD/$VENV/bin/python"
