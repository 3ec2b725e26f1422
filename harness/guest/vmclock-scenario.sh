# Runs in the guest (busybox sh) of the vmclock scenarios: a stop/cont,
# then two snapshot restores in a row. Reports on /dev/ttyS1 (survives a
# restore); the host's lines arrive on /dev/ttyS2.
say() { echo "$*" > /dev/ttyS1; }
gen() { sysgenid get 2>/dev/null || echo none; }
vmc() { if [ -e /dev/vmclock0 ]; then vmclock get | cut -d' ' -f1; else echo none; fi; }
hear() { read -r _ < /dev/ttyS2; }

ls /sys/bus/platform/drivers/vmgenid/ | grep -q QEMUVGID && say "VMGENID bound"
[ -e /dev/vmclock0 ] && say "VMCLOCK bound flags $(vmclock get | cut -d' ' -f3)"
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

for round in 1 2; do
	# Readers blocked across the snapshot: read() and poll().
	(v=$(dd if=/dev/sysgenid bs=4 count=1 2>/dev/null | od -An -tu4 | tr -d ' ')
	 say "WOKE $round read $v") &
	(say "WOKE $round poll $(sysgenid watch --method poll --count 1)") &
	sleep 1
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
