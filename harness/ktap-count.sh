#!/bin/sh
# Parse a KTAP/TAP log with the kernel's kunit.py and append its counts to
# a stage's counts file.
# usage: ktap-count.sh TREE LOG COUNTS
# kselftest's runner prefixes nested results with "# "; they are turned back
# into indented KTAP first, so that every subtest counts. Our guests run as
# root with every device present: a skip counts as a skip only if the test
# is listed in harness/allowed-skips (ALLOWED_SKIPS) with its reason; any
# other skip is a failure.
set -eu
tree=$1 log=$2 counts=$3
tmp=$(mktemp)
# A kernel log can hold several top-level runs (an empty one at boot, then a
# module's): parse the last one.
first=$(tr -d '\r' < "$log" | grep -n '^K\{0,1\}TAP version' | tail -n 1 | cut -d: -f1)
tr -d '\r' < "$log" | tail -n +"${first:-1}" |
	sed -E 's/^# ((not )?ok [0-9]+|1\.\.[0-9]+|TAP version|KTAP version)/    \1/' > "$tmp"
out=$(python3 "$tree/tools/testing/kunit/kunit.py" parse "$tmp" 2>&1 || true)
rm -f "$tmp"
printf '%s\n' "$out" | grep -E '\[(FAILED|SKIPPED|CRASHED)\]|Testing complete' || true
line=$(printf '%s\n' "$out" | grep 'Testing complete' | tail -n 1)
num() { printf '%s\n' "$line" | sed -n "s/.*$1: \([0-9]*\).*/\1/p"; }
p=$(num passed) f=$(num failed) s=$(num skipped) c=$(num crashed) e=$(num errors)
total=$(printf '%s\n' "$line" | sed -n 's/.*Ran \([0-9]*\) tests.*/\1/p')
if [ -z "$total" ] || [ "$total" = 0 ]; then
	echo "fail 1" >> "$counts"
	echo "ktap: no test results in $log" >&2
	exit 1
fi
allowed=${ALLOWED_SKIPS:-$(dirname "$0")/allowed-skips}
u=0
for name in $(printf '%s\n' "$out" | sed -n 's/.*\[SKIPPED\] \([^ ]*\).*/\1/p'); do
	grep -q "^$name[[:space:]]" "$allowed" 2>/dev/null && continue
	echo "not ok - unexpected skip: $name (not in $allowed)"
	echo "not ok - unexpected skip: $name" >&2
	u=$((u + 1))
done
echo "pass ${p:-0}" >> "$counts"
echo "fail $(( ${f:-0} + ${c:-0} + ${e:-0} + u ))" >> "$counts"
echo "skip $(( ${s:-0} - u ))" >> "$counts"
[ $(( ${f:-0} + ${c:-0} + ${e:-0} + u )) = 0 ]
