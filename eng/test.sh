#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine: installs what the tests need
# (redis-server, unzip, chromium, firefox-esr, nginx, node, python3-requests, the npm clients of the field tests and puppeteer-core), checks
# formatting, builds (warnings are errors), packs the library and checks the package, runs every test, and ends with "tests: N passed, N failed"
# counted from the TRX results.
set -uo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v unzip >/dev/null 2>&1 || missing+=(unzip)
[ -x /usr/bin/chromium ] || missing+=(chromium)  # the browser tests drive Debian's chromium
[ -x /usr/bin/firefox-esr ] || missing+=(firefox-esr)  # ... and Debian's Firefox ESR (puppeteer-core, WebDriver BiDi)
command -v node >/dev/null 2>&1 || missing+=(nodejs)  # the field tests run real npm SSE clients
command -v npm >/dev/null 2>&1 || missing+=(npm)
/usr/bin/python3 -c 'import requests' >/dev/null 2>&1 || missing+=(python3-requests)  # the Python field client
[ -x /usr/sbin/nginx ] || missing+=(nginx)  # the proxy of the deploy and HTTP/2 tests (run as the tests' own process)
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]} (Debian packages)"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null \
    || fail "could not install ${missing[*]} with apt-get"
fi
command -v redis-server >/dev/null 2>&1 || fail "redis-server is still missing"
[ -x /usr/bin/chromium ] || fail "chromium is still missing"
[ -x /usr/bin/firefox-esr ] || fail "firefox-esr is still missing"

clients=SseArea.Tests/Field/clients
if [ ! -d "$clients/node_modules/puppeteer-core" ]; then
  step "installing the npm SSE clients and puppeteer-core (npm ci in $clients)"
  npm ci --prefix "$clients" --no-audit --no-fund || fail "npm ci failed in $clients"
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

step "restore"
dotnet restore SseArea.sln || fail "restore failed"

step "format check"
dotnet format SseArea.sln --verify-no-changes --no-restore || fail "dotnet format found changes to make (run: dotnet format SseArea.sln)"

step "build (Release, warnings as errors)"
dotnet build SseArea.sln -c Release --no-restore || fail "build failed"

step "pack"
rm -rf artifacts/package
dotnet pack SseArea -c Release --no-build -o artifacts/package || fail "pack failed"
package=$(ls artifacts/package/SseArea.*.nupkg 2>/dev/null | grep -v '\.snupkg$' | head -n 1)
[ -n "$package" ] || fail "no package was produced"
contents=$(unzip -Z1 "$package") || fail "could not list $package"
for file in README.md lib/net10.0/SseArea.dll lib/net10.0/SseArea.xml staticwebassets/sse-stream.js staticwebassets/sse-hub.js staticwebassets/sse-worker.js staticwebassets/sse-actions.js staticwebassets/sse-dashboard.js staticwebassets/sse-dashboard.css; do
  grep -qx "$file" <<<"$contents" || fail "$package lacks $file"
done
symbols="${package%.nupkg}.snupkg"
# (No grep -q at the end of a pipe: with pipefail, the writer's SIGPIPE would fail the check.)
[ -f "$symbols" ] && grep -qx "lib/net10.0/SseArea.pdb" <<<"$(unzip -Z1 "$symbols")" || fail "no symbols package with SseArea.pdb beside $package"
nuspec=$(unzip -p "$package" SseArea.nuspec)
grep -q '<repository type="git" url="https://' <<<"$nuspec" || fail "the package names no repository URL"
grep -q '<dependency id="StackExchange.Redis" version="3\.' <<<"$nuspec" || fail "the package does not state its StackExchange.Redis 3.x dependency"
# The gallery shows the package readme on its own: every link must be absolute.
relative=$(unzip -p "$package" README.md | grep -oE '\]\([^)#][^)]*\)' | grep -vE '\]\(https?://' || true)
[ -z "$relative" ] || fail "the package readme has relative links: $relative"
# SourceLink as a release build makes it: a clone whose origin is the GitHub repository, packed with ContinuousIntegrationBuild.
release=$(mktemp -d)
git clone -q . "$release/src" && git -C "$release/src" remote set-url origin https://github.com/ssearea/SseArea \
  && dotnet pack "$release/src/SseArea" -c Release -o "$release/out" -p:ContinuousIntegrationBuild=true -nologo -v quiet >/dev/null \
  || fail "the release pack (ContinuousIntegrationBuild) failed"
unzip -p "$release/out/"SseArea.*.snupkg lib/net10.0/SseArea.pdb > "$release/SseArea.pdb" \
  && grep -aq 'https://raw.githubusercontent.com/ssearea/SseArea/' "$release/SseArea.pdb" \
  || fail "the release symbols carry no SourceLink to the GitHub repository"
rm -rf "$release"
echo "$package: readme with absolute links, SseArea.dll, its XML docs, the element's scripts, symbols ($(basename "$symbols")) with SourceLink in a release pack, repository URL, StackExchange.Redis 3.x"

step "test"
results=artifacts/test-results
rm -rf "$results"
dotnet test SseArea.sln -c Release --no-build \
  --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" \
  --results-directory "$results" \
  --blame-hang-timeout 10m --blame-hang-dump-type none
status=$?

trx="$results/results.trx"
[ -f "$trx" ] || fail "no test results at $trx (dotnet test exited $status)"
counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
count() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
passed=$(count passed)
failed=$(( $(count failed) + $(count error) + $(count timeout) + $(count aborted) ))
if [ "$failed" -gt 0 ]; then
  # CI may show only the end of this output: name each failed test here, with the first lines
  # of its message and stack trace, just before the counts.
  echo
  echo "failed tests (from $trx):"
  awk '
    /<UnitTestResult / && /outcome="(Failed|Error|Timeout|Aborted)"/ {
      match($0, /testName="[^"]*"/); print "- " substr($0, RSTART + 10, RLENGTH - 11)
      inResult = 1; part = ""; lines = 0; next
    }
    !inResult { next }
    /<\/UnitTestResult>/ { inResult = 0; next }
    /<Message>/ { part = "message"; lines = 0 }
    /<StackTrace>/ { part = "stack"; lines = 0 }
    part != "" {
      line = $0; gsub(/<\/?(Message|StackTrace)>/, "", line)
      if (line ~ /[^ \t]/ && lines < (part == "message" ? 12 : 6)) { print "    " line; lines++ }
    }
    /<\/Message>|<\/StackTrace>/ { part = "" }
  ' "$trx" | sed -e 's/&quot;/"/g' -e "s/&apos;/'/g" -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&amp;/\&/g'
fi
echo
echo "tests: ${passed:-0} passed, ${failed} failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ] && [ "${passed:-0}" -gt 0 ]
