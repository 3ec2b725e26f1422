# Runs in the debug guest. Reports on /dev/ttyS1 ("R" lines).
say() { echo "R $*" > /dev/ttyS1; }
mount -t debugfs none /sys/kernel/debug 2>/dev/null

# Without the driver the kselftests skip, they do not fail.
./ksft/sysgenid/sysgenid_test > /tmp/nodrv.log 2>&1
say "NODRIVER exit $? $(grep '^# Totals' /tmp/nodrv.log)"

insmod ./sysgenid.ko || say "FAIL insmod sysgenid"
insmod ./vmgenid.ko || say "FAIL insmod vmgenid"

# Unload is refused while a file or a mapping is alive, fine afterwards.
exec 3</dev/sysgenid
rmmod vmgenid
if rmmod sysgenid 2>/dev/null; then say "FAIL unload with an open file"; insmod ./sysgenid.ko; else say "OK unload refused with an open file"; fi
exec 3<&-
snaprng map &
m=$!
sleep 1
if rmmod sysgenid 2>/dev/null; then say "FAIL unload with a live mapping"; insmod ./sysgenid.ko; else say "OK unload refused with a live mapping"; fi
sysgenid trigger
wait $m
rmmod sysgenid && say "OK unload once everything is closed" || say "FAIL unload once everything is closed"

# 50 load / use / unload cycles.
bad=0
i=0
while [ $i -lt 50 ]; do
	insmod ./sysgenid.ko || bad=$((bad + 1))
	sysgenid trigger && sysgenid get > /dev/null || bad=$((bad + 1))
	[ "$(cat /sys/class/misc/sysgenid/generation)" = 1 ] || bad=$((bad + 1))
	rmmod sysgenid || bad=$((bad + 1))
	i=$((i + 1))
done
[ $bad = 0 ] && say "OK 50 module cycles" || say "FAIL module cycles: $bad errors"

insmod ./sysgenid.ko
insmod ./vmgenid.ko
# A kernel-side bump source in hard IRQ context for the whole stress run,
# and the KUnit suite, while userspace hammers the device.
(insmod ./sysgenid_kunit.ko irq_bump_ms=$((STRESS_SECONDS * 1000)); echo done > /tmp/kunit.done) &
sleep 1
./ksft/sysgenid/sysgenid_stress --seconds "$STRESS_SECONDS" > /tmp/stress.log 2>&1
sed 's/^/STRESS /' /tmp/stress.log > /dev/ttyS1
while [ ! -f /tmp/kunit.done ]; do sleep 1; done
rmmod sysgenid_kunit

(cd ksft && SYSGENID_TEST_WRAP=1 ./run_kselftest.sh -c sysgenid) 2>&1 | cat > /tmp/ksft.log
sed 's/^/KSFT /' /tmp/ksft.log > /dev/ttyS1

# Leaks: scan twice, as kmemleak's documentation suggests. "Nothing" only
# counts when kmemleak is there and both scans were taken.
if [ -w /sys/kernel/debug/kmemleak ] && echo scan > /sys/kernel/debug/kmemleak &&
	sleep 6 && echo scan > /sys/kernel/debug/kmemleak; then
	cat /sys/kernel/debug/kmemleak > /tmp/leaks
	[ -s /tmp/leaks ] && say "FAIL kmemleak: $(grep -c unreferenced /tmp/leaks) suspected leaks" || say "OK kmemleak: nothing"
else
	say "FAIL kmemleak: not active, no scan"
fi
sed 's/^/LEAK /' /tmp/leaks > /dev/ttyS1
dmesg | sed 's/^/DMESG /' > /dev/ttyS1
say END
