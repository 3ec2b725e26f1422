#!/bin/sh
# the sources of restores besides vmgenid alone on the patched QEMU, five
# machines: vmclock only, vmgenid only, both, virtio-rng
# with leak queues only (`-device virtio-rng-pci,leak=on`), and virtio-rng
# leak with vmgenid. Each: the devices bound (ptp_vmclock with the counter
# and notification flags; virtio-rng with `VIRTIO_RNG_F_LEAK` negotiated),
# generation 0 at boot, a stop/cont changes nothing (no bump, no reseed),
# then two snapshot restores in a row (three with the leak queues, the
# third using a queue the driver armed again; `snapshot-load=on` on the
# loading side, a new guid): each moves the generation by exactly 1 (and the vmclock
# counter with it), wakes blocked `read()` and `poll()`, lets the barrier
# through (a tracked watcher acknowledges, `sysgenid wait --after` returns
# 0), and so does an agent that starts as the first thing after the
# restore (spinning at SCHED_FIFO on the one vCPU until the page moves),
# only once a watcher that acknowledges a second late did (the page may be
# ahead of the kernel: the agent must not decide from it),
# reseeds the CRNG exactly once, shows no other generation, and
# ptp_vmclock's own `poll()` reports the new counter; no splat
. "$H/lib.sh"
. "$H/snapshot.sh"
need_guest
need_qemu
# One vCPU: the agent started after a restore at SCHED_FIFO runs before
# anything else, the kernel's handling of the restore included.
export VMM=patched SMP=1
mkdir -p "$VMDIR"
machines='vmclock vmgenid both leak leak-vmgenid'
trap 'for m in $machines; do for v in src r1 r2 r3; do vm_stop "$VMDIR/$m-$v"; done; done' EXIT

"$H/initramfs.sh" "$VMDIR/initrd.cpio" 'sh ./sources-scenario.sh' \
	"$H/guest/sources-scenario.sh" "$P"/bin/*

res() { results "$VMDIR/$1"; }
has() { res "$1" | grep -qx -- "$2"; }
# reseeds DIR: how many times that QEMU's guest reseeded for a VM fork
reseeds() { tr -d '\r' < "$VMDIR/$1/console.log" | grep -c 'crng reseeded due to virtual machine fork'; }
# acked_before_late DIR R: the slow watcher's ACKED R precedes LATE R
acked_before_late() {
	res "$1" | awk -v r="$2" '$0 == "ACKED " r { a = NR } $1 == "LATE" && $2 == r { l = NR }
		END { exit !(a && l && a < l) }'
}
# ticks_only DIR VALUES: every TICK line of that run shows one of VALUES
ticks_only() { ! res "$1" | sed -n 's/^TICK //p' | grep -qvx "$2"; }

rng='-device virtio-rng-pci,leak=on'
for m in $machines; do
	case $m in
	vmclock) g=- dev='-device vmclock' restore_dev='-device vmclock,snapshot-load=on' ;;
	vmgenid) g=$(new_guid) dev= restore_dev= ;;
	both) g=$(new_guid) dev='-device vmclock' restore_dev='-device vmclock,snapshot-load=on' ;;
	leak) g=- dev=$rng restore_dev=$rng,snapshot-load=on ;;
	leak-vmgenid) g=$(new_guid) dev=$rng restore_dev=$rng,snapshot-load=on ;;
	esac
	# vc: the vmclock counter the guest reports ("none": no vmclock)
	vc=none
	case $m in vmclock | both) vc=0 ;; esac
	VM_DEVICES=$dev vm_start "$VMDIR/$m-src" "$g" "$VMDIR/initrd.cpio"
	if ! wait_for "$VMDIR/$m-src/results.log" '^READY-STOPCONT' 90; then
		notok "$m: guest came up on the patched QEMU"
		cat "$VMDIR/$m-src/qemu.log"
		continue
	fi
	if [ $vc = none ]; then
		check "$m: no vmclock device" not has $m-src "VMCLOCK bound flags 0x300"
	else
		check "$m: ptp_vmclock bound, generation counter and notification flags" \
			has $m-src "VMCLOCK bound flags 0x300"
	fi
	case $m in leak*) check "$m: virtio-rng bound, VIRTIO_RNG_F_LEAK negotiated" \
		has $m-src "VIRTIO-RNG bound leak 1" ;; esac
	[ $g != - ] && check "$m: vmgenid bound" has $m-src "VMGENID bound"
	check "$m: cold boot: generation 0" has $m-src "BOOT 0 $vc"
	qmp "$VMDIR/$m-src" '{"execute":"stop"}' >/dev/null
	sleep 1
	qmp "$VMDIR/$m-src" '{"execute":"cont"}' >/dev/null
	vm_say "$VMDIR/$m-src" stopcont
	wait_for "$VMDIR/$m-src/results.log" '^READY 1' 30
	check "$m: stop/cont: generation and counter unchanged" has $m-src "AFTER-STOPCONT 0 $vc"
	check "$m: stop/cont: no reseed" [ "$(reseeds $m-src)" = 0 ]
	prev=src rounds="1 2"
	# Both leak queues are armed before the first restore: only a third
	# restore in a row uses a queue the driver armed again after one.
	case $m in leak*) rounds="1 2 3" ;; esac
	for r in $rounds; do
		snap=$VMDIR/$m-snap$r.bin
		# Its readers blocked and listening for the host: only then.
		wait_for "$VMDIR/$m-$prev/results.log" "^READY $r " 60
		check "$m: snapshot $r (QMP migrate to a file)" snapshot "$VMDIR/$m-$prev" "$snap"
		vm_stop "$VMDIR/$m-$prev"
		[ $g != - ] && g=$(new_guid)
		VM_DEVICES=$restore_dev check "$m: restore $r" \
			restore "$VMDIR/$m-r$r" "$g" "$VMDIR/initrd.cpio" "$snap"
		vm_say "$VMDIR/$m-r$r" resumed
		if ! wait_for "$VMDIR/$m-r$r/results.log" "^ROUND $r " 60; then
			notok "$m: restore $r: the scenario reported"
			prev=r$r
			continue
		fi
		want_vc=$r
		[ $vc = none ] && want_vc=none
		check "$m: restore $r: generation moved by exactly 1 (and the counter to $want_vc)" \
			has $m-r$r "ROUND $r $r $want_vc"
		check "$m: restore $r: blocked read() woke with generation $r" has $m-r$r "WOKE $r read $r"
		check "$m: restore $r: blocked poll() woke with generation $r" has $m-r$r "WOKE $r poll $r"
		check "$m: restore $r: the barrier let the agent through (tracked watcher acknowledged $r)" \
			has $m-r$r "BARRIER $r 0 $r"
		check "$m: restore $r: an agent started after the restore returned 0 at generation $r" \
			has $m-r$r "LATE $r 0 $r"
		check "$m: restore $r: ... and only after the slow tracked watcher acknowledged" \
			acked_before_late $m-r$r $r
		check "$m: restore $r: CRNG reseeded exactly once" [ "$(reseeds $m-r$r)" = 1 ]
		check "$m: restore $r: no other generation seen" ticks_only $m-r$r "$((r - 1))\|$r"
		if [ $vc != none ]; then
			check "$m: restore $r: ptp_vmclock poll() reported the new counter" \
				has $m-r$r "VMCLOCK POLLIN gen $r"
		fi
		rm -f "$snap"
		prev=r$r
	done
	logs=$VMDIR/$m-src/console.log
	for r in $rounds; do logs="$logs $VMDIR/$m-r$r/console.log"; done
	# shellcheck disable=SC2086 # the guests' logs
	no_splat "$m: no splat in any of the guests" $logs
	for v in src r1 r2 r3; do vm_stop "$VMDIR/$m-$v"; done
done
exit $stage_rc
