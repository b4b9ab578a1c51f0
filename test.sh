#!/usr/bin/env bash
# Runs every test of the repository on a fresh machine: installs what is missing, builds, checks
# formatting, runs all test projects and prints one closing line "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]} from Debian..."
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Real MCP servers from npm, pinned in tests/mcp-servers/package.json (when present).
if [ -f tests/mcp-servers/package.json ]; then
  (cd tests/mcp-servers && npm ci --no-audit --no-fund --loglevel=error)
fi

dotnet tool restore >/dev/null
dotnet build Agent.sln -nologo -v quiet -clp:ErrorsOnly
dotnet format Agent.sln --verify-no-changes --no-restore

results=TestResults/trx
rm -rf "$results"
status=0
# One test project at a time: on two cores, the host tests running beside the E2E suite slowed two first replies past
# their 20 s browser wait (both pass alone and in a full E2E run).
dotnet test Agent.sln --no-build -nologo -m:1 --logger "trx" --results-directory "$results" || status=$?

passed=0
failed=0
skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  skipped=$((skipped + ${t:-0} - ${e:-0}))
done

if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "No test results were found in $results." >&2
  status=1
fi
if [ "$failed" -gt 0 ]; then
  status=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
