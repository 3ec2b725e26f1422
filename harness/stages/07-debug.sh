#!/bin/sh
# the debug kernel is the Kconfig matrix's m/m case too (sysgenid, vmgenid
# and virtio-rng modules): vmlinux and modules link, and each module imports
# what it must from random.c and sysgenid (self-test: a symbol a module does
# not take); lockdep/KASAN/UBSAN/kmemleak/DEBUG_VM/debug-objects (free,
# timers, work) guest booted without `quiet`: module load/unload cycles, 60
# s stress beside a KUnit race with IRQ-context bumps on a private state,
# kselftests, kmemleak scan (kmemleak must be there and scan); every `FAIL`
# the guest prints counts; any splat fails; then a snapshot restore of a
# debug guest with a new guid and virtio-rng's leak queues, a WireGuard
# interface up (its VM fork notifier takes rtnl_lock(): lockdep sees that
# chain), under the debug kernel: generation 1, a poll() watcher woken,
# CRNG reseeded, no splat
. "$H/lib.sh"
# The payload (kselftests, programs) is built against the guest kernel.
need_guest
need_qemu
parallel
D=$BUILD/obj-debug
SECONDS_=${STRESS_SECONDS:-60}
# A KASAN kernel does not survive the PVH entry of an uncompressed vmlinux
# (triple fault before the first message): boot the bzImage instead.
if ! QUIET=1 "$H/build-kernel.sh" "$TREE" "$D" tinyconfig "$H/config/guest.config" "$H/config/debug.config" \
	-- bzImage modules; then
	notok "debug kernel (SYSGENID, VMGENID, virtio-rng =m): vmlinux and modules link"
	exit 1
fi
prebuilt
ok "debug kernel (SYSGENID, VMGENID, virtio-rng =m): vmlinux and modules link"
# The Kconfig matrix's m/m case, built here once: modpost resolved what
# the modules take from random.c and from each other (it fails the build
# on an undefined symbol), and they do take it.
# imports MODULE SYMBOL...: the module's undefined symbols include each.
imports() {
	_m=$D/$1.ko
	shift
	for _s; do nm -u "$_m" | grep -q " $_s\$" || return 1; done
}
check "m/m: sysgenid.ko subscribes to random.c's VM fork chain" \
	imports drivers/misc/sysgenid register_random_vmfork_notifier
check "m/m: vmgenid.ko reports through random.c's sources" \
	imports drivers/virt/vmgenid register_random_vmfork_source random_vmfork_notify
check "m/m: virtio-rng.ko reports through random.c and takes its targets, not sysgenid's" \
	imports drivers/char/hw_random/virtio-rng register_random_vmfork_source random_vmfork_get_targets
check "m/m: sysgenid.ko offers its page to devices through random.c" \
	imports drivers/misc/sysgenid register_random_vmfork_target
check "self-test: imports fails for a symbol a module does not take" \
	not imports drivers/virt/vmgenid random_vmfork_get_targets
# takes_sysgenid MODULE: the module takes any symbol with sysgenid in its name.
takes_sysgenid() { nm -u "$D/$1.ko" | grep -q sysgenid; }
no_hw_takes() {
	! takes_sysgenid drivers/char/hw_random/virtio-rng && ! takes_sysgenid drivers/virt/vmgenid
}
check "no hardware driver takes a symbol of sysgenid" no_hw_takes
check "self-test: takes_sysgenid finds sysgenid_kunit.ko's" takes_sysgenid drivers/misc/sysgenid_kunit
mkdir -p "$VMDIR"
t0=$(date +%s)
# No "quiet": every warning reaches the console log.
APPEND=loglevel=7 TIMEOUT=$((SECONDS_ * 4 + 600)) MEM=1024 QEMU_ARGS="-device vmgenid,guid=auto" \
	"$H/vm-run.sh" "$D/arch/x86/boot/bzImage" "$VMDIR" "STRESS_SECONDS=$SECONDS_ sh ./debug-scenario.sh" \
	"$H/guest/debug-scenario.sh" \
	"$D/drivers/misc/sysgenid.ko" "$D/drivers/misc/sysgenid_kunit.ko" "$D/drivers/virt/vmgenid.ko" \
	"$P/ksft" "$P"/bin/* > "$VMDIR.out" 2>&1
rc=$?
echo "debug guest: exit $rc after $(( $(date +%s) - t0 ))s"
r=$VMDIR/results.tr
tr -d '\r' < "$VMDIR/results.log" > "$r"
check "debug guest finished" grep -qx 'R END' "$r"
grep '^R \(OK\|FAIL\)' "$r" | while read -r _ verdict what; do
	echo "$verdict $what"
done
# Every FAIL the guest printed counts, listed or not.
grep '^R FAIL' "$r" > "$VMDIR/fails" || true
while read -r _ _ what; do
	notok "debug guest: $what"
done < "$VMDIR/fails"
for line in "OK unload refused with an open file" "OK unload refused with a live mapping" \
	"OK unload once everything is closed" "OK 50 module cycles" "OK kmemleak: nothing"; do
	check "${line#OK }" grep -qx "R $line" "$r"
done
check "kselftests skip without the driver" grep -q '^R NODRIVER exit [04] # Totals: pass:0 fail:0 .*skip:[1-9]' "$r"
grep '^STRESS #' "$r" | sed 's/^STRESS //'
check "stress: invariants held, only documented errnos" grep -qx 'STRESS ok 1 sysgenid_stress' "$r"
sed -n 's/^KSFT //p' "$r" > "$VMDIR/ksft.log"
"$H/ktap-count.sh" "$TREE" "$VMDIR/ksft.log" "$COUNTS" >/dev/null || stage_rc=1
sed -n 's/^DMESG //p' "$r" > "$VMDIR/dmesg.log"
grep 'bumps from IRQ context' "$VMDIR/dmesg.log" | sed 's/^ *# */kunit: /'
"$H/ktap-count.sh" "$TREE" "$VMDIR/dmesg.log" "$COUNTS" >/dev/null || stage_rc=1
no_splat "no splat in the debug guest's kernel log" "$VMDIR/console.log" "$VMDIR/dmesg.log"

# The vmgenid ACPI path and virtio-rng's leak queues (probe, the leak
# interrupt, the source sweep, re-arming) under the debug kernel: a
# snapshot restore with a new guid, a watcher blocked across it.
. "$H/snapshot.sh"
R=$VMDIR/restore
mkdir -p "$R"
"$H/initramfs.sh" "$R/initrd.cpio" 'sh ./debug-restore.sh' "$H/guest/debug-restore.sh" \
	"$D/drivers/misc/sysgenid.ko" "$D/drivers/virt/vmgenid.ko" \
	"$D/drivers/char/hw_random/virtio-rng.ko" "$P/bin/sysgenid"
trap 'vm_stop "$R/src"; vm_stop "$R/clone"' EXIT
t0=$(date +%s)
export VMLINUX=$D/arch/x86/boot/bzImage MEM=1024 VMM=patched
rng='-device virtio-rng-pci,leak=on'
VM_DEVICES=$rng vm_start "$R/src" "$(new_guid)" "$R/initrd.cpio"
if wait_for "$R/src/results.log" '^R READY 0' 300 && snapshot "$R/src" "$R/snap.bin"; then
	vm_stop "$R/src"
	VM_DEVICES=$rng,snapshot-load=on restore "$R/clone" "$(new_guid)" "$R/initrd.cpio" "$R/snap.bin" &&
		wait_for "$R/clone/results.log" '^R END' 300
	rc=$?
	echo "debug restore: exit $rc after $(( $(date +%s) - t0 ))s"
	results "$R/clone" > "$R/results.tr"
	results "$R/src" > "$R/src.tr"
	check "debug kernel, restore with a new guid: generation 1, poll watcher woke" \
		grep -qx 'R RESTORED 1 woke 1' "$R/results.tr"
	sed -n 's/^DMESG //p' "$R/results.tr" > "$R/dmesg.log"
	check "debug kernel, restore: no FAIL from the guest" not grep -q '^R FAIL' "$R/results.tr"
	check "debug kernel, restore: virtio-rng's leak queues armed before the snapshot" \
		grep -qx 'R OK virtio-rng leak 1' "$R/src.tr"
	check "debug kernel, restore: CRNG reseeded once" \
		[ "$(grep -c 'crng reseeded due to virtual machine fork' "$R/dmesg.log")" = 1 ]
	check "debug kernel, restore: a WireGuard interface was up through it" \
		grep -qx 'R OK wireguard wg0 up' "$R/src.tr"
	no_splat "debug kernel, restore: no splat in the kernel log" \
		"$R/src/console.log" "$R/clone/console.log" "$R/dmesg.log"
else
	notok "debug kernel, restore: boot and snapshot the source guest"
fi
rm -f "$R/snap.bin"
exit $stage_rc
