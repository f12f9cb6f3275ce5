#!/bin/bash
# Computation follows the data, at scale 0.1 (release build). After a full computation of 12 of
# 13 months, one region's new month of contacts arrives, and the same hub state is copied twice:
#  A: `vardhub ingest` publishes it and computes again only what it can change (the recomputation
#     time is printed by the ingest, with its query and disclosure-control parts);
#  B: `vardhub ingest --no-compute`, then a full `vardhub indicators compute` of the same data.
# Both decide the public statuses against the same earlier release. Logs stay in $W.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=$ROOT/target/release/vardhub
W=${W:-/tmp/recompute}
rm -rf "$W" && mkdir -p "$W/hold"
export VARDHUB_KEY_DIR=$W/keys
export VARDHUB_DATA=$W/data
$B init --synthetic >/dev/null
$B synth --scale 0.1 --from 2024-01 --to 2025-01 --out "$W/out" >/dev/null
mv "$W/out/vardkontakter-13-2025-01" "$W/hold/"
/usr/bin/time -f "ingest 12+ months: %e s" $B ingest --quiet $(ls -d "$W"/out/*/) > "$W/ingest.log"
/usr/bin/time -f "first full computation: %e s" $B indicators compute > "$W/full1.log"
cp -a "$W/data" "$W/data-b" && cp -a "$W/keys" "$W/keys-b"
/usr/bin/time -f "A: ingest one region-month + recomputation: %e s" \
  $B ingest --quiet "$W/hold/vardkontakter-13-2025-01" > "$W/a.log"
grep -o "på / in .*" "$W/a.log" | sed 's/^/A: recomputation /'
export VARDHUB_DATA=$W/data-b VARDHUB_KEY_DIR=$W/keys-b
/usr/bin/time -f "B: ingest only: %e s" \
  $B ingest --quiet --no-compute "$W/hold/vardkontakter-13-2025-01" > "$W/b-ingest.log"
/usr/bin/time -f "B: full computation of the same data: %e s" $B indicators compute > "$W/b.log"
grep -h "röjandekontroll\|total tid" "$W/b.log" | sed 's/^/B: /'
