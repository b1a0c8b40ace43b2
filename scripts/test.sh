#!/usr/bin/env bash
# The whole test suite: type-check, lint (zero warnings), then every bun test.
# Ends with one line "N passed, N failed" (also written to .test-summary for .ci/run).
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/node_modules/.bin:$PWD/node_modules/.bin:$PATH"

status=0
echo "== type-check"; tsc --noEmit -p . || status=1
echo "== lint";       biome check --error-on-warnings . || status=1

echo "== tests"
log=$(mktemp)
bun test --timeout 120000 "$@" 2>&1 | tee "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

passed=$(grep -E '^ *[0-9]+ pass$' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
failed=$(grep -E '^ *[0-9]+ fail$' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
rm -f "$log"
# A type or lint failure counts as a failed check, so the summary never reads green when it is not.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
summary="$passed passed, $failed failed"
echo "$summary" > .test-summary
echo "$summary"
exit "$status"
