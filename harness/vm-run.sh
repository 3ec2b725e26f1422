#!/bin/sh
# Boot the guest kernel under QEMU, run a command in it, exit with its status.
# usage: vm-run.sh KERNEL WORKDIR CMD [FILE...]
# env:   QEMU_ARGS  extra QEMU arguments (e.g. -device vmgenid)
#        TIMEOUT    seconds before the guest is killed (default 300)
#        INTERACTIVE=1 for a shell on the console (make shell)
#        MEM        guest memory in MiB (default 512)
#        APPEND     kernel command line after the console (default quiet)
#        KVM=1      try KVM instead of TCG
# The console streams to stdout and WORKDIR/console.log; the results channel
# (/dev/ttyS1 in the guest) lands in WORKDIR/results.log.
set -eu
kernel=$1 work=$2 cmd=$3
shift 3
here=$(dirname "$0")
mkdir -p "$work"
work=$(cd "$work" && pwd)
rm -f "$work/results.log" "$work/console.log" "$work/qemu.rc"
"$here/initramfs.sh" "$work/initrd.cpio" "$cmd" "$@"

accel=tcg
if [ -n "${KVM:-}" ]; then accel=kvm; fi
set -- qemu-system-x86_64 -accel "$accel" -cpu max -M q35 -smp 2 -m "${MEM:-512}" \
	-no-reboot -display none -kernel "$kernel" -initrd "$work/initrd.cpio" \
	-append "console=ttyS0 panic=-1 ${APPEND:-quiet}"

if [ -n "${INTERACTIVE:-}" ]; then
	exec "$@" -serial mon:stdio -serial "file:$work/results.log" ${QEMU_ARGS:-}
fi

t0=$(date +%s)
{ timeout -k 5 "${TIMEOUT:-300}" "$@" -monitor none -serial stdio \
	-serial "file:$work/results.log" ${QEMU_ARGS:-} </dev/null || echo $? > "$work/qemu.rc"; } |
	tee "$work/console.log"
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
