"""A client generated from the hub's OpenAPI document reads every GET operation.

Usage: openapi_client.py BASE_URL [--token TOKEN]... [--param NAME=VALUE]...

Fetches BASE_URL/api/openapi.json, generates a Python client from it with
openapi-python-client (strict: any warning fails), imports it, and for every GET operation of
the document (whatever areas it holds) finds the generated module by operationId and calls its
`sync_detailed`:

* path parameters and required query parameters are filled from the parameter's `example`
  (or its schema's `example`/`examples`/`default`/first enum value), or from `--param`
  (which wins, e.g. for ids that exist only in the running hub);
* an operation the document lets anyone call (its security, or the document's, includes `{}`)
  is called without a token and must answer 200; any other must answer 401 without a token and
  200 with one of the `--token`s (tried in order);
* when the 200 response is documented as JSON, the generated client must have parsed it
  (`.parsed` is not None): every enum, required member and type of the schema matched.

Prints one line per operation; exits 1 listing every operation that failed.
"""

import argparse
import datetime
import importlib
import inspect
import json
import keyword
import os
import pkgutil
import re
import subprocess
import sys
import tempfile
import urllib.request


def snake(name: str) -> str:
    """openapi-python-client's snake case (close enough for operation and parameter names)."""
    s = re.sub(r"[^0-9A-Za-z]+", "_", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    return s.strip("_").lower()


def resolve(doc: dict, obj: dict) -> dict:
    while isinstance(obj, dict) and "$ref" in obj:
        ref = obj["$ref"]
        assert ref.startswith("#/"), ref
        target = doc
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        obj = target
    return obj


def example_of(doc: dict, param: dict):
    if "example" in param:
        return param["example"]
    if param.get("examples"):
        first = next(iter(param["examples"].values()))
        return resolve(doc, first).get("value")
    schema = resolve(doc, param.get("schema", {}))
    if "example" in schema:
        return schema["example"]
    if schema.get("examples"):
        return schema["examples"][0]
    if "default" in schema:
        return schema["default"]
    if schema.get("enum"):
        return schema["enum"][0]
    return None


def listed_values(doc, path, param, found, anonymous, authed) -> list:
    """Values for the last path parameter `param` of `path` from the list operation one level
    up (`/x/{id}` → `GET /x`): the `param` (or `id`) member of its first items (at most five;
    empty when nothing is listed). Raises LookupError when there is no such list operation."""
    parent = path.rsplit("/", 1)[0]
    if not path.endswith("/{" + param + "}") or "get" not in doc["paths"].get(parent, {}):
        raise LookupError(f"no example for {param} and no list operation above {path}")
    op = doc["paths"][parent]["get"]
    mod = importlib.import_module(found[snake(op["operationId"])])
    for client in [anonymous] + authed:
        res = mod.sync_detailed(client=client)
        if int(res.status_code) != 200:
            continue
        body = json.loads(res.content)
        lists = [v for v in body.values() if isinstance(v, list)] if isinstance(body, dict) else [body]
        out = []
        for items in lists:
            for item in items:
                if isinstance(item, dict) and (param in item or "id" in item):
                    out.append(str(item.get(param, item.get("id"))))
        return out[:5]
    raise LookupError(f"the list operation GET {parent} answered no token with 200")


def typed(doc: dict, param: dict, value):
    """A parameter value as the generated client takes it: dates as `datetime.date`, integers
    as `int`, booleans as `bool`."""
    schema = resolve(doc, param.get("schema", {}))
    if not isinstance(value, str):
        return value
    if schema.get("format") == "date":
        return datetime.date.fromisoformat(value)
    if schema.get("format") == "date-time":
        return datetime.datetime.fromisoformat(value)
    if schema.get("type") == "integer":
        return int(value)
    if schema.get("type") == "boolean":
        return value == "true"
    return value


def anonymous_allowed(doc: dict, op: dict) -> bool:
    security = op.get("security", doc.get("security"))
    return security is None or any(len(s) == 0 for s in security)


def json_media_type(doc: dict, op: dict):
    """The JSON media type of the 200 answer (`application/json` first, else a `+json` one),
    or None."""
    ok = resolve(doc, op.get("responses", {}).get("200", {}))
    types = [ct for ct in ok.get("content", {}) if ct == "application/json" or ct.endswith("+json")]
    return sorted(types, key=lambda ct: ct != "application/json")[0] if types else None


def json_documented(doc: dict, op: dict) -> bool:
    return json_media_type(doc, op) is not None


def generate(doc_path: str, out: str) -> None:
    """Generate the client. A warning about a GET operation, or a schema the generator could
    not process (it may be one a GET answer uses), fails; warnings about other methods (such
    as an upload's binary content type) are printed."""
    cfg = os.path.join(os.path.dirname(out), "config.yaml")
    with open(cfg, "w") as f:
        f.write("project_name_override: vardhub-client\npackage_name_override: vardhub_client\n")
    venv_bin = os.path.dirname(sys.executable)
    env = dict(os.environ, PATH=venv_bin + os.pathsep + os.environ.get("PATH", ""))
    gen = subprocess.run(
        [
            os.path.join(venv_bin, "openapi-python-client"),
            "generate",
            "--path",
            doc_path,
            "--output-path",
            out,
            "--meta",
            "none",
            "--config",
            cfg,
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    report = gen.stdout + gen.stderr
    fatal = [
        line
        for line in report.splitlines()
        if line.startswith("WARNING parsing GET ")
        or "Unable to process schema" in line
        or "Failure to process schema" in line
        or "Unable to parse" in line
    ]
    if gen.returncode != 0 or fatal:
        print(report)
        sys.exit(f"openapi-python-client could not generate the GET operations: {fatal}")
    if "Warning" in report or "WARNING" in report:
        print("generator warnings about other methods:")
        print(report)


def modules(package) -> dict:
    """Every generated endpoint module by its (snake-case) name."""
    found = {}
    api = importlib.import_module(package.__name__ + ".api")
    for info in pkgutil.walk_packages(api.__path__, api.__name__ + "."):
        if not info.ispkg:
            found[info.name.rsplit(".", 1)[1]] = info.name
    return found


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("--token", action="append", default=[])
    ap.add_argument("--param", action="append", default=[])
    args = ap.parse_args()
    overrides = dict(p.split("=", 1) for p in args.param)

    with urllib.request.urlopen(args.base + "/api/openapi.json") as r:
        doc = json.load(r)
    work = tempfile.mkdtemp(prefix="vardhub-openapi-client-")
    doc_path = os.path.join(work, "openapi.json")
    with open(doc_path, "w") as f:
        json.dump(doc, f)
    out = os.path.join(work, "vardhub_client")
    generate(doc_path, out)
    sys.path.insert(0, work)
    package = importlib.import_module("vardhub_client")
    client_mod = importlib.import_module("vardhub_client.client")
    found = modules(package)

    anonymous = client_mod.Client(base_url=args.base, raise_on_unexpected_status=False, timeout=600)
    authed = [
        client_mod.AuthenticatedClient(
            base_url=args.base, token=t, raise_on_unexpected_status=False, timeout=600
        )
        for t in args.token
    ]

    failures = []
    calls = 0
    for path, item in doc["paths"].items():
        op = item.get("get")
        if op is None:
            continue
        op_id = op.get("operationId")
        label = f"GET {path} ({op_id})"
        if not op_id or snake(op_id) not in found:
            failures.append(f"{label}: no operationId or no generated module for it")
            continue
        mod = importlib.import_module(found[snake(op_id)])
        sig = inspect.signature(mod.sync_detailed)
        kwargs, listed, problems, overridden = {}, None, [], False
        params = [resolve(doc, p) for p in item.get("parameters", []) + op.get("parameters", [])]
        for p in params:
            if p.get("in") not in ("path", "query"):
                continue
            required = p.get("in") == "path" or p.get("required", False)
            value = overrides.get(f"{op_id}.{p['name']}", overrides.get(p["name"]))
            overridden = overridden or value is not None
            if value is None and required:
                value = example_of(doc, p)
            py = snake(p["name"])
            if py not in sig.parameters and py + "_" in sig.parameters:
                py += "_"
            if py not in sig.parameters:
                problems.append(f"parameter {p['name']} not in {list(sig.parameters)}")
            elif value is None and p.get("in") == "path":
                try:
                    listed = (py, listed_values(doc, path, p["name"], found, anonymous, authed))
                except LookupError as e:
                    problems.append(str(e))
            elif value is None and required:
                problems.append(f"no example for the required parameter {p['name']}")
            elif value is not None:
                kwargs[py] = typed(doc, p, value)
        if problems:
            failures.append(f"{label}: {'; '.join(problems)}")
            continue
        candidates = [kwargs]
        if listed is not None:
            if not listed[1]:
                print(f"skip {label}: no example and nothing listed above it")
                continue
            candidates = [dict(kwargs, **{listed[0]: v}) for v in listed[1]]

        outcome = None
        for args_ in candidates:

            # A client reading JSON asks for it when the answer has several media types.
            accept = json_media_type(doc, op)

            def call(client, args_=args_, accept=accept):
                if accept:
                    client = client.with_headers({"Accept": accept})
                try:
                    return mod.sync_detailed(client=client, **args_)
                except Exception as e:  # the generated parser refused the body
                    raise Refused(f"{type(e).__name__}: {e}") from e

            try:
                res, tried = call_as_documented(doc, op, call, anonymous, authed)
            except Refused as e:
                outcome = f"the generated client could not read the answer: {e}"
                break
            calls += len(tried)
            if res is None:
                outcome = f"{tried[0][1]} without a token, not 401"
                break
            if int(res.status_code) == 200:
                outcome = res
                break
            seen = ", ".join(f"{who}: {int(r.status_code)} {r.content[:160]!r}" for who, r in tried)
            outcome = (f"no 200 ({seen})", [int(r.status_code) for _, r in tried])
        # Ids listed by the hub or taken from the document's examples may name nothing (yet) in
        # this hub: 404 for every caller entitled to look is then the right answer (its body is
        # schemathesis's to check). An id the caller passed must be read.
        if (
            isinstance(outcome, tuple)
            and not overridden
            and 404 in outcome[1]
            and set(outcome[1]) <= {401, 403, 404}
        ):
            print(f"skip {label}: its ids name nothing readable in this hub (404)")
            continue
        if isinstance(outcome, tuple):
            failures.append(f"{label}: {outcome[0]}")
            continue
        if isinstance(outcome, str):
            failures.append(f"{label}: {outcome}")
            continue
        if json_documented(doc, op) and outcome.parsed is None:
            failures.append(f"{label}: 200 not parsed by the generated client: {outcome.content[:300]!r}")
            continue
        print(f"ok {label}: {type(outcome.parsed).__name__}")

    print(f"{calls} calls")
    if failures:
        print("\n".join(failures))
        sys.exit(f"{len(failures)} operation(s) failed")


class Refused(Exception):
    """The generated client raised while reading an answer."""


def call_as_documented(doc, op, call, anonymous, authed):
    """(last response, [(who, response)]). When the document lets anyone call the operation it
    is called without a token first, then (when that is not 200: content only some may see,
    such as an unpublished scenario) with each token until one gets 200. Otherwise the call
    without a token must be 401 — else (None, [("anonymous", status)]) — and then each token
    is tried until one gets 200."""
    res = call(anonymous)
    tried = [("anonymous", res)]
    if anonymous_allowed(doc, op):
        if int(res.status_code) == 200:
            return res, tried
    elif int(res.status_code) != 401:
        return None, [("anonymous", int(res.status_code))]
    for i, c in enumerate(authed):
        res = call(c)
        tried.append((f"token {i}", res))
        if int(res.status_code) == 200:
            break
    return res, tried


if __name__ == "__main__":
    main()
