# Runs in the guest (busybox sh), before and after a snapshot restore.
# Everything it reports goes to /dev/ttyS1, which survives the restore.
say() { echo "$*" > /dev/ttyS1; }
gen() { sysgenid get 2>/dev/null || echo none; }

ls /sys/bus/platform/drivers/vmgenid/ | grep -q QEMUVGID && say "VMGENID bound"
say "BOOT $(gen)"

# The workload, seeded before the snapshot.
snaprng naive 3 > /tmp/naive 2>&1 &
snaprng safe 3 > /tmp/safe 2>&1 &
snaprng watcher > /dev/ttyS1 2>&1 &
snaprng stuck &
stuck=$!
# Watchers blocked across the snapshot: read(), poll() and the mapped page.
(v=$(dd if=/dev/sysgenid bs=4 count=1 2>/dev/null | od -An -tu4 | tr -d ' '); say "WOKE read $v") &
(say "WOKE poll $(sysgenid watch --method poll --count 1)") &
(say "WOKE mmap $(sysgenid watch --method mmap --count 1)") &
(while :; do sleep 0.5; say "TICK $(gen)"; done) &
sleep 2
say "READY $(gen)"

# Wait for the restore: the generation changes.
sysgenid watch --count 1 > /dev/null
say "RESTORED $(gen)"
: > /tmp/go
# The orchestrator: the stuck watcher never acknowledges...
sysgenid wait --timeout 1000
say "WAIT with a stuck watcher: exit $?"
kill "$stuck"
# ...without it, every tracked watcher has acknowledged.
sysgenid wait --timeout 10000
say "WAIT after it left: exit $?"
sleep 1
sed 's/^/NAIVE /' /tmp/naive > /dev/ttyS1
sed 's/^/SAFE /' /tmp/safe > /dev/ttyS1
say "GEN $(gen)"
say TRIGGERING
sysgenid trigger
say "TRIGGER exit $? now $(gen)"
say DONE
wait
