"""Reads Parquet files of the hub with DuckDB, pandas (pyarrow) and polars and checks that every
column named on the command line is a timestamp in all three, with the expected first value.

usage: timestamps_read.py FILE COLUMN=YYYY-MM-DDTHH:MM:SS [COLUMN=…] [FILE …]
An argument that names an existing file starts a file (lake paths contain '=' too); the
COLUMN=VALUE arguments after it belong to it. Prints one line per file.
"""
import os
import sys

import duckdb
import pandas as pd
import polars as pl


def groups(argv):
    out = []
    for a in argv:
        if not os.path.isfile(a) and "=" in a and out:
            col, first = a.split("=", 1)
            out[-1][1].append((col, first))
        else:
            out.append((a, []))
    return out


def check(path, cols):
    names = [c for c, _ in cols]
    # DuckDB: the column types of the file as DuckDB reads them.
    rel = duckdb.sql(f"SELECT * FROM read_parquet('{path}')")
    types = dict(zip(rel.columns, [str(t) for t in rel.types]))
    for c in names:
        assert types[c].startswith("TIMESTAMP"), f"duckdb: {path} {c} is {types[c]}"
    first_duck = rel.limit(1).fetchall()[0]
    # pandas through pyarrow.
    df = pd.read_parquet(path)
    for c in names:
        assert pd.api.types.is_datetime64_any_dtype(df[c]), f"pandas: {path} {c} is {df[c].dtype}"
    # polars.
    pf = pl.read_parquet(path)
    for c in names:
        assert isinstance(pf.schema[c], pl.Datetime), f"polars: {path} {c} is {pf.schema[c]}"
    # The first row's values agree between the readers and with what the test expects.
    for i, (c, expected) in enumerate(cols):
        d = first_duck[rel.columns.index(c)]
        p = df[c].iloc[0]
        q = pf[c][0]
        got = {d.isoformat(), p.isoformat(), q.isoformat()}
        assert got == {expected}, f"{path} {c}: duckdb {d}, pandas {p}, polars {q}, expected {expected}"
    print(f"ok {path}: {', '.join(f'{c} {types[c]}' for c in names)}; {len(df)} rows")


def main():
    for path, cols in groups(sys.argv[1:]):
        check(path, cols)


if __name__ == "__main__":
    main()
