#!/bin/sh
# make check: run every stage, print each one's time, and finish with
# "N passed, N failed" summed over all stages. A stage may count its own
# test results in $RESULTS/<stage>.counts (lines "pass N", "fail N",
# "skip N"); otherwise it counts as one test, passed if it exits 0.
set -u
H=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$H")
RESULTS=$BUILD/results
export RESULTS H REPO
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
T0=$(date +%s)
summary=$RESULTS/summary

stage() {
	name=$1
	shift
	t0=$(date +%s)
	echo "== stage $name"
	"$@"
	rc=$?
	c=$RESULTS/$name.counts
	if [ -f "$c" ]; then
		p=$(awk '$1=="pass"{n+=$2} END{print n+0}' "$c")
		f=$(awk '$1=="fail"{n+=$2} END{print n+0}' "$c")
		s=$(awk '$1=="skip"{n+=$2} END{print n+0}' "$c")
		[ $rc != 0 ] && [ "$f" = 0 ] && f=1
	elif [ $rc = 0 ]; then
		p=1 f=0 s=0
	else
		p=0 f=1 s=0
	fi
	dt=$(( $(date +%s) - t0 ))
	printf '%-28s %4s passed %3s failed %3s skipped %5ss\n' "$name" "$p" "$f" "$s" "$dt" >> "$summary"
	echo "== stage $name: $p passed, $f failed, $s skipped in ${dt}s"
	return $rc
}

# Stages that the others need: stop early when they fail.
stage base "$H/base.sh" >/dev/null || { cat "$summary"; echo "0 passed, 1 failed"; exit 1; }
stage tree "$H/tree.sh" "$REPO" "$TREE" "$("$H/base.sh" 2>/dev/null)" ||
	{ cat "$summary"; echo "$(awk '{p+=$2} END{print p+0}' "$summary") passed, 1 failed"; exit 1; }
stage export-check "$H/check-export.sh" "$REPO" "$TREE"
stage guest-kernel env QUIET=1 "$H/build-kernel.sh" "$TREE" "$OBJ" tinyconfig "$H/guest.config" -- vmlinux modules
guest_ok=$?

for s in "$H"/stages/[0-9]*.sh; do
	[ -f "$s" ] || continue
	n=$(basename "$s" .sh)
	n=${n#[0-9][0-9]-}
	GUEST_OK=$guest_ok stage "$n" sh "$s"
done

echo
echo "== summary ($(( $(date +%s) - T0 ))s)"
cat "$summary"
p=$(awk '{n+=$2} END{print n+0}' "$summary")
f=$(awk '{n+=$4} END{print n+0}' "$summary")
s=$(awk '{n+=$6} END{print n+0}' "$summary")
if [ "$s" -gt 0 ]; then
	echo "$p passed, $f failed, $s skipped"
else
	echo "$p passed, $f failed"
fi
[ "$f" = 0 ]
