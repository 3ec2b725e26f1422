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
nlines() { printf '%s\n' "$1" | grep -c .; }
# same3 A B: A and B are the same three lines.
same3() { [ "$(nlines "$1")" = 3 ] && [ "$1" = "$2" ]; }
# disjoint3 A B: A has three distinct lines, none of them in B.
disjoint3() {
	[ "$(nlines "$1")" = 3 ] && [ "$(nlines "$2")" -gt 0 ] &&
		[ -z "$(printf '%s\n%s\n' "$1" "$2" | grep . | sort | uniq -d)" ]
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
