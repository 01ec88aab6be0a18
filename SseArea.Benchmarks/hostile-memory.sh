#!/usr/bin/env bash
# Issue 15's memory attacks against the test host (Release build, in-memory broker, history 200), measured as RSS
# growth per hostile connection. Usage: bash SseArea.Benchmarks/hostile-memory.sh [repo root of the build to measure]
# With HOSTILE_REDIS=1 the host runs on a redis-server of its own, and a 10 MB payload PUBLISHed on Redis is added.
# Loopback only; the host is stopped by its pid; every step is bounded in time.
set -euo pipefail
script="$(cd "$(dirname "$0")" && pwd)/hostile-memory.py"
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
dll="$root/SseArea.Tests/TestHost/bin/Release/net10.0/SseArea.TestHost.dll"
[ -f "$dll" ] || dotnet build "$root/SseArea.Tests/TestHost" -c Release >/dev/null
. "$(dirname "$0")/ports.sh"
port=$(free_port)
redis_port=""
if [ "${HOSTILE_REDIS:-0}" = 1 ]; then
  redis_port=$(free_port)
  timeout 400 redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >/dev/null &
  redis_pid=$!
  for _ in $(seq 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  export Sse__Redis__Url="redis://127.0.0.1:$redis_port"
fi
cd "$root/SseArea.Tests/TestHost"
ASPNETCORE_ENVIRONMENT=Production Sse__HistoryLength=200 Logging__LogLevel__Default=Error \
  timeout 300 dotnet "$dll" --urls "http://127.0.0.1:$port" >/dev/null 2>&1 &
pid=$!
trap 'kill -TERM $pid ${redis_pid:-} 2>/dev/null; wait 2>/dev/null || true' EXIT
for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
server=$(pgrep -P "$pid" | head -n 1)  # timeout's child: the host itself
timeout 200 python3 "$script" "$port" "${server:-$pid}" $redis_port
