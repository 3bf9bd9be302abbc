#!/usr/bin/env bash
# A/B of the parallel scheduler (support/holds/scheduler.ts): longest work first (the default)
# against the collision rule alone (NETCONFORM_SCHEDULER=fifo: file order), alternating, N
# pairs of `run --target T --parallel 2`, on an endpoint nothing else uses. Prints one JSON
# object: each run's wall time and totals, and the means.
#   bash bench/scheduler-ab.sh [TARGET] [PAIRS]      (default: docker 2)
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-docker}
pairs=${2:-2}
runs=()
for ((i = 1; i <= pairs; i++)); do
  for mode in longest fifo; do
    start=$(date +%s.%N)
    if [ "$mode" = fifo ]; then
      out=$(NETCONFORM_SCHEDULER=fifo node bin/netconform.cjs run --target "$target" --parallel 2 2>&1) || true
    else
      out=$(node bin/netconform.cjs run --target "$target" --parallel 2 2>&1) || true
    fi
    wall=$(echo "$(date +%s.%N) - $start" | bc)
    totals=$(printf '%s\n' "$out" | grep "^netconform: $target:" | sed "s/^netconform: $target: //")
    runs+=("{\"mode\":\"$mode\",\"wallS\":$wall,\"totals\":\"$totals\"}")
  done
done
printf '{"target":"%s","pairs":%s,"runs":[%s]}\n' "$target" "$pairs" "$(IFS=,; echo "${runs[*]}")" | node -e '
  const r = JSON.parse(require("fs").readFileSync(0, "utf8"))
  const mean = (m) => {
    const w = r.runs.filter((x) => x.mode === m).map((x) => x.wallS)
    return +(w.reduce((a, b) => a + b, 0) / w.length).toFixed(1)
  }
  r.meanS = { longest: mean("longest"), fifo: mean("fifo") }
  console.log(JSON.stringify(r, null, 2))'
