#!/usr/bin/env bash
# Checks that the benchmark code is well-formed without running any benchmark (CI calls this):
# py_compile of bench/*.py, and, when bench/.venv exists (created by bench/run.py), every
# bench/duckdb/*.sql parsed by DuckDB's parser (nothing is executed).
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in *.py; do
  python3 -c 'import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)' "$f" "$tmp/$f.pyc"
done
echo "py_compile: $(ls *.py | wc -l) files ok"
if [ -x .venv/bin/python ] && .venv/bin/python -c 'import duckdb' 2>/dev/null; then
  .venv/bin/python - <<'PY'
import duckdb, glob, sys
con = duckdb.connect()
bad = 0
files = sorted(glob.glob("duckdb/*.sql"))
for f in files:
    try:
        stmts = con.extract_statements(open(f).read())
        if not stmts:
            raise ValueError("no statement")
    except Exception as e:
        bad += 1
        print(f"{f}: {e}", file=sys.stderr)
print(f"duckdb parser: {len(files) - bad}/{len(files)} SQL files ok")
sys.exit(1 if bad else 0)
PY
else
  echo "duckdb parser: skipped (no bench/.venv; run bench/run.py once to create it)"
fi
