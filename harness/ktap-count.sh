#!/bin/sh
# Parse a KTAP/TAP log with the kernel's kunit.py and append its counts to
# a stage's counts file.
# usage: ktap-count.sh TREE LOG COUNTS
# kselftest's runner prefixes nested results with "# "; they are turned back
# into indented KTAP first, so that every subtest counts.
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
echo "pass ${p:-0}" >> "$counts"
echo "fail $(( ${f:-0} + ${c:-0} + ${e:-0} ))" >> "$counts"
echo "skip ${s:-0}" >> "$counts"
[ $(( ${f:-0} + ${c:-0} + ${e:-0} )) = 0 ]
