#!/bin/sh
# The harness's one QEMU launcher: every guest starts here, in the
# foreground (vm-run.sh) or in the background with QMP for snapshots and
# restores (snapshot.sh).
# usage: qemu.sh DIR KERNEL INITRD [QEMU-ARG...]
#   DIR/results.log  the guest's /dev/ttyS1, the results channel (survives
#                    a snapshot restore)
#   DIR/cmd.sock     lines from the host to the guest's /dev/ttyS2
#   DIR/qmp.sock     QMP
# env: CONSOLE  stdio (default): the console (ttyS0) on stdout
#               file: the console in DIR/console.log
#               mon: console and QEMU monitor on stdio (make shell)
#      SMP (2), MEM in MiB (512), CPU the x86_64 -cpu model and its
#      features (max), APPEND kernel command line tail (quiet;
#      set it empty for none), KVM=1 tries KVM instead of TCG, QEMU_ARGS
#      extra arguments (split at spaces), ARCH x86_64 (default: q35, the
#      tests' machine) or arm64 (virt, for the devicetree stage; it has one
#      UART, so the results and command channels stay unconnected).
#      VMM: debian (default: the system's QEMU, unmodified) or patched
#      (x86_64 only: Debian trixie's QEMU with harness/qemu/*.patch, built
#      by qemu-build.sh and run in the tool root, which sees DIR's parent,
#      the kernel's and the initrd's directories at the same paths).
set -eu
dir=$1 kernel=$2 initrd=$3
shift 3
h=$(cd "$(dirname "$0")" && pwd)
accel=tcg
[ -n "${KVM:-}" ] && accel=kvm
x86=qemu-system-x86_64
if [ "${VMM:-debian}" = patched ]; then
	bin=$(cat "$CACHE/qemu/bin" 2>/dev/null) && [ -x "$bin" ] ||
		{ echo "qemu.sh: no patched QEMU: make check STAGES=qemu builds it" >&2; exit 1; }
	binds=$(for d in "$(dirname "$dir")" "$(dirname "$kernel")" "$(dirname "$initrd")"; do
		(cd "$d" && pwd); done | sort -u | tr '\n' ' ')
	# The +ds source has no firmware: the tool root's seabios and
	# qemu-system-data have it; no NIC, so no option ROM either.
	x86="$h/qemu-build.sh $CACHE run $binds -- $bin -nic none"
	x86="$x86 -L /usr/share/qemu -L /usr/share/seabios"
fi
case ${ARCH:-x86_64} in
x86_64 | x86) qemu="$x86 -cpu ${CPU:-max} -M q35" con=ttyS0 ;;
arm64) qemu='qemu-system-aarch64 -cpu cortex-a57 -M virt' con=ttyAMA0 ;;
*) echo "qemu.sh: ARCH must be x86_64 or arm64" >&2; exit 2 ;;
esac
case ${CONSOLE:-stdio} in
stdio) set -- -serial stdio -monitor none "$@" ;;
file) set -- -serial "file:$dir/console.log" -monitor none "$@" ;;
mon) set -- -serial mon:stdio "$@" ;;
*) echo "qemu.sh: CONSOLE must be stdio, file or mon" >&2; exit 2 ;;
esac
# shellcheck disable=SC2086 # $qemu and QEMU_ARGS are lists of words
exec $qemu -accel "$accel" -smp "${SMP:-2}" -m "${MEM:-512}" \
	-no-reboot -display none -kernel "$kernel" -initrd "$initrd" \
	-append "console=$con panic=-1 ${APPEND-quiet}" \
	"$@" -serial "file:$dir/results.log" \
	-chardev "socket,id=cmd,path=$dir/cmd.sock,server=on,wait=off" -serial chardev:cmd \
	-qmp "unix:$dir/qmp.sock,server=on,wait=off" ${QEMU_ARGS:-}
