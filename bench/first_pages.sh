#!/bin/bash
# A logged-in region analyst's first indicator pages vs the public's, machine busy (2 burners).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/target/release/vardhub
rm -rf /tmp/first-pages && mkdir -p /tmp/first-pages && cd /tmp/first-pages
( yes > /dev/null ) & B1=$!
( yes > /dev/null ) & B2=$!
start=$(date +%s.%N)
$BIN --data /tmp/first-pages/d --key-dir /tmp/first-pages/k demo --addr 127.0.0.1:8091 > demo.log 2>&1 &
DEMO=$!
for i in $(seq 1 900); do
  if curl -s -o /dev/null http://127.0.0.1:8091/health 2>/dev/null; then break; fi
  sleep 0.5
done
echo "serving after $(echo "$(date +%s.%N) - $start" | bc) s"
TOKEN=$(grep "demo-region-13" demo.log | awk '{print $3}')
for id in $(ls $ROOT/indicators | sed 's/.toml//'); do
  P=/indikatorer/$id
  a=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' http://127.0.0.1:8091$P)
  b=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8091$P)
  echo "$id public $a region13 $b"
done
kill $B1 $B2 2>/dev/null
kill -TERM $DEMO 2>/dev/null; wait $DEMO 2>/dev/null
grep -E "röjandekontroll|rader" demo.log | head -3
