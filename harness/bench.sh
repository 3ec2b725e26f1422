#!/bin/sh
# make bench: boot the guest and run sysgenid_bench in it; print the table
# and keep the JSON in $BUILD/bench.json.
set -u
H=$(cd "$(dirname "$0")" && pwd)
t0=$(date +%s)
"$H/selftests.sh" "$TREE" "$OBJ" "$BUILD/ksft" || exit 1
d=$BUILD/vm-bench
mkdir -p "$d"
echo "== sysgenid_bench in the guest (QEMU TCG, -cpu max, 2 vCPUs; host: $(nproc) cores," \
	"$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1))"
TIMEOUT=${BENCH_TIMEOUT:-540} "$H/vm-run.sh" "$VMLINUX" "$d" \
	"./sysgenid/sysgenid_bench --reps ${BENCH_REPS:-7} --max-watchers ${BENCH_MAX:-10000} --json /tmp/b.json > /dev/ttyS1 2>&1; rc=\$?; echo JSON > /dev/ttyS1; cat /tmp/b.json > /dev/ttyS1; exit \$rc" \
	"$BUILD"/ksft/* > "$d.log" 2>&1
rc=$?
tr -d '\r' < "$d/results.log" | sed '/^JSON$/,$d' | grep -v '^@@EXIT'
tr -d '\r' < "$d/results.log" | sed '1,/^JSON$/d' | grep -v '^@@EXIT' > "$BUILD/bench.json"
echo "== JSON: $BUILD/bench.json; $(( $(date +%s) - t0 ))s in all; guest exit $rc"
exit $rc
