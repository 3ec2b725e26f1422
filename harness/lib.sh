# Sourced by stage scripts: result counting and guest helpers.
# STAGE_NAME: set from the script name.
STAGE_NAME=$(basename "$0" .sh)
STAGE_NAME=${STAGE_NAME#[0-9][0-9]-}
COUNTS=$RESULTS/$STAGE_NAME.counts
VMDIR=$BUILD/vm-$STAGE_NAME
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
# died FILE: a guest console log shows a panic, an oops or a warning.
died() {
	tr -d '\r' < "$1" | grep -qE 'Kernel panic|BUG:|Oops|general protection fault|WARNING:|Call Trace'
}
need_guest() {
	if [ "${GUEST_OK:-1}" != 0 ]; then
		notok "$STAGE_NAME: no guest kernel"
		exit 1
	fi
}
vm() { # vm CMD [FILE...]: run in the guest, console to $VMDIR/console.log
	"$H/vm-run.sh" "$VMLINUX" "$VMDIR" "$@" >/dev/null 2>"$VMDIR.err"
}
