"""Schemathesis against the running hub: every GET operation of its OpenAPI document.

Usage: schemathesis_check.py BASE_URL [--token TOKEN]... [--max-examples N] [--max-time S]

One run without credentials and one per token (`Authorization: Bearer TOKEN`), each with the
checks that the answers conform to the document: no server error, a documented status code,
a documented content type, documented response headers, and a body that validates against
the response's schema. Data come from the document (positive and negative: a request the
document forbids must get a documented error). Bounded by examples per operation and a time
budget per run; a fixed seed makes a failure reproducible. Exits 1 on any failure, printing
schemathesis's report.
"""

import argparse
import os
import subprocess
import sys
import tempfile

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)


def run(base: str, token, max_examples: int, max_time: int) -> tuple:
    venv_bin = os.path.dirname(sys.executable)
    cmd = [
        os.path.join(venv_bin, "schemathesis"),
        "--no-color",
        "run",
        base + "/api/openapi.json",
        "--url",
        base,
        "--include-method",
        "GET",
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(max_examples),
        "--max-time",
        str(max_time),
        "--seed",
        "17",
        "--workers",
        "1",
        "--request-timeout",
        "120",
        "--suppress-health-check",
        "all",
        "--no-shrink",
        "--generation-database",
        "none",
        "--generation-with-security-parameters",
        "false",
    ]
    if token:
        cmd += ["-H", f"Authorization: Bearer {token}"]
    env = dict(os.environ, PATH=venv_bin + os.pathsep + os.environ.get("PATH", ""), NO_COLOR="1")
    with tempfile.TemporaryDirectory() as cwd:
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd)
    return out.returncode, out.stdout + out.stderr


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("--token", action="append", default=[])
    ap.add_argument("--max-examples", type=int, default=8)
    ap.add_argument("--max-time", type=int, default=90)
    args = ap.parse_args()
    failed = []
    for i, token in enumerate([None] + args.token):
        who = "anonymous" if token is None else f"token {i}"
        code, report = run(args.base, token, args.max_examples, args.max_time)
        print(f"=== schemathesis, {who}: exit {code}")
        print(report)
        if code != 0:
            failed.append(who)
    if failed:
        sys.exit(f"schemathesis found nonconforming answers ({', '.join(failed)})")


if __name__ == "__main__":
    main()
