#!/usr/bin/env python3
"""Streaming benchmark: peak RSS and throughput of `vardhub ingest` for growing delivery sizes.

Usage: bench/ingest_memory.py [SIZE_MB ...]   (default: 64 256 1024 4096)

Environment: VARDHUB_BIN=PATH uses that binary instead of building one; BENCH_WORK=DIR is the
scratch folder (default bench/work); BENCH_NO_REPORT=1 prints the rows as JSON lines only (used by
bench/run.py, which writes its own report).

Builds the release binary if needed (unless VARDHUB_BIN is set), writes each delivery with make_big_delivery.py into
bench/work/, ingests it into a fresh synthetic hub and records wall time, rows/s, MB/s and peak RSS
(the child's ru_maxrss). Writes bench/results/ingest-memory-<date>.{md,json}.
"""
import datetime, json, os, platform, shutil, subprocess, sys, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
work = os.environ.get("BENCH_WORK") or os.path.join(root, "bench", "work")
sizes = [float(s) for s in sys.argv[1:]] or [64, 256, 1024, 4096]
exe = os.environ.get("VARDHUB_BIN")
if not exe:
    subprocess.run(["cargo", "build", "--release", "--locked"], cwd=root, check=True)
    exe = os.path.join(root, "target", "release", "vardhub")
results = []
for size in sizes:
    shutil.rmtree(work, ignore_errors=True)
    delivery = os.path.join(work, "delivery")
    made = json.loads(subprocess.run([sys.executable, os.path.join(root, "bench", "make_big_delivery.py"),
                                      delivery, str(size)], check=True, capture_output=True, text=True).stdout)
    data = os.path.join(work, "hub")
    subprocess.run([exe, "--data", data, "init", "--synthetic"], check=True, capture_output=True)
    # A small wrapper process runs the ingest so that its RUSAGE_CHILDREN is that one process only.
    wrapper = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
               "sys.stderr.write('MAXRSS %d\\n' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
               "sys.exit(r.returncode)")
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", wrapper, exe, "--data", data, "ingest", "--quiet", "--json", delivery],
                       capture_output=True, text=True)
    wall = time.perf_counter() - t
    peak_kb = int(p.stderr.rsplit("MAXRSS ", 1)[1].split()[0])
    report = json.loads(p.stdout)[0]
    total_bytes = sum(os.path.getsize(os.path.join(delivery, f)) for f in os.listdir(delivery))
    row = {"size_mb": round(total_bytes / 2**20, 1), "rows": made["rows"], "status": report["status"],
           "seconds": round(wall, 2), "rows_per_s": round(made["rows"] / wall),
           "mb_per_s": round(total_bytes / 2**20 / wall, 1),
           "peak_rss_mb": round(peak_kb / 1024, 1)}
    print(json.dumps(row), flush=True)
    results.append(row)
    shutil.rmtree(work, ignore_errors=True)

if os.environ.get("BENCH_NO_REPORT"):
    sys.exit(0)
stamp = datetime.date.today().isoformat()
machine = {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}
out = os.path.join(root, "bench", "results", f"ingest-memory-{stamp}")
json.dump({"machine": machine, "results": results}, open(out + ".json", "w"), indent=2)
with open(out + ".md", "w") as f:
    f.write(f"# Ingest streaming benchmark, {stamp}\n\n")
    f.write(f"Machine: {machine['cpus']} cores, {machine['platform']}. Command: `bench/ingest_memory.py "
            + " ".join(str(int(s)) for s in sizes) + "`.\n\n")
    f.write("| delivery MB | rows | status | seconds | rows/s | MB/s | peak RSS MB |\n|---|---|---|---|---|---|---|\n")
    for r in results:
        f.write(f"| {r['size_mb']} | {r['rows']} | {r['status']} | {r['seconds']} | {r['rows_per_s']} | "
                f"{r['mb_per_s']} | {r['peak_rss_mb']} |\n")
print("wrote", out + ".md")
