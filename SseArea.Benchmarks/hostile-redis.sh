#!/usr/bin/env bash
# Issue 15's replay attacks on Redis against the test host (Release build, Redis broker, history 10 000), measured by
# what Redis reports it sent and spent. Usage: bash SseArea.Benchmarks/hostile-redis.sh [repo root of the build to measure]
# Starts its own redis-server and host on free loopback ports; both are stopped by their pids; every step is bounded.
set -euo pipefail
script="$(cd "$(dirname "$0")" && pwd)/hostile-redis.py"
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
dll="$root/SseArea.Tests/TestHost/bin/Release/net10.0/SseArea.TestHost.dll"
[ -f "$dll" ] || dotnet build "$root/SseArea.Tests/TestHost" -c Release >/dev/null
. "$(dirname "$0")/ports.sh"
redis_port=$(free_port)
timeout 600 redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >/dev/null &
redis_pid=$!
port=$(free_port)
trap 'kill -TERM ${host_pid:-} $redis_pid 2>/dev/null; wait 2>/dev/null || true' EXIT
for _ in $(seq 100); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
cd "$root/SseArea.Tests/TestHost"
ASPNETCORE_ENVIRONMENT=Production Sse__HistoryLength=10000 Sse__Redis__Url="redis://127.0.0.1:$redis_port" \
  Logging__LogLevel__Default=Error timeout 500 dotnet "$dll" --urls "http://127.0.0.1:$port" >/dev/null 2>&1 &
host_pid=$!
for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
timeout 400 python3 "$script" "$port" "$redis_port"
