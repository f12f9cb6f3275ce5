#!/usr/bin/env python3
"""The independent DuckDB implementation of the indicators, and the value cross-checks.

Usage (inside bench/.venv):
  duckdb_indicators.py DATA [--truth SYNTH/truth.json] [--ours RESULTS.parquet] [--json OUT]

* Reads the hub's catalogue (DATA/catalogue.sqlite: current_deliveries + delivery_files) to find the
  current version of every delivery, and registers one DuckDB view per lake table over exactly
  those Parquet files.
* Runs bench/duckdb/<indicator>.sql (the recipe read as SQL, written from indicators/*.toml) into a
  temp table `base` and bench/duckdb/_aggregate.sql over it (strata, Sweden, standardisation).
* --ours: compares every (indicator, region, period, kon, aldersgrupp) row with the engine's
  results Parquet (numerator, denominator, value, standardised) to 1e-9 relative.
* --truth: compares the (alla, alla) rows with the generator's planted truth (truth.json).
"""
import argparse, datetime, json, math, os, re, sqlite3, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
SQL_DIR = os.path.join(HERE, "duckdb")
TABLES = {"vardkontakter": ["kontakter", "diagnoser", "atgarder"], "vantetider": ["arenden"],
          "vardplatser": ["enhetsdagar"], "befolkning": ["personer"]}
# truth.json indicator name -> our indicator id (the planted truth covers these).
TRUTH = {"ami_30_day_mortality": "ami_30d_dodlighet", "first_visit_within_90_days": "vantetid_forsta_besok_90",
         "hip_fracture_surgery_within_24h": "hoftfraktur_op_24h", "operation_within_90_days": "vantetid_operation_90",
         "outlying_patients_per_100_staffed_beds": "utlokaliserade_per_100",
         "overcrowding_per_100_staffed_beds": "overbelaggningar_per_100",
         "ready_for_discharge_beds_per_100_staffed_beds": "utskrivningsklara_per_100",
         "tonsillectomy_cold_technique_share": "tonsillektomi_kall_teknik"}
RTOL = 1e-9
KEY = ("indicator", "region", "period", "kon", "aldersgrupp")


def indicator_ids():
    return sorted(f[:-4] for f in os.listdir(SQL_DIR) if f.endswith(".sql") and not f.startswith("_"))


def header(sql):
    """The `-- scale:` and `-- standardise:` lines of an indicator file."""
    scale = float(re.search(r"^-- scale:\s*(\S+)", sql, re.M).group(1))
    std = re.search(r"^-- standardise:\s*(\S+)", sql, re.M).group(1)
    return scale, std


def lake_files(data):
    """{table: [absolute parquet paths]} of the current deliveries, from the catalogue."""
    con = sqlite3.connect(f"file:{os.path.join(data, 'catalogue.sqlite')}?mode=ro", uri=True)
    rows = con.execute("""SELECT f.table_name, f.path FROM current_deliveries c
                          JOIN delivery_files f ON f.delivery_id = c.delivery_id
                          ORDER BY f.table_name, f.path""").fetchall()
    con.close()
    out = {}
    for table, path in rows:
        out.setdefault(table, []).append(os.path.join(data, path))
    return out


def compute(data, ids=None, threads=None):
    """Run every indicator in DuckDB. Returns (rows, {id: ms}, setup_ms, total_ms)."""
    import duckdb
    t0 = time.perf_counter()
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    for table, files in lake_files(data).items():
        lst = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet([{lst}], union_by_name = true)")
    con.execute(open(os.path.join(SQL_DIR, "_macros.sql")).read())
    aggregate = open(os.path.join(SQL_DIR, "_aggregate.sql")).read()
    setup_ms = (time.perf_counter() - t0) * 1000
    rows, timings = [], {}
    for ind in ids or indicator_ids():
        sql = open(os.path.join(SQL_DIR, ind + ".sql")).read()
        scale, std = header(sql)
        t = time.perf_counter()
        con.execute(f"SET VARIABLE scale = {scale!r}::DOUBLE")
        con.execute(f"SET VARIABLE std = '{std}'")
        con.execute(f"CREATE OR REPLACE TEMP TABLE base AS {sql}")
        cur = con.execute(aggregate)
        names = [d[0] for d in cur.description]
        got = [dict(zip(names, r), indicator=ind) for r in cur.fetchall()]
        timings[ind] = (time.perf_counter() - t) * 1000
        rows.extend(got)
    con.close()
    return rows, timings, setup_ms, (time.perf_counter() - t0) * 1000


def close(a, b):
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)) or (isinstance(b, float) and math.isnan(b)):
        return (a is None or a != a) and (b is None or b != b)
    return abs(a - b) <= RTOL * max(abs(a), abs(b)) or abs(a - b) < 1e-300


def read_ours(path):
    import pyarrow.parquet as pq
    t = pq.read_table(path).to_pylist()
    return t


def compare(ours, theirs):
    """Row-by-row comparison. Returns a dict with counts and the mismatches (grouped per indicator)."""
    a = {tuple(r[k] for k in KEY): r for r in ours}
    b = {tuple(r[k] for k in KEY): r for r in theirs}
    per = {}

    def note(ind, kind, key, detail):
        e = per.setdefault(ind, {"rows_engine": 0, "rows_duckdb": 0, "mismatched_rows": 0,
                                 "only_engine": 0, "only_duckdb": 0, "fields": {}, "examples": []})
        if kind == "field":
            e["fields"][detail["field"]] = e["fields"].get(detail["field"], 0) + 1
        else:
            e[kind] += 1
        if len(e["examples"]) < 8:
            e["examples"].append({"key": list(key), **detail, "kind": kind})

    for k, r in a.items():
        per.setdefault(k[0], {"rows_engine": 0, "rows_duckdb": 0, "mismatched_rows": 0, "only_engine": 0,
                              "only_duckdb": 0, "fields": {}, "examples": []})["rows_engine"] += 1
    for k, r in b.items():
        per.setdefault(k[0], {"rows_engine": 0, "rows_duckdb": 0, "mismatched_rows": 0, "only_engine": 0,
                              "only_duckdb": 0, "fields": {}, "examples": []})["rows_duckdb"] += 1
    for k in sorted(set(a) | set(b), key=lambda k: tuple(str(x) for x in k)):
        if k not in b:
            if not a[k].get("numerator") and not a[k].get("denominator"):
                continue  # a region that delivered but has no case: the engine's zero row (no_cases)
            note(k[0], "only_engine", k, {"engine": {f: a[k].get(f) for f in ("numerator", "denominator", "value")}})
            continue
        if k not in a:
            note(k[0], "only_duckdb", k, {"duckdb": {f: b[k].get(f) for f in ("numerator", "denominator", "value")}})
            continue
        bad = False
        for f in ("numerator", "denominator", "value", "standardised"):
            x, y = a[k].get(f), b[k].get(f)
            if f == "standardised" and (x is None or y is None) and not (x is None and y is None):
                pass  # compared below: presence must agree too
            if not close(x, y):
                note(k[0], "field", k, {"field": f, "engine": x, "duckdb": y})
                bad = True
        if bad:
            per[k[0]]["mismatched_rows"] += 1
    ok = all(e["mismatched_rows"] == 0 and e["only_engine"] == 0 and e["only_duckdb"] == 0 for e in per.values())
    return {"values_match": ok and bool(a), "rows_compared": len(set(a) & set(b)), "per_indicator": per}


# Indicators with a follow-up after the event (days): months whose follow-up passes the data are not computed.
FOLLOW_UP_DAYS = {"ami_30d_dodlighet": 30, "aterinskrivning_30d_65": 60}


def month_end(period):
    y, m = map(int, period.split("-"))
    return datetime.date(y + m // 12, m % 12 + 1, 1) - datetime.timedelta(1)


def check_truth(rows, truth_path):
    """Compare our (alla, alla) rows with the generator's counted truth per region and month."""
    truth = json.load(open(truth_path))["indicators"]
    idx = {(r["indicator"], r["region"], r["period"]): r for r in rows if r["kon"] == "alla" and r["aldersgrupp"] == "alla"}
    out = {}
    for name, ind in TRUTH.items():
        if name not in truth:
            continue
        res = {"compared": 0, "numerator_diff": 0, "denominator_diff": 0, "missing": 0, "examples": []}
        last = max(v["period"] for v in truth[name]["values"])
        for v in truth[name]["values"]:
            r = idx.get((ind, v["region"], v["period"]))
            # The generator counts deaths after the last month it delivers; a month whose
            # follow-up reaches past the data is not computed (by either side), so not compared.
            if ind in FOLLOW_UP_DAYS and month_end(v["period"]) + datetime.timedelta(FOLLOW_UP_DAYS[ind]) > month_end(last):
                if r is not None:
                    res["missing"] += 1  # computed although its follow-up is incomplete
                    res["examples"].append({"region": v["region"], "period": v["period"], "field": "follow-up incomplete"})
                else:
                    res["not_observable"] = res.get("not_observable", 0) + 1
                continue
            if r is None:
                if v["denominator"]:
                    res["missing"] += 1
                continue
            res["compared"] += 1
            for f in ("numerator", "denominator"):
                if not close(float(r[f]), float(v[f])):
                    res[f + "_diff"] += 1
                    if len(res["examples"]) < 5:
                        res["examples"].append({"region": v["region"], "period": v["period"], "field": f,
                                                "truth": v[f], "duckdb": r[f]})
        out[ind] = res
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data")
    ap.add_argument("--truth")
    ap.add_argument("--ours")
    ap.add_argument("--json")
    ap.add_argument("--indicator", action="append")
    a = ap.parse_args()
    rows, timings, setup, total = compute(a.data, a.indicator)
    print(f"duckdb: {len(rows)} rows, setup {setup:.1f} ms, total {total:.1f} ms")
    for k, v in timings.items():
        print(f"  {k:<28} {v:9.1f} ms")
    out = {"timings_ms": timings, "total_ms": total}
    if a.truth:
        out["truth"] = check_truth(rows, a.truth)
        for k, v in out["truth"].items():
            print(f"truth {k:<28} compared {v['compared']:4} num diff {v['numerator_diff']:3} "
                  f"den diff {v['denominator_diff']:3} missing {v['missing']:3} {v['examples'][:2]}")
    if a.ours:
        out["compare"] = compare(read_ours(a.ours), rows)
        print("values_match:", out["compare"]["values_match"])
        for k, v in out["compare"]["per_indicator"].items():
            print(f"  {k:<28} {json.dumps({x: v[x] for x in v if x != 'examples'})}")
    if a.json:
        json.dump(out, open(a.json, "w"), indent=2, default=str)


if __name__ == "__main__":
    main()
