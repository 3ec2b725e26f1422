# Runs in the debug guest across a snapshot restore: the vmgenid ACPI path
# under lockdep, KASAN, debug objects and friends. Reports on /dev/ttyS1.
say() { echo "R $*" > /dev/ttyS1; }
insmod ./sysgenid.ko || say "FAIL insmod sysgenid"
insmod ./vmgenid.ko || say "FAIL insmod vmgenid"
ls /sys/bus/platform/drivers/vmgenid/ | grep -q QEMUVGID && say "OK vmgenid bound"
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
