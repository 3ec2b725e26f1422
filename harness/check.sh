#!/bin/sh
# make check: run every stage, print each one's time, and finish with
# "N passed, N failed" summed over all stages. A stage may count its own
# test results in $RESULTS/<stage>.counts (lines "pass N", "fail N",
# "skip N"); otherwise it counts as one test, passed if it exits 0.
#
# STAGES="name ..." runs only those stages (names as the summary prints
# them; make check, make mutate and a person by hand all use it). base and
# tree always run first; guest-kernel runs when it is named or a named
# stage boots the guest kernel (its script calls need_guest), and qemu
# (the patched VMM) when a named stage runs it (need_qemu).
set -u
H=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$H")
RESULTS=${RESULTS:-$BUILD/results}
# The x86_64 host's kernel builds; the devicetree stage sets its own.
unset ARCH CROSS_COMPILE
export RESULTS H REPO
rm -rf "$RESULTS"
mkdir -p "$RESULTS"
T0=$(date +%s)
summary=$RESULTS/summary
: > "$summary"

name_of() { _n=$(basename "$1" .sh); echo "${_n#[0-9][0-9]-}"; }
all="export-check guest-kernel payload $(for s in "$H"/stages/[0-9]*.sh; do name_of "$s"; done | tr "\n" " ")"
for n in ${STAGES:-}; do
	case " base tree $all " in
	*" $n "*) ;;
	*) echo "check: no stage \"$n\"; the stages are: base tree $all" >&2; exit 2 ;;
	esac
done
selected() { [ -z "${STAGES:-}" ] || case " $STAGES " in *" $1 "*) ;; *) return 1 ;; esac; }

# account NAME RC SECONDS: the stage's line in the summary, from its
# counts file (or its exit status: one test).
account() {
	c=$RESULTS/$1.counts
	if [ -f "$c" ]; then
		p=$(awk '$1=="pass"{n+=$2} END{print n+0}' "$c")
		f=$(awk '$1=="fail"{n+=$2} END{print n+0}' "$c")
		s=$(awk '$1=="skip"{n+=$2} END{print n+0}' "$c")
		[ "$2" != 0 ] && [ "$f" = 0 ] && f=1
	elif [ "$2" = 0 ]; then
		p=1 f=0 s=0
	else
		p=0 f=1 s=0
	fi
	printf '%-28s %4s passed %3s failed %3s skipped %5ss\n' "$1" "$p" "$f" "$s" "$3" >> "$summary"
	echo "== stage $1: $p passed, $f failed, $s skipped in ${3}s"
}
stage() {
	name=$1
	shift
	t0=$(date +%s)
	echo "== stage $name"
	"$@"
	rc=$?
	account "$name" $rc $(( $(date +%s) - t0 ))
	return $rc
}

# Stages that the others need: stop early when they fail.
stage base "$H/base.sh" >/dev/null || { cat "$summary"; echo "0 passed, 1 failed"; exit 1; }
stage tree "$H/tree.sh" "$REPO" "$TREE" "$("$H/base.sh" 2>/dev/null)" ||
	{ cat "$summary"; echo "$(awk '{p+=$2} END{print p+0}' "$summary") passed, 1 failed"; exit 1; }
selected export-check && stage export-check "$H/check-export.sh" "$REPO" "$TREE"
want_qemu=
for s in "$H"/stages/[0-9]*.sh; do
	selected "$(name_of "$s")" && grep -q '^need_qemu' "$s" && want_qemu=1
done
# Two lanes beside the stages, each a session of its own at nice 19 (with
# autogroup scheduling a session is a group of its own, whose nice is set
# too), so that they use the CPU the guest stages leave idle (AHEAD=0:
# neither, every stage in line):
# - build ahead: the builds of the stages to run that mark them (a
#   "prebuilt" line, see lib.sh), one after the other: downloads and the
#   tool root overlap the guest kernel build;
# - stages beside: those with a "beside" line (see lib.sh: the gate
#   stages, which check the committed series in a worktree of their own,
#   checkpatch and outgoing; none boots a guest), one after the other,
#   each into $RESULTS/NAME.out; their results are shown and counted at
#   the end.
# runs NAME: the stage runs (selected, or the qemu stage a selected one needs).
runs() { selected "$1" || { [ "$1" = qemu ] && [ -n "$want_qemu" ]; }; }
ahead= beside= lanes=
for s in "$H"/stages/[0-9]*.sh; do
	runs "$(name_of "$s")" || continue
	grep -q '^prebuilt' "$s" && ahead="$ahead $s"
	grep -q '^beside$' "$s" && beside="$beside $s"
done
[ "${AHEAD:-1}" = 0 ] && ahead= beside=
# lane LOG SCRIPT STAGE...: SCRIPT (sh -c, over the stage files) in the
# background, in a session of its own at nice 19.
lane() {
	_log=$1 _script=$2
	shift 2
	[ $# -gt 0 ] || return 0
	setsid sh -c "echo 19 > /proc/self/autogroup 2>/dev/null; $_script" sh "$@" > "$_log" 2>&1 &
	lanes="$lanes $!"
}
lane "$RESULTS/ahead.log" 'for s; do
	t=$(date +%s)
	PREBUILD=1 nice -n 19 sh "$s" || true
	echo "built ahead: $(basename "$s" .sh) in $(( $(date +%s) - t ))s"
done' $ahead
lane "$RESULTS/beside.log" 'for s; do
	n=$(basename "$s" .sh)
	n=${n#[0-9][0-9]-}
	t=$(date +%s)
	nice -n 19 sh "$s" > "$RESULTS/$n.out" 2>&1
	echo "$? $(( $(date +%s) - t ))" > "$RESULTS/$n.done"
done' $beside
[ -n "$lanes" ] && trap 'for p in $lanes; do kill -TERM -- -$p 2>/dev/null; done; exit 130' INT TERM
[ -n "$beside" ] && echo "== stages beside, at nice 19:$(for s in $beside; do printf ' %s' "$(name_of "$s")"; done) (shown at the end; output in $RESULTS/NAME.out)"
# GUEST_RC: the guest kernel build's exit status, 0 when it was built.
GUEST_RC=0
want_guest=
selected guest-kernel && want_guest=1
selected payload && want_guest=1
for s in "$H"/stages/[0-9]*.sh; do
	selected "$(name_of "$s")" && grep -q '^need_guest' "$s" && want_guest=1
done
if [ -n "$want_guest" ]; then
	stage guest-kernel env QUIET=1 "$H/build-kernel.sh" "$TREE" "$OBJ" tinyconfig \
		"$H/config/guest.config" -- vmlinux modules
	GUEST_RC=$?
	# Build once, run many: the kselftests and programs every guest runs.
	stage payload "$H/payload.sh" "$TREE" "$OBJ" "$BUILD/payload" || GUEST_RC=1
fi
export GUEST_RC

for s in "$H"/stages/[0-9]*.sh; do
	n=$(name_of "$s")
	runs "$n" || continue
	case " $beside " in *" $s "*) continue ;; esac
	stage "$n" sh "$s"
done
[ -n "$beside" ] && echo "== waiting for the stages beside"
wait
for s in $beside; do
	n=$(name_of "$s")
	echo "== stage $n (ran beside)"
	cat "$RESULTS/$n.out"
	read -r rc dt < "$RESULTS/$n.done" || rc=1 dt=0
	account "$n" "$rc" "$dt"
done
grep -a '^built ahead' "$RESULTS/ahead.log" 2>/dev/null

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
