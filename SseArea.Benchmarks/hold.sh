#!/usr/bin/env bash
# Many concurrent SSE connections held with every event delivered: 100 000 for 5 minutes by default
# (issue 18; issue 6 held 50 000 for 60 s with TOTAL=50000 SERVERS=3 TOOLS=3 HOLD=60).
#
# One process here may hold at most 20 000 open files (a hard limit root can not raise), so this is
# the product's scale-out shape: one redis-server, SERVERS SampleSite processes (Release, Redis broker)
# sharing it, and TOOLS load-tool processes at once, each on its own channel and its own loopback
# source address (127.0.0.K), spreading its connections round-robin over every server. Each tool:
#   ramp its share of the connections, then a paced phase of EVENTS events at RATE/s (the whole
#   hold when EVENTS = HOLD x RATE: events flow while every connection is held), then a burst of
#   BURST events, then HOLD_AFTER s more of silence (heartbeats only), then counts the connections
#   still open. Loss, latency and survivors are each tool's own; RSS is the servers' sum.
# Loopback only; every process is bounded in time (timeout) and stopped by this script.
#   bash SseArea.Benchmarks/hold.sh                    # 100 000 = 6 servers x 6 tools, held 300 s, ~10 min
#   TOTAL=20000 SERVERS=2 TOOLS=2 HOLD=60 bash SseArea.Benchmarks/hold.sh
#   NO_BUILD=1 ...                                    # skip `dotnet build`
# Output: artifacts/bench/hold/ (one log per tool, its last line JSON; servers' logs; summary.txt).
set -euo pipefail
cd "$(dirname "$0")/.."

TOTAL=${TOTAL:-100000}
SERVERS=${SERVERS:-6}
TOOLS=${TOOLS:-6}
RATE=${RATE:-1}
HOLD=${HOLD:-300}
EVENTS=${EVENTS:-$((HOLD * RATE))}
BURST=${BURST:-100}
HOLD_AFTER=${HOLD_AFTER:-10}
out=artifacts/bench/hold
mkdir -p "$out"
rm -f "$out"/*.log "$out"/summary.txt
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

per_tool=$(( (TOTAL + TOOLS - 1) / TOOLS ))
per_server=$(( (TOTAL + SERVERS - 1) / SERVERS ))
if [ "$per_tool" -gt 19000 ] || [ "$per_server" -gt 19000 ]; then
  echo "error: $per_tool connections per tool / $per_server per server: more than one process may hold (20 000 open files); raise TOOLS/SERVERS" >&2
  exit 2
fi

[ -n "${NO_BUILD:-}" ] || dotnet build SseArea.sln -c Release -v quiet -nologo
site_dir=SampleSite/bin/Release/net10.0
tool=SseArea.Benchmarks/LoadTool/bin/Release/net10.0/SseArea.LoadTool.dll
command -v redis-server >/dev/null || { echo "error: redis-server is missing (apt-get install redis-server)" >&2; exit 2; }

children=()
cleanup() {
  for pid in "${children[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

. SseArea.Benchmarks/ports.sh
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

redis_port=$(free_port)
timeout $((HOLD + HOLD_AFTER + 600)) redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
  > "$out/redis.log" 2>&1 &
children+=($!)
wait_port "$redis_port"

server_pids=(); server_urls=()
for i in $(seq 1 "$SERVERS"); do
  port=$(free_port)
  (cd "$site_dir" && exec timeout $((HOLD + HOLD_AFTER + 600)) env ASPNETCORE_ENVIRONMENT=Production \
     Logging__LogLevel__Default=Warning Sse__Redis__Url="redis://127.0.0.1:$redis_port" \
     dotnet SampleSite.dll --urls "http://127.0.0.1:$port") > "$out/server-$i.log" 2>&1 &
  children+=($!)
  wait_port "$port"
  server_pids+=("$(pgrep -P $! | head -n 1)") # the dotnet process under timeout: the one whose RSS counts
  server_urls+=("$port")
done
echo "# redis-server on 127.0.0.1:$redis_port; SampleSite x $SERVERS on ports ${server_urls[*]} (pids ${server_pids[*]})" | tee "$out/summary.txt"

sleep 5 # the servers settle: their RSS before any stream is the base of the per-connection figure
rss_idle=0; for pid in "${server_pids[@]}"; do rss_idle=$(( rss_idle + $(rss_kib "$pid") )); done
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date -u +%FT%TZ)
tool_pids=()
for k in $(seq 1 "$TOOLS"); do
  args=(run --redis "127.0.0.1:$redis_port" --channel "bench-$k" --first-source "$k" --sources 1
        --connections "$per_tool" --events "$EVENTS" --rate "$RATE" --burst "$BURST" --hold "$HOLD_AFTER"
        --ramp-timeout 180 --drain 60 --max-seconds $((HOLD + HOLD_AFTER + 420)))
  for i in "${!server_urls[@]}"; do
    args+=(--url "http://127.0.0.1:${server_urls[$i]}/sse/stream?channel=bench-$k" --pid "${server_pids[$i]}")
  done
  timeout $((HOLD + HOLD_AFTER + 450)) dotnet "$tool" "${args[@]}" > "$out/tool-$k.log" 2>&1 &
  tool_pids+=($!)
  children+=($!)
done

# The servers' memory once every tool has its connections open (then again at the end).
for _ in $(seq 1 400); do
  opened=$(cat "$out"/tool-*.log 2>/dev/null | grep -c "connections open" || true)
  [ "$opened" -ge "$TOOLS" ] && break
  sleep 0.5
done
rss_open=0; for pid in "${server_pids[@]}"; do rss_open=$(( rss_open + $(rss_kib "$pid") )); done

status=0
for pid in "${tool_pids[@]}"; do wait "$pid" || status=1; done
rss_end=0; for pid in "${server_pids[@]}"; do rss_end=$(( rss_end + $(rss_kib "$pid") )); done

{
  echo "# started $start (load average $load_start), ended $(date -u +%FT%TZ) (load average $(cut -d' ' -f1-3 /proc/loadavg)); $TOTAL connections = $TOOLS tools x $per_tool over $SERVERS servers"
  echo "# paced $EVENTS events at $RATE/s per channel while held, then a burst of $BURST, then $HOLD_AFTER s of silence"
  for k in $(seq 1 "$TOOLS"); do grep '^# given' "$out/tool-$k.log" | sed "s/^# given/# tool $k/"; done
  echo "# servers' RSS before any stream: $rss_idle KiB; with every connection open: $rss_open KiB; at the end: $rss_end KiB"
  jq -s --argjson rssOpen "$rss_open" --argjson rssIdle "$rss_idle" '{
      requested: (map(.runs[0].requested) | add),
      opened: (map(.runs[0].opened) | add),
      failed: (map(.runs[0].failed) | add),
      pacedExpected: (map(.runs[0].paced.expected // 0) | add),
      pacedDelivered: (map(.runs[0].paced.delivered // 0) | add),
      burstExpected: (map(.runs[0].burst.expected // 0) | add),
      burstDelivered: (map(.runs[0].burst.delivered // 0) | add),
      endedByServer: (map(.runs[0].endedByServer) | add),
      openAtEnd: (map(.runs[0].openAtEnd) | add),
      pacedP99MsWorstTool: (map(.runs[0].paced.latency.p99Ms // 0) | max),
      serversRssKiBIdle: $rssIdle,
      serversRssKiBAllOpen: $rssOpen,
      serversRssKiBPerConnection: ((($rssOpen - $rssIdle) / (map(.runs[0].opened) | add)) * 100 | round / 100)
    }' <(for k in $(seq 1 "$TOOLS"); do tail -n 1 "$out/tool-$k.log"; done)
} | tee -a "$out/summary.txt"
exit $status
