#!/bin/bash
# Computation follows the data, at scale 0.1 (release build): a full computation, then one new
# month of one region's contacts ingested (the hub recomputes what it affects), then a full
# computation of the same data. Prints the times; each run's ids and logs stay in $W.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/target/release/vardhub
W=${W:-/tmp/recompute}
rm -rf "$W" && mkdir -p "$W/hold"
export VARDHUB_DATA=$W/data VARDHUB_KEY_DIR=$W/keys
$B init --synthetic >/dev/null
$B synth --scale 0.1 --from 2024-01 --to 2025-01 --out "$W/out" >/dev/null
mv "$W/out/vardkontakter-13-2025-01" "$W/hold/"
/usr/bin/time -f "ingest all %e s" $B ingest $(ls -d "$W"/out/*/) > "$W/ingest.log"
/usr/bin/time -f "full computation %e s" $B indicators compute > "$W/full1.log"
/usr/bin/time -f "ingest one region-month + recomputation %e s" $B ingest "$W/hold/vardkontakter-13-2025-01" > "$W/inc.log"
/usr/bin/time -f "full computation of the same data %e s" $B indicators compute > "$W/full2.log"
grep -h -o "run-[0-9T]*Z" "$W/full1.log" "$W/inc.log" "$W/full2.log" | uniq
