#!/usr/bin/env bash
# The measurements behind README.md "Performance": BenchmarkDotNet micro-benchmarks, then the load
# tool comparing SampleSite (Redis broker) with the hand-written baseline at N = 1 000 and 10 000 (3 rounds
# each, medians), and N = 5 000 (one round). The 100 000-connection run is hold.sh.
# Loopback only; every step stops by itself (each load run < 3 min). Not part of eng/test.sh.
# Output: artifacts/bench/ (BenchmarkDotNet reports, one log per load run; a log's last line is its JSON).
#   bash SseArea.Benchmarks/measure.sh            # everything (~10 min on 2 cores)
#   bash SseArea.Benchmarks/measure.sh micro      # only the micro-benchmarks
#   bash SseArea.Benchmarks/measure.sh load       # only the load runs
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
out=artifacts/bench
mkdir -p "$out"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build SseArea.sln -c Release -v quiet -nologo

if [ "$what" = all ] || [ "$what" = micro ]; then
  dotnet SseArea.Benchmarks/bin/Release/net10.0/SseArea.Benchmarks.dll \
    --filter '*' --job short --inProcess --artifacts "$out/micro" | tee "$out/micro.log"
fi

if [ "$what" = all ] || [ "$what" = load ]; then
  tool="SseArea.Benchmarks/LoadTool/bin/Release/net10.0/SseArea.LoadTool.dll"
  timeout 300 dotnet "$tool" compare --connections 1000 --events 300 --rate 100 --burst 1000 --rounds 3 --max-seconds 290 | tee "$out/compare-1000.log"
  timeout 180 dotnet "$tool" compare --connections 5000 --events 300 --rate 100 --burst 1000 | tee "$out/compare-5000.log"
  timeout 400 dotnet "$tool" compare --connections 10000 --events 300 --rate 100 --burst 1000 --rounds 3 --max-seconds 390 | tee "$out/compare-10000.log"
fi
