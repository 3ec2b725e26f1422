#!/bin/sh
# `tools/testing/selftests/sysgenid` 64-bit and 32-bit through the kselftest
# runner in the guest; KTAP parsed by `kunit.py parse`, every subtest
# counted; a skip not listed in `harness/allowed-skips` (empty: our guests
# run as root with every device) counts as a failure; the guest boots with
# `loglevel=5` and a panic, oops or warning anywhere in its console log
# (also after the runner finished) fails the stage; the tests that take the
# generation through the wrap run with `SYSGENID_TEST_WRAP=1` and, once
# without it, must skip saying why; self-tests with a planted skip and a
# planted panic
. "$H/lib.sh"
# What decides pass or fail must be able to say no: planted input.
t=$VMDIR/selftest
mkdir -p "$t"
printf 'TAP version 13\n1..2\nok 1 alpha\nok 2 beta # SKIP planted\n' > "$t/skip.log"
printf 'ok 1 sysgenid\n@@EXIT 0@@\n[   9.1] Kernel panic - not syncing: planted\n' > "$t/panic.log"
counts_fail() { "$H/ktap-count.sh" "$TREE" "$1" "$t/counts" > /dev/null 2>&1; }
check "self-test: a skip that is not in allowed-skips counts as a failure" not counts_fail "$t/skip.log"
check "self-test: a panic after the runner finished is seen" died "$t/panic.log"
need_guest
mkdir -p "$VMDIR"
# loglevel 5: warnings reach the console log too.
export APPEND=loglevel=5
# Our guests opt into the tests that take the generation through the wrap
# (SYSGENID_TEST_WRAP=1), so they run and count; once more without it, one
# of them must say it skipped and why (to the console, not the results).
vm 'SYSGENID_TEST_WRAP=1 ./run_kselftest.sh -c sysgenid 2>&1 | tee /dev/ttyS1;
	./sysgenid/sysgenid_test -t trigger_min_gen_high_and_wrap 2>&1 | sed "s/^/NOWRAP /"' "$P"/ksft/*
rc=$?
[ $rc = 124 ] && notok "kselftests: guest timed out"
"$H/ktap-count.sh" "$TREE" "$VMDIR/results.log" "$COUNTS" || stage_rc=1
check "without SYSGENID_TEST_WRAP=1 the wrap test skips and says why" \
	grep -q "^NOWRAP ok 1 .*trigger_min_gen_high_and_wrap # SKIP takes this system's generation through 0xffffffff" "$VMDIR/console.log"
check "a test that moves the generation says so in its output" \
	grep -q "trigger_min_gen moves this system's generation: other watchers become outdated" "$VMDIR/results.log"
# A panic or an oops after the runner printed its results is a failure too.
check "the guest kernel did not panic, oops or warn (whole console log)" not died "$VMDIR/console.log"
exit $stage_rc
