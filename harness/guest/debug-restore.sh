# Runs in the debug guest across a snapshot restore: the vmgenid ACPI path
# and virtio-rng's leak queues under lockdep, KASAN, debug objects and friends. Reports on /dev/ttyS1.
say() { echo "R $*" > /dev/ttyS1; }
insmod ./sysgenid.ko || say "FAIL insmod sysgenid"
insmod ./vmgenid.ko || say "FAIL insmod vmgenid"
insmod ./virtio-rng.ko || say "FAIL insmod virtio-rng"
for d in /sys/bus/virtio/devices/*; do
	[ "$(cat "$d/device" 2>/dev/null)" = 0x0004 ] && say "OK virtio-rng leak $(cut -c1 "$d/features")"
done
ls /sys/bus/platform/drivers/vmgenid/ | grep -q QEMUVGID && say "OK vmgenid bound"
ip link add wg0 type wireguard && ip link set wg0 up && say "OK wireguard wg0 up"
# Blocked across the snapshot, woken by the restore.
sysgenid watch --method poll --count 1 > /tmp/woke &
w=$!
sleep 1
say "READY $(sysgenid get)"
wait $w
say "RESTORED $(sysgenid get) woke $(cat /tmp/woke)"
sleep 2
dmesg | sed 's/^/DMESG /' > /dev/ttyS1
say END
