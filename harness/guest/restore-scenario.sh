# Runs in the guest (busybox sh), before and after a snapshot restore.
# Everything it reports goes to /dev/ttyS1, which survives the restore.
say() { echo "$*" > /dev/ttyS1; }
gen() { sysgenid get 2>/dev/null || echo none; }

ls /sys/bus/platform/drivers/vmgenid/ | grep -q QEMUVGID && say "VMGENID bound"
say "BOOT $(gen)"

# The workload, started before the snapshot. (The generators that run
# through the snapshot are measured by the restore-window scenario.)
snaprng watcher > /dev/ttyS1 2>&1 &
snaprng stuck &
stuck=$!
# Watchers blocked across the snapshot: read(), poll() and the mapped page.
(v=$(dd if=/dev/sysgenid bs=4 count=1 2>/dev/null | od -An -tu4 | tr -d ' '); say "WOKE read $v") &
(say "WOKE poll $(sysgenid watch --method poll --count 1)") &
(say "WOKE mmap $(sysgenid watch --method mmap --count 1)") &
(while :; do sleep 0.5; say "TICK $(gen)"; done) &
# The control plane's agent, started before the snapshot at generation 0:
# after the restore it must wait for the restore to be seen, then for every
# tracked watcher (the stuck one goes away only after "WAIT with a stuck
# watcher" below).
(sysgenid wait --after 0 --timeout 30000; say "AGENT exit $? gen $(gen)") &
agent=$!
# Opened now, so that it cannot miss the change however early it lands.
sysgenid watch --count 1 > /dev/null &
restored=$!
# Hold the vmgenid notification (ACPI GPE) back until the host says so
# after the restore: the window in which a restored system runs without
# knowing, made long on purpose.
gpe=/sys/firmware/acpi/interrupts/gpe05
echo mask > $gpe && say "GPE held: $(cat $gpe)"
sleep 2
say "READY $(gen)"

# The host writes a line once the clone runs; the notification is held.
read -r _ < /dev/ttyS2
say "RESUMED $(gen)"
# An agent started only now, with the notification still held: it waits
# until the kernel handled the restore, then for the tracked watchers.
(sysgenid wait --after 0 --timeout 30000; say "LATE-AGENT exit $? gen $(gen)") &
# An agent that only calls WAIT_WATCHERS now finds nobody outdated.
sysgenid wait --timeout 30000
say "NAIVE-AGENT exit $? gen $(gen)"
sleep 1
say "GPE before unmask: $(cat $gpe)"
echo unmask > $gpe
# Once unmasked, the held event reaches ACPI (the count goes up).
(sleep 2; say "GPE after unmask: $(cat $gpe)") &

# Wait for the restore: the generation changes.
wait $restored
say "RESTORED $(gen)"
# The orchestrator: the stuck watcher never acknowledges...
sysgenid wait --timeout 1000
say "WAIT with a stuck watcher: exit $?"
kill "$stuck"
# ...without it, every tracked watcher has acknowledged.
sysgenid wait --timeout 10000
say "WAIT after it left: exit $?"
# The agent reports before this scenario moves the generation again.
wait $agent
say "GEN $(gen)"
say TRIGGERING
sysgenid trigger
say "TRIGGER exit $? now $(gen)"
say DONE
wait
