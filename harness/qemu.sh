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
#      SMP (2), MEM in MiB (512), APPEND kernel command line tail (quiet;
#      set it empty for none), KVM=1 tries KVM instead of TCG, QEMU_ARGS
#      extra arguments (split at spaces), ARCH x86_64 (default: q35, the
#      tests' machine) or arm64 (virt, for the devicetree stage; it has one
#      UART, so the results and command channels stay unconnected).
set -eu
dir=$1 kernel=$2 initrd=$3
shift 3
accel=tcg
[ -n "${KVM:-}" ] && accel=kvm
case ${ARCH:-x86_64} in
x86_64 | x86) qemu='qemu-system-x86_64 -cpu max -M q35' con=ttyS0 ;;
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
