"""Read every table of the hub's PxWeb API v2 with the ecosystem's clients, as a new user would.

Usage: pxweb_clients.py BASE_URL (http://127.0.0.1:PORT). For every table in /api/v2/tables:
pxwebpy reads its metadata and all its data (wildcards expanded and the query split by the
client against /config's maxDataCells); pyjstat reads a JSON-stat 2 data URL into pandas. Each
must give exactly the product of the selected dimension sizes as rows, and every value must equal
the open JSON API's (/api/v1/indicators/{id}/values) — a hidden value is a null there and here.
Every PxWeb response read here is also validated against its schema in /api/openapi.json.
Prints one JSON line: {"tables": n, "values_compared": n, "failures": [...]}; exits 1 on a failure.
"""

import json
import math
import sys
import traceback
import urllib.request

import jsonschema_rs  # comes with schemathesis
from pxweb import PxApi
from pyjstat import pyjstat

BASE = sys.argv[1].rstrip("/")
CONTENTS = ["value", "numerator", "denominator", "lower", "upper"]


def get_json(path):
    with urllib.request.urlopen(BASE + path) as r:
        return json.load(r)


def source_tables():
    """Track-A tables: PxWeb table id -> the open API path of its values."""
    out = {}
    for src in get_json("/api/v1/sources")["sources"]:
        for ind in src["indicators"]:
            out[f"ext-{src['id']}-{ind['id']}"] = ind["links"]["values"]
    return out


def public_values(table_id, sources):
    """The JSON API's values: (region, kon, aldersgrupp, period, content) -> number or None.
    A track-A table's come from /api/v1/sources/…/values; the indicators' from
    /api/v1/indicators/{id}/values. A value the public status hides is None in both."""
    out = {}
    if table_id in sources:
        for v in get_json(sources[table_id])["values"]:
            shown = v["status"] in ("ok", "zero")
            for c in CONTENTS:
                out[(v["region"], v["kon"], "alla", v["period"], c)] = v[c] if shown else None
        return out
    path = f"/api/v1/indicators/{table_id}/values?page_size=5000"
    while path:
        page = get_json(path)
        for v in page["values"]:
            for c in CONTENTS:
                out[(v["region"], v["kon"], v["aldersgrupp"], v["period"], c)] = v[c]
        path = page["links"].get("next")
    return out


def check_schema(doc, name, body):
    """Validate a response body against components.schemas[name] of the OpenAPI document."""
    schema = {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
    jsonschema_rs.Draft202012Validator(schema).validate(body)


def key(codes):
    return (
        codes.get("Region", "00"),
        codes.get("Kon", "alla"),
        codes.get("Alder", "alla"),
        codes["Tid"],
        codes["ContentsCode"],
    )


def same(a, b):
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)):
        a = None if a is None or (isinstance(a, float) and math.isnan(a)) else a
        return a is None and b is None
    return abs(float(a) - float(b)) <= 1e-12 * max(abs(float(a)), abs(float(b)), 1.0)


def check_rows(table_id, rows, expected_rows, api, what):
    """rows: list of (codes by variable, value). Returns the number of values compared."""
    if len(rows) != expected_rows:
        raise AssertionError(f"{what}: {len(rows)} rows, expected {expected_rows}")
    compared = 0
    for codes, value in rows:
        k = key(codes)
        if not same(value, api.get(k)):
            raise AssertionError(f"{what}: {k}: {value!r} here, {api.get(k)!r} in the JSON API")
        compared += 1
    return compared


def main():
    api = PxApi(BASE + "/api/v2", disable_cache=True)
    tables = api.all_tables()
    failures = []
    compared = 0
    doc = get_json("/api/openapi.json")
    try:
        check_schema(doc, "PxConfig", get_json("/api/v2/config"))
        check_schema(doc, "PxTablesResponse", get_json("/api/v2/tables?lang=en&pageSize=3"))
        # pxwebpy's search, with every parameter it sends.
        if tables:
            hit = api.search(query=tables[0]["id"], past_days=1, include_discontinued=True, page_size=5)
            check_schema(doc, "PxTablesResponse", hit)
            assert [t["id"] for t in hit["tables"]][:1] == [tables[0]["id"]], hit
    except Exception as e:
        failures.append({"table": None, "error": f"{type(e).__name__}: {e}"})
    sources = source_tables()
    for t in tables:
        tid = t["id"]
        try:
            expected = public_values(tid, sources)
            check_schema(doc, "PxTableResponse", get_json(f"/api/v2/tables/{tid}"))
            check_schema(doc, "PxMetadata", get_json(f"/api/v2/tables/{tid}/metadata?lang=en"))
            check_schema(doc, "PxData", get_json(f"/api/v2/tables/{tid}/data"))
            check_schema(doc, "PxSelectionResponse", get_json(f"/api/v2/tables/{tid}/defaultselection"))
            variables = api.get_table_variables(tid)
            sizes = {v: len(meta["category"]["label"]) for v, meta in variables.items()}
            label_to_code = {meta["label"]: v for v, meta in variables.items()}

            # pxwebpy: the whole table, codes in the columns.
            rows = api.get_table_data_all(tid, show="code")
            pairs = [
                ({label_to_code[k]: c for k, c in r.items() if k != "value"}, r["value"])
                for r in rows
            ]
            compared += check_rows(tid, pairs, math.prod(sizes.values()), expected, f"pxwebpy {tid}")

            # pyjstat: a GET data URL (every region and breakdown, the two newest periods).
            selection = "&".join(
                f"valueCodes[{v}]=" + ("top(2)" if v == "Tid" else "*") for v in variables
            )
            ds = pyjstat.Dataset.read(f"{BASE}/api/v2/tables/{tid}/data?{selection}")
            df = ds.write("dataframe", naming="id")
            dims = [c for c in df.columns if c != "value"]
            pairs = [
                ({d: row[d] for d in dims}, None if row["value"] is None else row["value"])
                for row in df.to_dict("records")
            ]
            want = math.prod(min(2, n) if v == "Tid" else n for v, n in sizes.items())
            compared += check_rows(tid, pairs, want, expected, f"pyjstat {tid}")
        except Exception as e:  # every table is tried; all failures are reported
            failures.append({"table": tid, "error": f"{type(e).__name__}: {e}",
                             "trace": traceback.format_exc(limit=3)})
    external = sum(1 for t in tables if t["id"] in sources)
    print(json.dumps({"tables": len(tables), "external_tables": external,
                      "values_compared": compared, "failures": failures}))
    return 1 if failures or not tables else 0


if __name__ == "__main__":
    sys.exit(main())
