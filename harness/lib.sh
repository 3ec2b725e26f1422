# Sourced by stage scripts: result counting and guest helpers.
# STAGE_NAME: set from the script name.
STAGE_NAME=$(basename "$0" .sh)
STAGE_NAME=${STAGE_NAME#[0-9][0-9]-}
COUNTS=$RESULTS/$STAGE_NAME.counts
[ "${PREBUILD:-}" != 1 ] || COUNTS=/dev/null
VMDIR=$BUILD/vm-$STAGE_NAME
# What the guests run, built once by check.sh's payload stage.
P=$BUILD/payload
stage_rc=0

ok() { echo "ok - $*"; echo "pass 1" >> "$COUNTS"; }
notok() { echo "not ok - $*"; echo "fail 1" >> "$COUNTS"; stage_rc=1; }
skip() { echo "ok - # SKIP $*"; echo "skip 1" >> "$COUNTS"; }
check() { # check NAME CMD...: one result from a command's exit status
	_check_name=$1
	shift
	if "$@"; then ok "$_check_name"; else notok "$_check_name"; fi
}
not() { ! "$@"; }
# Kernel log lines that fail a guest: panics, oopses, warnings, and what
# lockdep, KASAN, UBSAN, kmemleak, debug objects and the lockup detectors print.
SPLATS='Kernel panic|BUG:|WARNING:|INFO: possible|INFO: task .* blocked|INFO: rcu|'
SPLATS=$SPLATS'possible circular locking|inconsistent lock state|KASAN|UBSAN|'
SPLATS=$SPLATS'kmemleak: [0-9]+ new suspected|Oops|general protection|Call Trace|'
SPLATS=$SPLATS'soft lockup|hung_task|ODEBUG'
# died FILE...: a guest log shows a splat.
died() { grep -qE "$SPLATS" "$@"; }
# no_splat NAME FILE...: one result: every log is there and none shows a
# splat (the first 40 such lines are printed).
no_splat() {
	_ns=$1
	shift
	for _f in "$@"; do
		[ -s "$_f" ] || { notok "$_ns: no log to look at ($_f)"; return; }
	done
	if grep -E "$SPLATS" "$@" > "$VMDIR/splats.log"; then
		head -n 40 "$VMDIR/splats.log"
		notok "$_ns"
	else
		ok "$_ns"
	fi
}
# need_guest (at the start of a line: check.sh looks for it there): this
# stage boots the guest kernel ($VMLINUX) and its payload ($P); check.sh
# builds it first when such a stage is selected and passes its exit
# status as GUEST_RC (by hand: 0, the kernel is assumed built).
need_guest() {
	[ "${PREBUILD:-}" != 1 ] || return 0
	if [ "${GUEST_RC:-0}" != 0 ]; then
		notok "$STAGE_NAME: no guest kernel"
		exit 1
	fi
	if [ ! -x "$P/ksft/run_kselftest.sh" ]; then
		notok "$STAGE_NAME: no guest payload in $P (the payload stage failed or did not run)"
		exit 1
	fi
}
# need_qemu (at the start of a line, as need_guest): this stage runs guests
# on the patched QEMU (qemu.sh VMM=patched), which the qemu stage builds.
need_qemu() {
	[ "${PREBUILD:-}" != 1 ] || return 0
	if [ ! -x "$(cat "$CACHE/qemu/bin" 2>/dev/null)" ]; then
		notok "$STAGE_NAME: no patched QEMU (the qemu stage failed or did not run)"
		exit 1
	fi
}
# beside (at the start of a line, as need_guest): the stage boots no guest
# and uses nothing the guest stages build: check.sh runs it in its second
# background lane, beside the stages in front (the gate stages, checkpatch,
# outgoing).
beside() { :; }
# parallel (at the start of a line, as need_guest): the stage boots a guest
# of its own for minutes (the debug stage): when its turn comes, check.sh
# starts it in a lane of its own at normal priority, and the stages after
# it run beside it; its output comes at the end.
parallel() { :; }
# prebuilt (at the start of a line, as need_guest): the stage's builds are
# above this line. check.sh runs every selected stage that has one with
# PREBUILD=1 in the background, at nice 19, as soon as the tree is made,
# so that the builds use the core the guest stages leave idle; the script
# stops here then. build-kernel.sh locks each object directory, so
# the stage itself waits for a build still under way and finds it done.
prebuilt() {
	[ "${PREBUILD:-}" != 1 ] || exit 0
}
vm() { # vm CMD [FILE...]: run in the guest, console to $VMDIR/console.log
	"$H/vm-run.sh" "$VMLINUX" "$VMDIR" "$@" >/dev/null 2>"$VMDIR.err"
}
