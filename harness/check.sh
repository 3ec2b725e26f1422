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

# account NAME: the stage's line in the summary, from its exit status,
# wall and CPU seconds in $RESULTS/NAME.done (timed.sh) and its counts
# file (or its exit status: one test).
account() {
	read -r rc dt cpu < "$RESULTS/$1.done" || rc=1 dt=0 cpu=0
	c=$RESULTS/$1.counts
	if [ -f "$c" ]; then
		p=$(awk '$1=="pass"{n+=$2} END{print n+0}' "$c")
		f=$(awk '$1=="fail"{n+=$2} END{print n+0}' "$c")
		s=$(awk '$1=="skip"{n+=$2} END{print n+0}' "$c")
		[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1
	elif [ "$rc" = 0 ]; then
		p=1 f=0 s=0
	else
		p=0 f=1 s=0
	fi
	printf '%-28s %4s passed %3s failed %3s skipped %5ss %5ss CPU\n' "$1" "$p" "$f" "$s" "$dt" "$cpu" >> "$summary"
	echo "== stage $1: $p passed, $f failed, $s skipped in ${dt}s (CPU ${cpu}s)"
	return "$rc"
}
# stage NAME CMD...: run a stage in front.
stage() {
	_n=$1
	shift
	DONE=$RESULTS/$_n.done "$H/timed.sh" "stage $_n" "$@"
	account "$_n"
}

# Stages that the others need: stop early when they fail.
stage base "$H/base.sh" >/dev/null || { cat "$summary"; echo "0 passed, 1 failed"; exit 1; }
stage tree "$H/tree.sh" "$REPO" "$TREE" "$("$H/base.sh" 2>/dev/null)" ||
	{ cat "$summary"; echo "$(awk '{p+=$2} END{print p+0}' "$summary") passed, 1 failed"; exit 1; }
selected export-check && stage export-check "$H/check-export.sh" "$REPO" "$TREE"
# want_guest, want_qemu: a selected stage boots the guest kernel with its
# payload (a need_guest line), runs the patched QEMU (need_qemu).
want_guest= want_qemu=
selected guest-kernel && want_guest=1
selected payload && want_guest=1
for s in "$H"/stages/[0-9]*.sh; do
	selected "$(name_of "$s")" || continue
	grep -q '^need_guest' "$s" && want_guest=1
	grep -q '^need_qemu' "$s" && want_qemu=1
done
# Lanes beside the stages in front, each a session of its own (with
# autogroup scheduling a session is a group of its own, whose nice is set
# too), so that they use the CPU the guest stages leave idle; AHEAD=0:
# none, every stage in line:
# - build ahead, at nice 19: the builds of the stages to run that mark
#   them (a "prebuilt" line, see lib.sh), one after the other: downloads
#   and the tool root overlap the guest kernel build;
# - stages beside, at nice 19: those with a "beside" line (see lib.sh: the
#   gate stages, which check the committed series in a worktree of their
#   own, checkpatch and outgoing; none boots a guest), one after the
#   other, from the start;
# - a stage with a "parallel" line (the debug stage, whose guest runs for
#   minutes), at normal priority, started at its turn in the stage order.
# The last two write $RESULTS/NAME.out; their results are shown and
# counted at the end.
# runs NAME: the stage runs (selected, or the qemu stage a selected one needs).
runs() { selected "$1" || { [ "$1" = qemu ] && [ -n "$want_qemu" ]; }; }
ahead= beside= lanes=
for s in "$H"/stages/[0-9]*.sh; do
	runs "$(name_of "$s")" || continue
	grep -q '^prebuilt' "$s" && ahead="$ahead $s"
	grep -q '^beside$' "$s" && beside="$beside $(name_of "$s")"
done
[ "${AHEAD:-1}" = 0 ] && ahead= beside=
# lane NICE LOG SCRIPT ARG...: SCRIPT (sh -c, over the ARGs) in the
# background, in a session of its own at nice NICE ($NICE in SCRIPT).
lane() {
	_nice=$1 _log=$2 _script=$3
	shift 3
	[ $# -gt 0 ] || return 0
	NICE=$_nice setsid sh -c 'echo "$NICE" > /proc/self/autogroup 2>/dev/null; '"$_script" sh "$@" \
		> "$_log" 2>&1 &
	lanes="$lanes $!"
}
# queue: the stages named, one after the other, each into $RESULTS/NAME.out.
queue='for n; do
	DONE=$RESULTS/$n.done nice -n "$NICE" "$H/timed.sh" "stage $n (ran in the background)" \
		sh "$H"/stages/[0-9][0-9]-"$n".sh > "$RESULTS/$n.out" 2>&1
done'
lane 19 "$RESULTS/ahead.log" 'for s; do
	PREBUILD=1 nice -n "$NICE" "$H/timed.sh" "built ahead: $(basename "$s" .sh)" sh "$s" || true
done' $ahead
lane 19 "$RESULTS/beside.log" "$queue" $beside
[ -n "$lanes" ] && trap 'for p in $lanes; do kill -TERM -- -$p 2>/dev/null; done; exit 130' INT TERM
[ -n "$beside" ] && echo "== stages beside, at nice 19:$beside (shown at the end; output in $RESULTS/NAME.out)"
# GUEST_RC: the guest kernel build's exit status, 0 when it was built.
GUEST_RC=0
if [ -n "$want_guest" ]; then
	stage guest-kernel env QUIET=1 "$H/build-kernel.sh" "$TREE" "$OBJ" tinyconfig \
		"$H/config/guest.config" -- vmlinux modules
	GUEST_RC=$?
	# Build once, run many: the kselftests and programs every guest runs.
	stage payload "$H/payload.sh" "$TREE" "$OBJ" "$BUILD/payload" || GUEST_RC=1
fi
export GUEST_RC

# A stage with a "parallel" line (see lib.sh) starts in a lane of its own
# at its turn, and the stages after it run beside it.
parallel=
for s in "$H"/stages/[0-9]*.sh; do
	n=$(name_of "$s")
	runs "$n" || continue
	case " $beside " in *" $n "*) continue ;; esac
	if [ "${AHEAD:-1}" != 0 ] && grep -q '^parallel$' "$s"; then
		echo "== stage $n: started in parallel (shown at the end; output in $RESULTS/$n.out)"
		lane 0 "$RESULTS/$n.log" "$queue" "$n"
		parallel="$parallel $n"
		continue
	fi
	stage "$n" sh "$s"
done
[ -n "$beside$parallel" ] && echo "== waiting for the stages beside and in parallel:$beside$parallel"
wait
for n in $beside $parallel; do
	cat "$RESULTS/$n.out"
	account "$n"
done
grep -a '^== built ahead: .*: ' "$RESULTS/ahead.log" 2>/dev/null

echo
echo "== summary ($(( $(date +%s) - T0 ))s; CPU of the stages: $(awk '{n+=$9} END{print n+0}' "$summary")s)"
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
