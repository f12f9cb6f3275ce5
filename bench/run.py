#!/usr/bin/env python3
"""Vårddatahubben against DuckDB, side by side, on one synthetic Sweden (issue 7).

Usage: bench/run.py --scale 0.01|0.1 [--repeat N] [--binary PATH] [--out bench/results]
                    [--work DIR] [--only ingest,indicators,api,memory] [--memory-sizes MB ...]

Creates bench/.venv (duckdb, pyarrow from PyPI) on first use and re-runs itself inside it. Then:
 1. ingest      `vardhub synth --seed 7 --from 2024-01 --to 2024-12`; time `vardhub init` +
                `vardhub ingest` of every delivery (rows/s, MB/s of CSV, peak RSS) against DuckDB's
                COPY (SELECT ... FROM read_csv(...)) TO parquet over the same CSV files
                (bench/duckdb_ingest.py, bulk and per delivery).
 2. indicators  `vardhub indicators compute` against the independent SQL in bench/duckdb/ over the
                same lake (bench/duckdb_indicators.py), and every value cross-checked to 1e-9; the
                DuckDB values are also checked against the generator's truth.json.
 3. api         `vardhub serve` on loopback; wrk (Debian package) at a fixed concurrency and at a
                paced 1 000 req/s, bounded in time and in requests.
 4. memory      peak RSS of ingest for growing single deliveries (bench/ingest_memory.py).
Writes bench/results/bench-<date>-scale<S>.{md,json}. Medians over --repeat runs, with min-max.
"""
import argparse, datetime, json, os, platform, re, shutil, socket, statistics, subprocess, sys, time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
VENV = os.path.join(BENCH, ".venv")
VPY = os.path.join(VENV, "bin", "python")
REQUIREMENTS = ["duckdb==2.0.0", "pyarrow==26.0.1"]
TARGETS = {"indicators": 0.5, "ingest": 1.0, "api_p99_ms": 10.0, "api_rate": 1000}
# The child's peak RSS: a tiny wrapper process so RUSAGE_CHILDREN is that one process only.
WRAPPER = ("import resource, subprocess, sys, time; t = time.perf_counter(); r = subprocess.run(sys.argv[1:]); "
           "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
           "sys.stderr.write('\\nWALL %f CPU %f MAXRSS %d\\n' % (time.perf_counter() - t, u.ru_utime + u.ru_stime, "
           "u.ru_maxrss)); sys.exit(r.returncode)")


def ensure_venv():
    """Re-exec inside bench/.venv, creating it (and installing the pinned packages) if needed."""
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    if not os.path.exists(VPY):
        print("creating", VENV, flush=True)
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    probe = subprocess.run([VPY, "-c", "import duckdb, pyarrow"], capture_output=True)
    if probe.returncode != 0:
        subprocess.run([VPY, "-m", "pip", "install", "--quiet", *REQUIREMENTS], check=True)
    os.execv(VPY, [VPY, os.path.abspath(__file__), *sys.argv[1:]])


def log(*a):
    print(f"[{datetime.datetime.now().strftime('%H:%M:%S')}]", *a, flush=True)


def timed(cmd, **kw):
    """Run cmd under the RSS wrapper. Returns (CompletedProcess, wall seconds, peak RSS MB); the
    child's CPU seconds (user + system) are in p.cpu_seconds."""
    p = subprocess.run([sys.executable, "-c", WRAPPER, *cmd], capture_output=True, text=True, **kw)
    m = re.search(r"WALL (\S+) CPU (\S+) MAXRSS (\d+)\s*$", p.stderr)
    p.stderr = p.stderr[: m.start()] if m else p.stderr
    p.cpu_seconds = float(m.group(2))
    return p, float(m.group(1)), int(m.group(3)) / 1024


def spread(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "runs": xs}


def med(s, default=None):
    return s["median"] if s else default


def has_command(exe, *cmd):
    return subprocess.run([exe, *cmd, "--help"], capture_output=True).returncode == 0


# ---------------------------------------------------------------------------------------------
def machine(exe):
    def sh(*c):
        try:
            return subprocess.run(c, capture_output=True, text=True, timeout=20).stdout.strip()
        except Exception:
            return ""
    cpu = ""
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", open("/proc/meminfo").read()).group(1))
    osname = platform.platform()
    if os.path.exists("/etc/os-release"):
        m = re.search(r'PRETTY_NAME="([^"]+)"', open("/etc/os-release").read())
        osname = f"{m.group(1)} ({platform.release()})" if m else osname
    src = os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(exe))))
    import duckdb
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(mem_kb / 2**20, 1), "os": osname,
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "vardhub": sh(exe, "--version"), "vardhub_binary": exe,
            "vardhub_binary_mtime": datetime.datetime.fromtimestamp(os.path.getmtime(exe), datetime.UTC).isoformat(timespec="seconds"),
            "vardhub_git_commit": sh("git", "-C", src, "rev-parse", "--short", "HEAD"),
            "bench_git_commit": sh("git", "-C", ROOT, "rev-parse", "--short", "HEAD"),
            "duckdb": duckdb.__version__, "python": platform.python_version(),
            "wrk": ("wrk " + " ".join(re.findall(r"wrk (\S+)", sh("sh", "-c", "wrk --version 2>&1"))[:1])) if shutil.which("wrk") else None}


# ---------------------------------------------------------------------------------------------
def synth(exe, scale, work):
    out = os.path.join(work, "synth")
    if os.path.exists(os.path.join(out, "truth.json")):
        log("reusing", out)
    else:
        shutil.rmtree(out, ignore_errors=True)
        log("synth scale", scale)
        subprocess.run([exe, "synth", "--out", out, "--scale", str(scale), "--seed", "7",
                        "--from", "2024-01", "--to", "2024-12"], check=True, capture_output=True)
    deliveries, rows, size = [], 0, 0
    for d in sorted(os.listdir(out)):
        m = os.path.join(out, d, "manifest.json")
        if os.path.isfile(m):
            deliveries.append(os.path.join(out, d))
            for f in json.load(open(m))["files"]:
                rows += f["rows"]
                size += os.path.getsize(os.path.join(out, d, f["path"]))
    return out, deliveries, rows, size


def bench_ingest(exe, work, deliveries, rows, size, repeat):
    ours, duck_bulk, duck_per = [], [], []
    hub = None
    for i in range(repeat):
        hub = os.path.join(work, "hub")
        shutil.rmtree(hub, ignore_errors=True)
        t = time.perf_counter()
        subprocess.run([exe, "--data", hub, "init", "--synthetic"], check=True, capture_output=True)
        init_s = time.perf_counter() - t
        p, wall, rss = timed([exe, "--data", hub, "ingest", "--quiet", "--json", *deliveries])
        reports = json.loads(p.stdout) if p.stdout.strip().startswith("[") else []
        accepted = sum(1 for r in reports if str(r.get("status", "")).startswith("accepted"))
        total = init_s + wall
        ours.append({"seconds": total, "cpu_seconds": p.cpu_seconds, "rows_per_s": rows / total,
                     "mb_per_s": size / 2**20 / total, "peak_rss_mb": rss, "exit": p.returncode, "accepted": accepted, "deliveries": len(deliveries)})
        log(f"ingest run {i + 1}: ours {total:.2f} s ({rows / total:,.0f} rows/s, {rss:.0f} MB), "
            f"{accepted}/{len(deliveries)} accepted, exit {p.returncode}")
        for mode, acc in (("--bulk", duck_bulk), ("", duck_per)):
            out = os.path.join(work, "duckdb-parquet")
            shutil.rmtree(out, ignore_errors=True)
            q, wall, rss = timed([sys.executable, os.path.join(BENCH, "duckdb_ingest.py"),
                                  os.path.join(work, "synth"), out, *([mode] if mode else [])])
            if q.returncode != 0:
                raise SystemExit("duckdb ingest failed: " + q.stderr[-2000:])
            r = json.loads(q.stdout.strip().splitlines()[-1])
            acc.append({"seconds": wall, "cpu_seconds": q.cpu_seconds, "inner_seconds": r["seconds"], "rows_per_s": rows / wall,
                        "mb_per_s": size / 2**20 / wall, "peak_rss_mb": rss})
            log(f"ingest run {i + 1}: duckdb {r['mode']} {wall:.2f} s ({rows / wall:,.0f} rows/s, {rss:.0f} MB)")
        shutil.rmtree(os.path.join(work, "duckdb-parquet"), ignore_errors=True)

    def agg(runs):
        return {k: spread([r[k] for r in runs]) for k in ("seconds", "cpu_seconds", "rows_per_s", "mb_per_s", "peak_rss_mb")}
    res = {"rows": rows, "csv_mb": round(size / 2**20, 1), "deliveries": len(deliveries),
           "ours": agg(ours), "ours_runs": ours, "duckdb_bulk": agg(duck_bulk), "duckdb_per_delivery": agg(duck_per)}
    o = med(res["ours"]["rows_per_s"])
    res["ratio_vs_bulk"] = o / med(res["duckdb_bulk"]["rows_per_s"])
    res["ratio_vs_per_delivery"] = o / med(res["duckdb_per_delivery"]["rows_per_s"])
    return res, hub


# ---------------------------------------------------------------------------------------------
def bench_indicators(exe, hub, truth, repeat):
    import duckdb_indicators as di
    res = {"duckdb": {}, "ours": None}
    duck_runs, duck_rows = [], None
    for i in range(repeat):
        rows, timings, setup, total = di.compute(hub)
        duck_runs.append({"total_ms": total, "setup_ms": setup, "per_indicator_ms": timings})
        duck_rows = rows
        log(f"indicators run {i + 1}: duckdb {total:.0f} ms")
    ids = sorted(duck_runs[0]["per_indicator_ms"])
    res["duckdb"] = {"total_ms": spread([r["total_ms"] for r in duck_runs]),
                     "setup_ms": spread([r["setup_ms"] for r in duck_runs]),
                     "per_indicator_ms": {k: spread([r["per_indicator_ms"][k] for r in duck_runs]) for k in ids}}
    res["truth"] = di.check_truth(duck_rows, truth)
    res["truth_match"] = all(v["numerator_diff"] == 0 and v["denominator_diff"] == 0 and v["missing"] == 0
                             for v in res["truth"].values())
    if not has_command(exe, "indicators"):
        res["ours"] = None
        res["note"] = "not measured: the binary has no `indicators` command"
        log(res["note"])
        return res
    our_runs, result_path = [], None
    for i in range(repeat):
        p, wall, rss = timed([exe, "--data", hub, "indicators", "compute"])
        if p.returncode != 0:
            res["note"] = f"`vardhub indicators compute` failed (exit {p.returncode}): {(p.stderr or p.stdout)[-1500:]}"
            log(res["note"])
            return res
        per, disclosure_ms = {}, None
        for line in p.stdout.splitlines():
            m = re.match(r"^(\w+)\s+([\d.]+)\s+(\d+)\s*$", line)
            if m and m.group(1) in ids:
                per[m.group(1)] = float(m.group(2))
            m = re.search(r"results: (\S+)", line)
            if m:
                result_path = m.group(1)
            m = re.search(r"disclosure control.* ([\d.]+) s\s*$", line)
            if m:
                disclosure_ms = float(m.group(1)) * 1000
        our_runs.append({"total_ms": wall * 1000, "per_indicator_ms": per, "peak_rss_mb": rss,
                         "disclosure_ms": disclosure_ms})
        log(f"indicators run {i + 1}: ours {wall * 1000:.0f} ms (sum of per-indicator {sum(per.values()):.0f} ms)")
    res["ours"] = {"total_ms": spread([r["total_ms"] for r in our_runs]),
                   "sum_per_indicator_ms": spread([sum(r["per_indicator_ms"].values()) for r in our_runs]),
                   "peak_rss_mb": spread([r["peak_rss_mb"] for r in our_runs]),
                   "disclosure_ms": spread([r["disclosure_ms"] for r in our_runs]),
                   "per_indicator_ms": {k: spread([r["per_indicator_ms"].get(k) for r in our_runs]) for k in ids}}
    res["ratio"] = med(res["ours"]["total_ms"]) / med(res["duckdb"]["total_ms"])
    if result_path and not os.path.isabs(result_path):
        result_path = os.path.join(hub, result_path) if os.path.exists(os.path.join(hub, result_path)) else result_path
    res["results_parquet"] = result_path
    if result_path and os.path.exists(result_path):
        res["compare"] = di.compare(di.read_ours(result_path), duck_rows)
        res["values_match"] = res["compare"]["values_match"]
    else:
        res["values_match"] = False
        res["note"] = f"results Parquet not found ({result_path})"
    return res


# ---------------------------------------------------------------------------------------------
WRK_LUA = r"""
-- Cycles through the query paths in %(paths)s; stops each thread after %(limit)d requests;
-- delay() paces each connection (0 = as fast as possible).
local paths = {}
local pace = %(delay)d
local limit = %(limit)d
local i, done = 0, 0
function init(args)
  for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
  i = math.random(#paths)
end
function request()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
function delay() return pace end
function response(status, headers, body)
  done = done + 1
  if status ~= 200 then errors = (errors or 0) + 1 end
  if done >= limit then wrk.thread:stop() end
end
"""


def parse_wrk(text):
    def ms(v, unit):
        return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]
    out = {}
    for pct in ("50", "75", "90", "99"):
        m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)
        if m:
            out[f"p{pct}_ms"] = ms(*m.groups())
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    out["rps"] = float(m.group(1)) if m else None
    m = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", text)
    if m:
        out["requests"] = int(m.group(1))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    out["non_2xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: (.*)", text)
    out["socket_errors"] = m.group(1).strip() if m else None
    return out


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def bench_api(exe, hub, work, duck_rows_sample, repeat, duration=10, concurrency=16, rate=1000):
    if not has_command(exe, "serve"):
        return {"note": "not measured: serve missing (the binary has no `serve` command)"}
    if not shutil.which("wrk"):
        return {"note": "not measured: wrk missing (apt-get install wrk)"}
    import urllib.request
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    srv_log = open(os.path.join(work, "serve.log"), "w")
    srv = subprocess.Popen([exe, "serve", "--data", hub, "--addr", f"127.0.0.1:{port}"],
                           stdout=srv_log, stderr=subprocess.STDOUT)
    try:
        paths = [f"/api/v1/indicators/{ind}/values?region={reg}&period={per}" for ind, reg, per in duck_rows_sample]
        deadline = time.time() + 30
        ok = None
        while time.time() < deadline:
            if srv.poll() is not None:
                return {"note": f"not measured: `vardhub serve` exited with {srv.returncode} (see {srv_log.name})"}
            try:
                with urllib.request.urlopen(base + paths[0], timeout=2) as r:
                    ok = r.status
                    break
            except urllib.error.HTTPError as e:
                ok = e.code
                break
            except Exception:
                time.sleep(0.2)
        if ok != 200:
            srv_log.flush()
            panic = [l.strip() for l in open(srv_log.name, errors="replace") if "panicked" in l or "error" in l.lower()]
            return {"note": f"not measured: the server did not answer 200 on {paths[0]} (got {ok}); "
                            f"{(panic[:1] or ['see ' + srv_log.name])[0][:300]}"}
        paths_file = os.path.join(work, "api-paths.txt")
        open(paths_file, "w").write("\n".join(paths) + "\n")
        res = {"url_example": paths[0], "distinct_queries": len(paths), "duration_s": duration}
        runs = {"fixed_concurrency": [], "fixed_rate": []}

        def wrk(kind, conns, delay_ms, secs):
            limit = 200_000 if delay_ms == 0 else rate * secs // 2 + 1000  # requests per thread (2 threads)
            lua = os.path.join(work, f"wrk-{kind}.lua")
            open(lua, "w").write(WRK_LUA % {"paths": paths_file, "delay": delay_ms, "limit": limit})
            p = subprocess.run(["wrk", "-t2", f"-c{conns}", f"-d{secs}s", "--timeout", "2s", "--latency",
                                "-s", lua, base], capture_output=True, text=True, timeout=secs + 60)
            r = parse_wrk(p.stdout)
            r["connections"] = conns
            r["pace_ms_per_connection"] = delay_ms
            return r

        # Fixed rate: 40 connections (wrk gives each of its 2 threads connections // 2), each sending
        # one request, waiting for the answer, then pausing. Calibrate the pause (whole ms, 3 s per
        # try) downwards from 40 ms until the offered rate reaches the target.
        conns = 40
        pace = conns * 1000 // rate
        cal = None
        for _ in range(8):
            cal = wrk("calibration", conns, pace, 3)
            log(f"api calibration: {cal.get('rps')} req/s with {conns} connections pausing {pace} ms")
            if not cal.get("rps") or cal["rps"] >= 0.99 * rate or pace == 0:
                break
            pace -= 1
        res["fixed_rate_calibration"] = cal
        for i in range(repeat):
            for kind in runs:
                r = wrk(kind, concurrency, 0, duration) if kind == "fixed_concurrency" else wrk(kind, conns, pace, duration)
                runs[kind].append(r)
                log(f"api run {i + 1} {kind}: {r.get('rps')} req/s, p50 {r.get('p50_ms')} ms, p99 {r.get('p99_ms')} ms")
        for kind, rs in runs.items():
            res[kind] = {k: spread([r.get(k) for r in rs]) for k in ("rps", "p50_ms", "p90_ms", "p99_ms", "requests")}
            res[kind]["connections"] = rs[0]["connections"]
            res[kind]["pace_ms_per_connection"] = rs[0]["pace_ms_per_connection"]
            res[kind]["non_2xx"] = sum(r["non_2xx"] for r in rs)
            res[kind]["socket_errors"] = [r["socket_errors"] for r in rs if r["socket_errors"]]
        return res
    finally:
        srv.terminate()
        try:
            srv.wait(10)
        except subprocess.TimeoutExpired:
            srv.kill()
        srv_log.close()


# ---------------------------------------------------------------------------------------------
def bench_memory(exe, work, sizes):
    env = dict(os.environ, VARDHUB_BIN=exe, BENCH_WORK=os.path.join(work, "memory"), BENCH_NO_REPORT="1")
    p = subprocess.run([sys.executable, os.path.join(BENCH, "ingest_memory.py"), *[str(s) for s in sizes]],
                       capture_output=True, text=True, env=env)
    rows = [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]
    for r in rows:
        log(f"memory {r['size_mb']} MB: peak RSS {r['peak_rss_mb']} MB, {r['rows_per_s']:,} rows/s, {r['status']}")
    if p.returncode != 0:
        return {"rows": rows, "note": "ingest_memory.py failed: " + p.stderr[-1500:]}
    return {"rows": rows}


# ---------------------------------------------------------------------------------------------
def fmt(x, nd=2):
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:,.{nd}f}"
    return f"{x:,}" if isinstance(x, int) else str(x)


def sp(s, nd=1, scale=1.0):
    if not s:
        return "–"
    return f"{s['median'] * scale:,.{nd}f} ({s['min'] * scale:,.{nd}f}–{s['max'] * scale:,.{nd}f})"


def met(ok):
    return "–" if ok is None else ("**met**" if ok else "**not met**")


def write_report(path, rep):
    ing, ind, api, mem = rep["ingest"], rep["indicators"], rep["api"], rep["memory"]
    m = rep["machine"]
    L = []
    L.append(f"# Benchmark: Vårddatahubben vs DuckDB, scale {rep['scale']} ({rep['date']})\n")
    L.append(f"Command: `{rep['command']}` · medians of {rep['repeat']} runs, (min–max) in brackets.\n")
    L.append(f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, {m['os']}. "
             f"`{m['vardhub']}` (binary built {m['vardhub_binary_mtime']}, source commit {m['vardhub_git_commit']}), "
             f"bench commit {m['bench_git_commit']}, DuckDB {m['duckdb']}, Python {m['python']}, {m['wrk'] or 'no wrk'}. "
             f"Load average (1/5/15 min) at start {m['load_average_at_start']}, at end {m.get('load_average_at_end')} "
             "— other processes on a shared machine make timings noisy; compare the ratios of interleaved runs.\n")
    L.append("## At a glance\n")
    L.append("| measurement | Vårddatahubben | DuckDB | ratio | target | status |\n|---|---|---|---|---|---|")
    if ing:
        L.append(f"| 1. ingest, rows/s | {fmt(med(ing['ours']['rows_per_s']), 0)} | {fmt(med(ing['duckdb_bulk']['rows_per_s']), 0)} (bulk) · "
                 f"{fmt(med(ing['duckdb_per_delivery']['rows_per_s']), 0)} (per delivery) | {ing['ratio_vs_bulk']:.2f} × (vs bulk) · "
                 f"{ing['ratio_vs_per_delivery']:.2f} × (vs per delivery) | ≥ 1.0 × | {met(ing['ratio_vs_bulk'] >= TARGETS['ingest'])} |")
    else:
        L.append("| 1. ingest | not run | | | ≥ 1.0 × | – |")
    if ind and ind.get("ours"):
        L.append(f"| 2. indicators, total ms | {fmt(med(ind['ours']['total_ms']), 0)} | {fmt(med(ind['duckdb']['total_ms']), 0)} | "
                 f"{ind['ratio']:.2f} × (our time ÷ DuckDB's) | ≤ 0.5 × | {met(ind['ratio'] <= TARGETS['indicators'])} |")
        L.append(f"| 2. indicators, same values (1e-9) | | | | all rows | {'**yes**' if ind.get('values_match') else '**NO**'} |")
    elif ind:
        L.append(f"| 2. indicators, total ms | {ind.get('note')} | {fmt(med(ind['duckdb']['total_ms']), 0)} | – | ≤ 0.5 × | not measured |")
    if api and "fixed_rate" in api:
        p99 = med(api["fixed_rate"]["p99_ms"])
        L.append(f"| 3. API p99 at {fmt(med(api['fixed_rate']['rps']), 0)} req/s (paced) | {fmt(p99, 2)} ms | – | – | < 10 ms at 1 000 req/s | "
                 f"{met(p99 is not None and p99 < TARGETS['api_p99_ms'] and med(api['fixed_rate']['rps']) >= 0.95 * TARGETS['api_rate'])} |")
        L.append(f"| 3. API max req/s at {api['fixed_concurrency']['connections']} connections | {fmt(med(api['fixed_concurrency']['rps']), 0)} | – | – | | |")
    else:
        L.append(f"| 3. API | {(api or {}).get('note', 'not run')} | – | – | < 10 ms at 1 000 req/s | not measured |")
    if mem and mem.get("rows"):
        peak = max(r["peak_rss_mb"] for r in mem["rows"])
        L.append(f"| 4. ingest peak RSS, deliveries of {', '.join(fmt(r['size_mb'], 0) for r in mem['rows'])} MB | "
                 f"{', '.join(fmt(r['peak_rss_mb'], 0) for r in mem['rows'])} MB | – | – | flat (streaming) | "
                 f"{met(peak < 2 * min(r['peak_rss_mb'] for r in mem['rows']) + 64)} |")
    L.append("")
    if ing:
        L.append("## 1. Ingest\n")
        L.append(f"{ing['deliveries']} deliveries, {ing['rows']:,} rows, {ing['csv_mb']} MB of CSV (`;`, decimal comma, CRLF, UTF-8). "
                 "Ours: `vardhub init --synthetic` + one `vardhub ingest --quiet --json` over all deliveries "
                 "(decode, validate, pseudonymise, Parquet zstd, fsync, publish, catalogue, reports). DuckDB: "
                 "`COPY (SELECT * FROM read_csv(..., delim ';', decimal_separator ',', columns = <types from specs/>)) "
                 "TO parquet (zstd)` in a fresh process, no validation; *bulk* = one COPY per table over all its files, "
                 "*per delivery* = one COPY per CSV file (the lake's layout). `ingest_ratio` is against bulk, the stricter one.\n")
        L.append("| | wall s | CPU s (user+sys) | rows/s | MB/s | peak RSS MB |\n|---|---|---|---|---|---|")
        for name, key in (("vardhub", "ours"), ("DuckDB bulk", "duckdb_bulk"), ("DuckDB per delivery", "duckdb_per_delivery")):
            a = ing[key]
            L.append(f"| {name} | {sp(a['seconds'], 2)} | {sp(a['cpu_seconds'], 2)} | {sp(a['rows_per_s'], 0)} | "
                     f"{sp(a['mb_per_s'], 1)} | {sp(a['peak_rss_mb'], 0)} |")
        acc = ing["ours_runs"][-1]
        L.append(f"\nAccepted {acc['accepted']} of {acc['deliveries']} deliveries (exit {acc['exit']}).\n")
    if ind:
        L.append("## 2. Indicators\n")
        L.append("DuckDB: one connection, one view per lake table over the current deliveries' files (from the catalogue), "
                 "then `bench/duckdb/<id>.sql` (the recipe as SQL) and `bench/duckdb/_aggregate.sql` (strata, Sweden, "
                 "direct standardisation) per indicator; total includes connecting and registering the views. Ours: wall "
                 "time of `vardhub indicators compute` (all indicators, including process start and writing the results).\n")
        if ind.get("note"):
            L.append(f"**{ind['note']}**\n")
        L.append("| indicator | vardhub ms | DuckDB ms | ratio |\n|---|---|---|---|")
        for k, d in ind["duckdb"]["per_indicator_ms"].items():
            o = ind["ours"]["per_indicator_ms"].get(k) if ind.get("ours") else None
            r = f"{med(o) / med(d):.2f}" if o and med(o) else "–"
            L.append(f"| {k} | {sp(o, 1)} | {sp(d, 1)} | {r} |")
        if ind.get("ours"):
            L.append(f"| **total (wall)** | {sp(ind['ours']['total_ms'], 0)} | {sp(ind['duckdb']['total_ms'], 0)} | **{ind['ratio']:.2f}** |")
            L.append(f"| sum of per-indicator | {sp(ind['ours']['sum_per_indicator_ms'], 0)} | "
                     f"{fmt(sum(med(v) for v in ind['duckdb']['per_indicator_ms'].values()), 0)} | |")
            if ind["ours"].get("disclosure_ms"):
                L.append(f"| of our total: disclosure control (no DuckDB counterpart) | {sp(ind['ours']['disclosure_ms'], 0)} | – | |")
        else:
            L.append(f"| **total (wall)** | – | {sp(ind['duckdb']['total_ms'], 0)} | – |")
        L.append("")
        if "compare" in ind:
            c = ind["compare"]
            L.append(f"**Cross-check (numerator, denominator, value, standardised; relative 1e-9): "
                     f"{'all ' + str(c['rows_compared']) + ' rows match' if c['values_match'] else 'MISMATCHES'}.**\n")
            L.append("| indicator | rows engine | rows DuckDB | rows with a differing field | only engine | only DuckDB | fields |\n|---|---|---|---|---|---|---|")
            for k, e in sorted(c["per_indicator"].items()):
                L.append(f"| {k} | {e['rows_engine']} | {e['rows_duckdb']} | {e['mismatched_rows']} | {e['only_engine']} | "
                         f"{e['only_duckdb']} | {', '.join(f'{f}: {n}' for f, n in e['fields'].items()) or '–'} |")
            L.append("\nFirst differing rows per indicator are in the JSON (`indicators.compare.per_indicator.*.examples`); "
                     "the readings behind each difference are discussed in bench/README.md.\n")
        L.append("DuckDB values against the generator's counted truth (`truth.json`, regions and Sweden × month, "
                 f"(alla, alla) rows): {'all match' if ind['truth_match'] else 'DIFFERENCES'} — " +
                 ", ".join(f"{k} {v['compared']} cells" for k, v in ind["truth"].items()) + ". "
                 + "".join(f"{k}: {v['not_observable']} region-months not computed by either side because the "
                           "follow-up reaches past the last population extract (the generator counts those deaths). "
                           for k, v in ind["truth"].items() if v.get("not_observable")) + "\n")
    L.append("## 3. API\n")
    if api and "fixed_rate" in api:
        L.append(f"`vardhub serve` on 127.0.0.1, `wrk -t2` with a Lua script cycling through {api['distinct_queries']} "
                 f"queries like `{api['url_example']}`; {api['duration_s']} s per run and a request cap per thread. "
                 f"Fixed rate: {api['fixed_rate']['connections']} connections, each pausing {api['fixed_rate'].get('pace_ms_per_connection')} ms between requests (calibrated to ≈ 1 000 req/s; wrk measures from "
                 "send to response, so latency under queueing is understated — coordinated omission).\n")
        L.append("| run | connections | req/s | p50 ms | p90 ms | p99 ms | non-2xx |\n|---|---|---|---|---|---|---|")
        for kind in ("fixed_rate", "fixed_concurrency"):
            a = api[kind]
            L.append(f"| {kind.replace('_', ' ')} | {a['connections']} | {sp(a['rps'], 0)} | {sp(a['p50_ms'], 2)} | "
                     f"{sp(a['p90_ms'], 2)} | {sp(a['p99_ms'], 2)} | {a['non_2xx']} |")
        L.append("")
    else:
        L.append(f"**{(api or {}).get('note', 'not run')}.**\n")
    L.append("## 4. Memory (streaming ingest)\n")
    if mem and mem.get("rows"):
        L.append("One `vardkontakter` delivery of growing size (bench/make_big_delivery.py), ingested into a fresh hub "
                 "(bench/ingest_memory.py).\n")
        L.append("| delivery MB | rows | status | seconds | rows/s | MB/s | peak RSS MB |\n|---|---|---|---|---|---|---|")
        for r in mem["rows"]:
            L.append(f"| {r['size_mb']} | {r['rows']:,} | {r['status']} | {r['seconds']} | {r['rows_per_s']:,} | {r['mb_per_s']} | {r['peak_rss_mb']} |")
        L.append("")
        if mem.get("note"):
            L.append(f"**{mem['note']}**\n")
    else:
        L.append("not run\n")
    if rep.get("notes"):
        L.append("## Notes\n")
        L.extend(f"- {n}" for n in rep["notes"])
        L.append("")
    open(path, "w").write("\n".join(L))


# ---------------------------------------------------------------------------------------------
def rounded(x):
    """Floats to 4 decimals (timings and rates carry no more; 16 digits only add noise)."""
    if isinstance(x, float):
        return round(x, 4)
    if isinstance(x, dict):
        return {k: rounded(v) for k, v in x.items()}
    if isinstance(x, list):
        return [rounded(v) for v in x]
    return x


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--binary", default=os.environ.get("VARDHUB_BIN") or os.path.join(ROOT, "target", "release", "vardhub"),
                    help="the vardhub binary (default: $VARDHUB_BIN or target/release/vardhub)")
    ap.add_argument("--out", default=os.path.join(BENCH, "results"))
    ap.add_argument("--work", default=os.path.join(BENCH, "work"))
    ap.add_argument("--only", default="ingest,indicators,api,memory")
    ap.add_argument("--memory-sizes", type=float, nargs="*")
    ap.add_argument("--api-duration", type=int, default=10)
    a = ap.parse_args()
    ensure_venv()
    sys.path.insert(0, BENCH)
    exe = os.path.abspath(a.binary)
    if not os.access(exe, os.X_OK):
        raise SystemExit(f"no vardhub binary at {exe} (build it with `cargo build --release` or pass --binary)")
    only = set(a.only.split(","))
    work = os.path.abspath(os.path.join(a.work, f"scale{a.scale:g}"))
    os.makedirs(work, exist_ok=True)
    started = time.time()
    rep = {"scale": a.scale, "date": datetime.date.today().isoformat(), "repeat": a.repeat,
           "command": "bench/run.py " + " ".join(sys.argv[1:]), "machine": machine(exe), "notes": []}
    synth_dir, deliveries, rows, size = synth(exe, a.scale, work)
    hub = os.path.join(work, "hub")
    ing = ind = api = mem = None
    if "ingest" in only or ({"indicators", "api"} & only and not os.path.exists(os.path.join(hub, "catalogue.sqlite"))):
        ing, hub = bench_ingest(exe, work, deliveries, rows, size, a.repeat)
    if "indicators" in only:
        ind = bench_indicators(exe, hub, os.path.join(synth_dir, "truth.json"), a.repeat)
    elif "api" in only and has_command(exe, "indicators"):
        # The API serves the latest indicator run: make sure there is one.
        subprocess.run([exe, "--data", hub, "indicators", "compute"], capture_output=True)
    if "api" in only:
        import duckdb_indicators as di
        sample = sorted({(r["indicator"], r["region"], r["period"]) for r in di.compute(hub)[0]
                         if r["kon"] == "alla" and r["aldersgrupp"] == "alla"})
        api = bench_api(exe, hub, work, sample, a.repeat, duration=a.api_duration)
        if "note" in api:
            log(api["note"])
    if "memory" in only:
        sizes = a.memory_sizes or ([16, 64, 128] if a.scale < 0.05 else [64, 256, 1024])
        mem = bench_memory(exe, work, sizes)
    rep.update({"ingest": ing, "indicators": ind, "api": api, "memory": mem})
    # The top-level keys of issue 7.
    rep["ingest_ratio"] = ing["ratio_vs_bulk"] if ing else None
    rep["ingest_ratio_per_delivery"] = ing["ratio_vs_per_delivery"] if ing else None
    rep["indicators_ratio"] = ind.get("ratio") if ind else None
    rep["api_p99_ms"] = med(api["fixed_rate"]["p99_ms"]) if api and "fixed_rate" in api else None
    rep["api_rps"] = med(api["fixed_rate"]["rps"]) if api and "fixed_rate" in api else None
    rep["api_max_rps"] = med(api["fixed_concurrency"]["rps"]) if api and "fixed_concurrency" in api else None
    peaks = ([med(ing["ours"]["peak_rss_mb"])] if ing else []) + [r["peak_rss_mb"] for r in (mem or {}).get("rows", [])]
    rep["ingest_peak_rss_mb"] = max(peaks) if peaks else None
    rep["values_match"] = bool(ind and ind.get("values_match"))
    if not (ind and ind.get("ours")):
        rep["values_match_note"] = "false because our side was not measured (see indicators.note)"
    rep["truth_match"] = bool(ind and ind.get("truth_match"))
    rep["targets"] = {
        "indicators_ratio_max": TARGETS["indicators"], "ingest_ratio_min": TARGETS["ingest"],
        "api_p99_ms_max": TARGETS["api_p99_ms"], "api_rate": TARGETS["api_rate"],
        "indicators_met": None if rep["indicators_ratio"] is None else rep["indicators_ratio"] <= TARGETS["indicators"],
        "ingest_met": None if rep["ingest_ratio"] is None else rep["ingest_ratio"] >= TARGETS["ingest"],
        "api_met": None if rep["api_p99_ms"] is None else (rep["api_p99_ms"] < TARGETS["api_p99_ms"] and rep["api_rps"] >= 0.95 * TARGETS["api_rate"])}
    rep["seconds"] = round(time.time() - started, 1)
    rep["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    os.makedirs(a.out, exist_ok=True)
    stem = os.path.join(a.out, f"bench-{rep['date']}-scale{a.scale:g}")
    top = ["scale", "ingest_ratio", "indicators_ratio", "api_p99_ms", "api_rps", "ingest_peak_rss_mb", "values_match"]
    ordered = {k: rep[k] for k in top} | {k: v for k, v in rep.items() if k not in top}
    json.dump(rounded(ordered), open(stem + ".json", "w"), indent=2, default=str)
    write_report(stem + ".md", rep)
    log("wrote", stem + ".md", "and .json")
    print(json.dumps({k: rep[k] for k in top}))


if __name__ == "__main__":
    main()
