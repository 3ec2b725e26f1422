# Runs in the guest (busybox sh) of the restore-window stage: the
# generators of "snaprng window" from boot through a snapshot, and what a
# run asks for around them. Words (any order):
#   unbind       the vmgenid driver lets go of its device, which stays there
#                as the ground truth of the resume instant only
#   hold=gpe     the vmgenid ACPI GPE is masked before the snapshot
#   hold=msix    the virtio-rng device's interrupts are masked (MSI-X)
#                ...either until the host writes a line after the restore
#   triggers=N   N TRIGGER_GEN_UPDATEs after the devices are set up, before
#                the generators start
#   pm           a suspend cycle of the devices (pm_test) before that
#   pagelog      every value sysgenid's page takes, on ttyS1 (PAGE lines)
#   stopped      the generators are stopped (SIGSTOP) before the snapshot
#                and continued when the host writes a line after a restore
#   fifo-page, fifo-rng   the spinning SCHED_FIFO client to run
#   cap=N pace=US  outputs kept per generator after the restore, and the
#                pause between two outputs (default 300, 200)
# Reports on /dev/ttyS1, which survives a restore: SCENARIO lines, then the
# generators' WIN/GEN/O/K lines.
say() { echo "SCENARIO $*" > /dev/ttyS1; }
exec 3< /dev/ttyS2
hold= triggers=0 pm= pagelog= stopped= fifo= cap=300 pace=200
for w in "$@"; do
	case $w in
	unbind)
		for d in /sys/bus/platform/drivers/vmgenid/QEMUVGID:*; do
			[ -e "$d" ] && echo "${d##*/}" > /sys/bus/platform/drivers/vmgenid/unbind
		done ;;
	hold=*) hold=${w#hold=} ;;
	triggers=*) triggers=${w#triggers=} ;;
	pm) pm=1 ;;
	pagelog) pagelog=1 ;;
	stopped) stopped=1 ;;
	fifo-*) fifo=$w ;;
	cap=*) cap=${w#cap=} ;;
	pace=*) pace=${w#pace=} ;;
	esac
done
ls /sys/bus/platform/drivers/vmgenid/ | grep -q QEMUVGID && say "vmgenid bound" || say "vmgenid unbound"
insmod ./rngprobe.ko && say "rngprobe loaded"
rng=
for d in /sys/bus/virtio/devices/*; do
	[ "$(cat "$d/device" 2>/dev/null)" = 0x0004 ] || continue
	rng=$(cd -P "$d/.." && pwd)
	say "virtio-rng leak $(cut -c1 "$d/features")"
done
if [ -n "$pm" ]; then
	echo devices > /sys/power/pm_test
	echo freeze > /sys/power/state && say "pm cycle done"
	echo none > /sys/power/pm_test
fi
i=0
while [ "$i" -lt "$triggers" ]; do
	sysgenid trigger && i=$((i + 1)) || break
done
page() { snaprng pagelog 0 | sed -n 's/^PAGE END //p'; }
say "generation $(sysgenid get) page $(page)"
[ -n "$pagelog" ] && snaprng pagelog 600000 > /dev/ttyS1 &
snaprng window "$cap" "$pace" $fifo > /dev/ttyS1 2>&1 &
win=$!
case $hold in
gpe) echo mask > /sys/firmware/acpi/interrupts/gpe05 && say "held gpe" ;;
msix) snaprng msix "$rng" mask && say "held msix" ;;
esac
if [ -n "$stopped" ]; then
	sleep 2
	kill -STOP $win && say "stopped"
fi
if [ -n "$hold$stopped" ]; then
	# The host writes a line once a clone runs.
	read -r _ <&3
	[ -n "$stopped" ] && kill -CONT $win
	case $hold in
	gpe) echo unmask > /sys/firmware/acpi/interrupts/gpe05 ;;
	msix) snaprng msix "$rng" unmask ;;
	esac
	say "released"
fi
wait $win
say "reseeds $(dmesg | grep -c 'crng reseeded due to virtual machine fork')"
say "generation $(sysgenid get) page $(page)"
