#!/usr/bin/env bash
# Issue 15's memory attacks against the test host (Release build, in-memory broker, history 200), measured as RSS
# growth per hostile connection. Usage: bash SseArea.Benchmarks/hostile-memory.sh [repo root of the build to measure]
# Loopback only; the host is stopped by its pid; every step is bounded in time.
set -euo pipefail
script="$(cd "$(dirname "$0")" && pwd)/hostile-memory.py"
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
dll="$root/SseArea.Tests/TestHost/bin/Release/net10.0/SseArea.TestHost.dll"
[ -f "$dll" ] || dotnet build "$root/SseArea.Tests/TestHost" -c Release >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cd "$root/SseArea.Tests/TestHost"
ASPNETCORE_ENVIRONMENT=Production Sse__HistoryLength=200 Logging__LogLevel__Default=Error \
  timeout 300 dotnet "$dll" --urls "http://127.0.0.1:$port" >/dev/null 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
server=$(pgrep -P "$pid" | head -n 1)  # timeout's child: the host itself
timeout 200 python3 "$script" "$port" "${server:-$pid}"
