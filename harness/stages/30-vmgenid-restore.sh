#!/bin/sh
# snapshot a guest with `-device vmgenid` and a workload, restore two clones
# with new guids and one with the old guid (the same run `make demo`
# prints); the guest masks the vmgenid ACPI GPE before the snapshot and the
# host unmasks it through a third serial port (`vm_say`) after the restore,
# so the notification is late on purpose: an agent that only calls
# WAIT_WATCHERS un-quiesces at generation 0 (the race, shown), `sysgenid
# wait --after 0` waits for the restore and for every tracked watcher;
# self-tests of the verdict helpers with known-bad input
. "$H/lib.sh"
. "$H/snapshot.sh"
need_guest
mkdir -p "$VMDIR"
trap 'for v in src a b c; do vm_stop "$VMDIR/$v"; done' EXIT

"$H/initramfs.sh" "$VMDIR/initrd.cpio" 'sh ./restore-scenario.sh' \
	"$H/guest/restore-scenario.sh" "$P"/bin/*

g1=$(new_guid) g2=$(new_guid) g3=$(new_guid)
snap=$VMDIR/snap.bin
res() { results "$VMDIR/$1"; }
has() { res "$1" | grep -qx -- "$2"; }
starts() { res "$1" | grep -q -- "^$2"; }
before_trigger_only_01() { ! res "$1" | sed '/^TRIGGERING/q' | grep -q '^TICK [^01]'; }
no_line() { ! res "$1" | grep -q -- "$2"; }
# The AGENT line comes after the stuck watcher's WAIT timed out.
agent_after_stuck() { res "$1" | sed -n '/^WAIT with a stuck watcher/,$p' | grep -q '^AGENT exit 0'; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }
echo "$g1 $g2 $g3" > "$VMDIR/guids"

t=$(ms)
vm_start "$VMDIR/src" "$g1" "$VMDIR/initrd.cpio"
if ! wait_for "$VMDIR/src/results.log" '^READY' 90; then
	notok "source guest did not come up"
	exit 1
fi
echo "time boot $(( $(ms) - t ))" >> "$VMDIR/times"
check "vmgenid is bound to the QEMU device" has src "VMGENID bound"
check "cold boot: generation 0" has src "BOOT 0"
check "no spurious bump before the snapshot" has src "READY 0"
t=$(ms)
check "snapshot of the running guest (QMP migrate to a file)" snapshot "$VMDIR/src" "$snap"
echo "time snapshot $(( $(ms) - t ))" >> "$VMDIR/times"
vm_stop "$VMDIR/src"

for c in a b; do
	g=$g2
	[ $c = b ] && g=$g3
	t=$(ms)
	check "clone $c: restored with a new guid" restore "$VMDIR/$c" "$g" "$VMDIR/initrd.cpio" "$snap"
	echo "time restore-$c $(( $(ms) - t ))" >> "$VMDIR/times"
	vm_say "$VMDIR/$c" resumed
	check "clone $c: the generation changed" wait_for "$VMDIR/$c/results.log" '^RESTORED' 30
	echo "time notified-$c $(( $(ms) - t ))" >> "$VMDIR/times"
	if ! wait_for "$VMDIR/$c/results.log" '^DONE' 60; then
		notok "clone $c: scenario did not finish"
	fi
	echo "time done-$c $(( $(ms) - t ))" >> "$VMDIR/times"
	check "clone $c: generation is exactly previous + 1" has $c "RESTORED 1"
	for m in read poll mmap; do
		check "clone $c: blocked $m watcher woke with generation 1" has $c "WOKE $m 1"
	done
	check "clone $c: CRNG reseeded" \
		wait_for "$VMDIR/$c/console.log" "crng reseeded due to virtual machine fork" 1
	check "clone $c: exactly one bump before the trigger" before_trigger_only_01 $c
	check "clone $c: tracked watcher re-derived its secret and acked" \
		starts $c "WATCHER generation 1 secret"
	check "clone $c: WAIT_WATCHERS times out while a watcher never acks" \
		has $c "WAIT with a stuck watcher: exit 1"
	check "clone $c: WAIT_WATCHERS returns once all tracked watchers acked" \
		has $c "WAIT after it left: exit 0"
	check "clone $c: TRIGGER through the tool with vmgenid present" has $c "TRIGGER exit 0 now 2"
	check "clone $c: notification held back after the restore (generation still 0)" has $c "RESUMED 0"
	check "clone $c: control: an agent without --after un-quiesces before the restore is seen" \
		has $c "NAIVE-AGENT exit 0 gen 0"
	check "clone $c: agent with --after 0 returns 0 at generation 1" has $c "AGENT exit 0 gen 1"
	check "clone $c: agent started after the restore, notification held: returns 0 at generation 1" \
		has $c "LATE-AGENT exit 0 gen 1"
	check "clone $c: agent waited until the stuck watcher left" agent_after_stuck $c
	vm_stop "$VMDIR/$c"
done

check "clone c: restored with the source's own guid" restore "$VMDIR/c" "$g1" "$VMDIR/initrd.cpio" "$snap"
vm_say "$VMDIR/c" resumed
wait_for "$VMDIR/c/results.log" '^GPE after unmask' 30
sleep 2
# Positive control: the hypervisor did notify this clone (the GPE's status
# bit while masked, its count once unmasked); vmgenid saw its own id again.
check "clone c: control: the vmgenid notification arrived (GPE status set)" \
	starts c "GPE before unmask: *0 *STS"
check "clone c: control: and was delivered once unmasked (GPE count 1)" \
	starts c "GPE after unmask: *1 "
last_tick() { res "$1" | sed -n 's/^TICK //p' | tail -n 1; }
check "clone c: same guid, generation stays 0 (last tick)" [ "$(last_tick c)" = 0 ]
check "clone c: same guid, no bump and no wake-up" no_line c '^RESTORED\|^WOKE\|^TICK [^0]'
vm_stop "$VMDIR/c"
rm -f "$snap"
exit $stage_rc
