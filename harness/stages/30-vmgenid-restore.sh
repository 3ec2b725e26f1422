#!/bin/sh
# A real VM Generation ID change: snapshot a running guest with a vmgenid
# device, restore it with new guids and with its own guid, and check what
# /dev/sysgenid does in each clone.
. "$H/lib.sh"
. "$H/snapshot.sh"
need_guest
mkdir -p "$VMDIR"
trap 'for v in src a b c; do vm_stop "$VMDIR/$v"; done' EXIT

cat > "$VMDIR/guest.sh" <<'GUEST'
say() { echo "$*" > /dev/ttyS1; }
gen() { cat /sys/class/misc/sysgenid/generation 2>/dev/null || echo none; }
ls /sys/bus/platform/drivers/vmgenid/ | grep -q QEMUVGID && say "VMGENID bound"
say "BOOT $(gen)"
# A reader blocked in read() across the snapshot.
(v=$(dd if=/dev/sysgenid bs=4 count=1 2>/dev/null | od -An -tu4 | tr -d ' '); say "WOKE $v") &
sleep 2
say "READY $(gen)"
while :; do sleep 0.5; say "TICK $(gen)"; done
GUEST
"$H/initramfs.sh" "$VMDIR/initrd.cpio" 'sh ./guest.sh' "$VMDIR/guest.sh"

g1=$(new_guid) g2=$(new_guid) g3=$(new_guid)
snap=$VMDIR/snap.bin

vm_start "$VMDIR/src" "$g1" "$VMDIR/initrd.cpio"
if ! wait_for "$VMDIR/src/results.log" READY 90; then
	notok "source guest did not come up"
	exit 1
fi
check "vmgenid is bound to the QEMU device" wait_for "$VMDIR/src/results.log" "^VMGENID bound" 1
check "cold boot: generation 0" wait_for "$VMDIR/src/results.log" "^BOOT 0$" 1
check "no spurious bump before the snapshot" sh -c "! grep -q '^READY [^0]' '$VMDIR/src/results.log'"
check "snapshot of the running guest (QMP migrate to a file)" snapshot "$VMDIR/src" "$snap"
vm_stop "$VMDIR/src"

no_line() { ! results "$1" | grep -q -- "$2"; }

# clone NAME GUID: restore the snapshot; report on it.
clone() {
	restore "$VMDIR/$1" "$2" "$VMDIR/initrd.cpio" "$snap" || return 1
	wait_for "$VMDIR/$1/results.log" "^TICK" 30
}

for c in a b; do
	g=$g2
	[ $c = b ] && g=$g3
	check "clone $c: restored with a new guid" clone $c "$g"
	check "clone $c: blocked reader woke with generation 1" \
		wait_for "$VMDIR/$c/results.log" "^WOKE 1$" 30
	check "clone $c: generation is exactly 1" wait_for "$VMDIR/$c/results.log" "^TICK 1$" 10
	check "clone $c: CRNG reseeded" \
		wait_for "$VMDIR/$c/console.log" "crng reseeded due to virtual machine fork" 10
	sleep 2
	check "clone $c: exactly one bump" no_line "$VMDIR/$c" '^TICK [^1]'
	check "clone $c: the reader woke once" [ "$(results "$VMDIR/$c" | grep -c '^WOKE')" = 1 ]
	vm_stop "$VMDIR/$c"
done

check "clone c: restored with the source's own guid" clone c "$g1"
sleep 3
check "clone c: same guid, generation stays 0" wait_for "$VMDIR/c/results.log" "^TICK 0$" 1
check "clone c: same guid, no bump and no wake-up" no_line "$VMDIR/c" '^WOKE\|^TICK [^0]'

vm_stop "$VMDIR/c"
rm -f "$snap"
exit $stage_rc
