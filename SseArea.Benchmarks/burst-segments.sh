#!/usr/bin/env bash
# How many TCP segments a burst becomes: one server (SampleSite or the baseline, Release, on a redis-server of its own),
# one load-tool run (N connections, EVENTS paced at 1/s, then a burst of BURST), and the loopback's TCP segments sent
# (/proc/net/snmp OutSegs, server and client together) and the server's CPU ticks from the ramp's end to the run's end.
# Prints one JSON line: burst rate (M events/s), segments per delivered event, CPU ticks. Loopback only; bounded.
#   bash SseArea.Benchmarks/burst-segments.sh sample|baseline [N=10000] [BURST=500] [EVENTS=5] [NAME=VALUE ...]
#   e.g. ... sample 10000 500 5 Kestrel__Sockets__UnsafePreferInlineScheduling=true   (run `dotnet build -c Release` first)
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?sample or baseline}; n=${2:-10000}; burst=${3:-500}; events=${4:-5}; shift $(( $# < 4 ? $# : 4 ))
case $target in
  sample) dir=SampleSite/bin/Release/net10.0; dll=SampleSite.dll ;;
  baseline) dir=SseArea.Benchmarks/Baseline/bin/Release/net10.0; dll=SseArea.Baseline.dll ;;
  *) echo "error: target '$target': use sample or baseline" >&2; exit 2 ;;
esac
tool=$PWD/SseArea.Benchmarks/LoadTool/bin/Release/net10.0/SseArea.LoadTool.dll
. SseArea.Benchmarks/ports.sh
segments() { awk '/^Tcp:/ { n++; if (n == 2) print $12 }' /proc/net/snmp; }
rport=$(free_port); port=$(free_port)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true' EXIT
timeout 600 redis-server --port "$rport" --bind 127.0.0.1 --save "" --appendonly no > /dev/null 2>&1 & pids+=($!)
wait_port "$rport"
(cd "$dir" && exec env ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning Sse__Redis__Url="redis://127.0.0.1:$rport" \
  Baseline__Redis="127.0.0.1:$rport" "$@" dotnet "$dll" --urls "http://127.0.0.1:$port") > /dev/null 2>&1 & spid=$!; pids+=($spid)
wait_port "$port"
log=$(mktemp)
timeout 300 dotnet "$tool" run --url "http://127.0.0.1:$port/sse/stream?channel=bench" --pid "$spid" --redis "127.0.0.1:$rport" \
  --connections "$n" --events "$events" --rate 1 --burst "$burst" --settle 3 --max-seconds 280 > "$log" 2>&1 & tpid=$!
for _ in $(seq 1500); do grep -q "connections open" "$log" 2>/dev/null && break; sleep 0.2; done
s0=$(segments); c0=$(awk '{ print $14 + $15 }' "/proc/$spid/stat")
wait "$tpid"
s1=$(segments); c1=$(awk '{ print $14 + $15 }' "/proc/$spid/stat")
tail -n 1 "$log" | jq -c --arg t "$target" --argjson segs $((s1 - s0)) --argjson cpu $((c1 - c0)) '.runs[0] |
  ((.burst.delivered // 0) + (.paced.delivered // 0)) as $d |
  {target: $t, burstMps: ((.burst.deliveredPerSecond // 0) / 1e6 * 100 | round / 100), delivered: $d,
   segmentsPerEvent: ($segs / $d * 1000 | round / 1000), serverCpuTicks: $cpu}'
rm -f "$log"
