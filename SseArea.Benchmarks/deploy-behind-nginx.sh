#!/usr/bin/env bash
# A deploy behind nginx, measured: N clients that recover as <sse-stream> does (its own sse-hub.js over npm's
# eventsource) follow SampleSite through nginx; SampleSite restarts; prints when each client got the event published
# while it was down (p50/p95/max after the site was back) and the requests the outage cost. Loopback only; every
# process is the script's own, stopped by its pid; the run ends by itself.
# Usage: bash SseArea.Benchmarks/deploy-behind-nginx.sh [clients=1000] [seconds down=5]
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-1000}
down=${2:-5}
[ -f SampleSite/bin/Release/net10.0/SampleSite.dll ] || dotnet build SampleSite -c Release
[ -d SseArea.Tests/Field/clients/node_modules/eventsource ] || npm ci --prefix SseArea.Tests/Field/clients --no-audit --no-fund
ulimit -n 20000
exec timeout 300 node SseArea.Benchmarks/deploy/deploy.mjs --repo "$PWD" --clients "$clients" --down-seconds "$down" --max-seconds 280
