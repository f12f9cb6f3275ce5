#!/usr/bin/env python3
"""DuckDB's plain CSV -> Parquet conversion of a synthetic Sweden (the ingest baseline).

Usage (inside bench/.venv): duckdb_ingest.py SYNTH_DIR OUT_DIR [--bulk]

For every delivery folder in SYNTH_DIR and every CSV file its manifest lists, runs
  COPY (SELECT * FROM read_csv(file, delim ';', decimal_separator ',', header, columns = {...}))
    TO OUT_DIR/<delivery>/<table>.parquet (FORMAT parquet, COMPRESSION zstd)
with the column types from the collection's specification (specs/*.toml: codes and ids stay text
so leading zeros survive; integer -> BIGINT, decimal -> DOUBLE, date -> DATE, datetime -> TIMESTAMP),
CRLF line ends auto-detected. No validation, no pseudonymisation: one Parquet file per delivery
table, like the lake. With --bulk: one COPY per (collection, table) over the list of all its CSV
files (DuckDB's best case: one statement, one Parquet file per table, all threads busy).
Prints one JSON line: files, rows, csv_bytes, seconds.
"""
import json, os, sys, time, tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TYPES = {"integer": "BIGINT", "decimal": "DOUBLE", "date": "DATE", "datetime": "TIMESTAMP"}


def spec_columns():
    """{(collection, table): {column: duckdb type}} from specs/*.toml."""
    out = {}
    for f in sorted(os.listdir(os.path.join(ROOT, "specs"))):
        if not f.endswith(".toml"):
            continue
        spec = tomllib.load(open(os.path.join(ROOT, "specs", f), "rb"))
        for t in spec["tables"]:
            out[(spec["id"], t["name"])] = {v["name"]: TYPES.get(v["type"], "VARCHAR") for v in t["variables"]}
    return out


def jobs(synth):
    """(delivery, collection, table, csv path, rows) for every CSV file of every delivery."""
    out = []
    for d in sorted(os.listdir(synth)):
        m = os.path.join(synth, d, "manifest.json")
        if not os.path.isfile(m):
            continue
        man = json.load(open(m))
        for f in man["files"]:
            out.append((d, man["collection"], f["table"], os.path.join(synth, d, f["path"]), f["rows"]))
    return out


def main():
    import duckdb
    synth, out = sys.argv[1], sys.argv[2]
    bulk = "--bulk" in sys.argv[3:]
    cols = spec_columns()
    todo = jobs(synth)
    t = time.perf_counter()
    con = duckdb.connect()
    rows = size = 0
    if bulk:
        groups = {}
        for delivery, collection, table, path, n in todo:
            groups.setdefault((collection, table), []).append(path)
            rows += n
            size += os.path.getsize(path)
        os.makedirs(out, exist_ok=True)
        for (collection, table), paths in groups.items():
            c = cols[(collection, table)]
            spec = "{" + ", ".join(f"'{k}': '{v}'" for k, v in c.items()) + "}"
            files = "[" + ", ".join(f"'{p}'" for p in paths) + "]"
            con.execute(f"""COPY (SELECT * FROM read_csv({files}, delim = ';', decimal_separator = ',', header = true,
                                     columns = {spec}, timestampformat = '%Y-%m-%d %H:%M', dateformat = '%Y-%m-%d'))
                            TO '{os.path.join(out, collection + '-' + table + '.parquet')}' (FORMAT parquet, COMPRESSION zstd)""")
        todo = []
    for delivery, collection, table, path, n in todo:
        os.makedirs(os.path.join(out, delivery), exist_ok=True)
        c = cols[(collection, table)]
        spec = "{" + ", ".join(f"'{k}': '{v}'" for k, v in c.items()) + "}"
        target = os.path.join(out, delivery, table + ".parquet")
        con.execute(f"""COPY (SELECT * FROM read_csv('{path}', delim = ';', decimal_separator = ',', header = true,
                                 columns = {spec}, timestampformat = '%Y-%m-%d %H:%M', dateformat = '%Y-%m-%d'))
                        TO '{target}' (FORMAT parquet, COMPRESSION zstd)""")
        rows += n
        size += os.path.getsize(path)
    con.close()
    print(json.dumps({"mode": "bulk" if bulk else "per_delivery", "files": len(jobs(synth)), "rows": rows, "csv_bytes": size, "seconds": time.perf_counter() - t,
                      "duckdb": duckdb.__version__}))


if __name__ == "__main__":
    main()
