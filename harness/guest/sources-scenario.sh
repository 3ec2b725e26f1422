# Runs in the guest (busybox sh) of the sources-restore stage: a stop/cont,
# then two snapshot restores in a row. Reports on /dev/ttyS1 (survives a
# restore); the host's lines arrive on /dev/ttyS2.
say() { echo "$*" > /dev/ttyS1; }
gen() { sysgenid get 2>/dev/null || echo none; }
vmc() { if [ -e /dev/vmclock0 ]; then vmclock get | cut -d' ' -f1; else echo none; fi; }
# Open for good: a line the host sends while nobody reads is kept.
exec 3< /dev/ttyS2
hear() { read -r _ <&3; }

ls /sys/bus/platform/drivers/vmgenid/ | grep -q QEMUVGID && say "VMGENID bound"
[ -e /dev/vmclock0 ] && say "VMCLOCK bound flags $(vmclock get | cut -d' ' -f3)"
# virtio-rng (device ID 4) and whether it negotiated VIRTIO_RNG_F_LEAK (bit 0).
for d in /sys/bus/virtio/devices/*; do
	[ "$(cat "$d/device" 2>/dev/null)" = 0x0004 ] &&
		say "VIRTIO-RNG bound leak $(cut -c1 "$d/features")"
done
say "BOOT $(gen) $(vmc)"
# ptp_vmclock's own poll(), independent of sysgenid.
[ -e /dev/vmclock0 ] && vmclock poll > /dev/ttyS1 2>&1 &
# Every generation the system shows, twice a second, to catch a second bump.
(while :; do sleep 0.5; say "TICK $(gen)"; done) &

# A stop/cont of the running guest is not a restore.
say "READY-STOPCONT $(gen) $(vmc)"
hear
sleep 2
say "AFTER-STOPCONT $(gen) $(vmc)"

# The host goes on for as many rounds as it wants (the leak machines: 3,
# so that a queue re-armed after a restore is used again).
for round in 1 2 3; do
	# Readers blocked across the snapshot: read() and poll().
	(v=$(dd if=/dev/sysgenid bs=4 count=1 2>/dev/null | od -An -tu4 | tr -d ' ')
	 say "WOKE $round read $v") &
	(say "WOKE $round poll $(sysgenid watch --method poll --count 1)") &
	# The barrier across the restore: a tracked watcher acknowledges, the
	# agent's wait returns once the system knows and every tracked one did.
	sysgenid watch --ack --track --count 1 > /dev/null &
	# A tracked watcher that takes a second to acknowledge (ACKED).
	snaprng slowack 1000 > /dev/ttyS1 &
	(sysgenid wait --after $((round - 1)) --timeout 30000 > /dev/null
	 say "BARRIER $round $? $(gen)") &
	sleep 1
	# An agent that starts only after the restore, as the first thing
	# that runs then: spinning at SCHED_FIFO on the one vCPU until the
	# page moves (at once where a device stored the new generation), it
	# must wait until the kernel handled the restore, then for every
	# tracked watcher.
	(snaprng fifopage sysgenid wait --after $((round - 1)) --timeout 30000 > /dev/null
	 say "LATE $round $? $(gen)") &
	say "READY $round $(gen) $(vmc)"
	# The host restored a snapshot and says so.
	hear
	wait_s=0
	while [ "$(gen)" = "$((round - 1))" ] && [ $wait_s -lt 30 ]; do
		sleep 1
		wait_s=$((wait_s + 1))
	done
	# A second bump of the same restore would land within this pause.
	sleep 3
	say "ROUND $round $(gen) $(vmc)"
done
say DONE
wait
