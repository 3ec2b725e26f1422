#!/bin/sh
# The sysgenid kselftests, 64-bit and 32-bit, through the kselftest runner
# in the guest; every subtest counts.
. "$H/lib.sh"
need_guest
"$H/selftests.sh" "$TREE" "$OBJ" "$BUILD/ksft" || { notok "build kselftests"; exit 1; }
mkdir -p "$VMDIR"
vm './run_kselftest.sh -c sysgenid 2>&1 | tee /dev/ttyS1' "$BUILD"/ksft/*
rc=$?
[ $rc = 124 ] && notok "kselftests: guest timed out"
"$H/ktap-count.sh" "$TREE" "$VMDIR/results.log" "$COUNTS" || stage_rc=1
exit $stage_rc
