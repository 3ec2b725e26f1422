#!/bin/sh
# Boot the guest kernel under QEMU, run a command in it, exit with its status.
# usage: vm-run.sh KERNEL WORKDIR CMD [FILE...]
# env:   TIMEOUT    seconds before the guest is killed (default 300)
#        INTERACTIVE=1 for a shell on the console (make shell)
#        QEMU_ARGS, MEM, SMP, APPEND, KVM: see qemu.sh, the one launcher
# The console streams to stdout and WORKDIR/console.log; the results channel
# (/dev/ttyS1 in the guest) lands in WORKDIR/results.log.
set -eu
kernel=$1 work=$2 cmd=$3
shift 3
here=$(dirname "$0")
mkdir -p "$work"
work=$(cd "$work" && pwd)
rm -f "$work/results.log" "$work/console.log" "$work/qemu.rc" "$work/cmd.sock" "$work/qmp.sock"
"$here/initramfs.sh" "$work/initrd.cpio" "$cmd" "$@"

if [ -n "${INTERACTIVE:-}" ]; then
	CONSOLE=mon exec "$here/qemu.sh" "$work" "$kernel" "$work/initrd.cpio"
fi

t0=$(date +%s)
{ CONSOLE=stdio timeout -k 5 "${TIMEOUT:-300}" "$here/qemu.sh" "$work" "$kernel" "$work/initrd.cpio" \
	</dev/null || echo $? > "$work/qemu.rc"; } | tee "$work/console.log"
qrc=$(cat "$work/qemu.rc" 2>/dev/null || echo 0)
rc=$(tr -d '\r' < "$work/results.log" 2>/dev/null | sed -n 's/^@@EXIT \([0-9]*\)@@$/\1/p' | tail -n 1)
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
	echo "vm-run: guest killed after ${TIMEOUT:-300}s timeout" >&2
	exit 124
fi
if [ -z "$rc" ]; then
	echo "vm-run: guest ended without an exit status (qemu exit $qrc)" >&2
	exit 125
fi
echo "vm-run: guest command exited $rc ($(( $(date +%s) - t0 ))s)" >&2
exit "$rc"
