#!/bin/sh
# make bench: boot the guest and run sysgenid_bench in it; then measure the
# restore window over BENCH_RESTORES (default 6) clones of one snapshot,
# with 1 and with 2 vCPUs, and again on the patched QEMU with a vmclock
# device next to vmgenid (runs "1+vmclock", "2+vmclock", where the sysgenid
# page's window and the vmclock page's stand side by side) and with
# virtio-rng's leak queues next to vmgenid ("1+leak", "2+leak": the device
# stores the generation in the page before the vCPUs run). Prints the
# tables and keeps the JSON (one "results" list; the window's entries are
# in group "restore_window") in $BUILD/bench.json.
set -u
H=$(cd "$(dirname "$0")" && pwd)
t0=$(date +%s)
P=$BUILD/payload
"$H/payload.sh" "$TREE" "$OBJ" "$P" || exit 1
d=$BUILD/vm-bench
mkdir -p "$d"
echo "== sysgenid_bench in the guest (QEMU TCG, -cpu max, 2 vCPUs; host: $(nproc) cores," \
	"$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1))"
TIMEOUT=${BENCH_TIMEOUT:-540} "$H/vm-run.sh" "$VMLINUX" "$d" \
	"./sysgenid/sysgenid_bench --reps ${BENCH_REPS:-7} --max-watchers ${BENCH_MAX:-10000} --json /tmp/b.json > /dev/ttyS1 2>&1; rc=\$?; echo JSON > /dev/ttyS1; cat /tmp/b.json > /dev/ttyS1; exit \$rc" \
	"$P"/ksft/* > "$d.log" 2>&1
rc=$?
tr -d '\r' < "$d/results.log" | sed '/^JSON$/,$d' | grep -v '^@@EXIT'
tr -d '\r' < "$d/results.log" | sed '1,/^JSON$/d' | grep -v '^@@EXIT' > "$d.json"

# The restore window: guest microseconds from the hypervisor's write of the
# new VM Generation ID (seen through /dev/mem) to each generator's first
# output with the new generation; outputs made inside it are the ones both
# clones hand out (make check's restore-window stage proves that).
. "$H/snapshot.sh"
. "$H/window.sh"
n=${BENCH_RESTORES:-6}
w=$BUILD/vm-bench-window
rm -rf "$w"
mkdir -p "$w"
echo "== restore window: $n clones of one snapshot each, medians (min-max) in guest microseconds"
printf '  %-6s %-50s %10s %10s %10s\n' vCPUs figure median min max
: > "$w/entries"
"$H/qemu-build.sh" "$CACHE" > /dev/null || rc=1
# One row of the table and one JSON entry: figure F (seen, wake, in, bound)
# of generator G over the run's clones.
row() {
	g=$1 f=$2 unit=$3
	shift 3
	k=1
	while [ $k -le "$n" ]; do
		c=$w/smp$run/c$k/win
		case $f in
		in) win_count "$c" "$g" 0 ;;
		bound) v=$(win_fact "$c" resume-bound-ns); [ -n "$v" ] && echo $((v / 1000)) ;;
		*) v=$(win_gen "$c" "$g" "$f"); [ "${v:--1}" -ge 0 ] && echo "$v" ;;
		esac
		k=$((k + 1))
	done > "$w/vals"
	[ "$f" = in ] && unit=outputs
	# shellcheck disable=SC2046 # median min max, split
	set -- "$*" $(win_stats < "$w/vals") $(wc -l < "$w/vals")
	printf '  %-6s %-50s %10s %10s %10s\n' "$run" "$1" "$2" "$3" "$4"
	printf '  {"group": "restore_window", "name": "%s, %s vCPU", "unit": "%s", "median": %s, "min": %s, "max": %s, "n": %s}\n' \
		"$1" "$run" "$unit" "$2" "$3" "$4" "$5" | sed 's/: -,/: null,/g' >> "$w/entries"
}
for run in 1 2 1+vmclock 2+vmclock 1+leak 2+leak; do
	smp=${run%+*}
	unset VMM VM_DEVICES
	case $run in
	*+vmclock) export VMM=patched VM_DEVICES='-device vmclock,snapshot-load=on' ;;
	*+leak) export VMM=patched VM_DEVICES='-device virtio-rng-pci,leak=on,snapshot-load=on' ;;
	esac
	window_clones "$w/smp$run" "$smp" "$n" "$P/bin/snaprng" || rc=1
	row page seen us page generator: resume to new generation seen
	row pagewait seen us pagewait generator: resume to new generation seen
	case $run in *+vmclock) row vmclock seen us vmclock page generator: resume to new counter seen ;; esac
	row thread seen us "read() thread generator: resume to new generation seen"
	row thread wake us "read() helper: resume to read() returned"
	row page in us page generator: outputs inside the window
	row pagewait in us pagewait generator: outputs inside the window
	case $run in *+vmclock) row vmclock in us vmclock page generator: outputs inside the window ;; esac
	row thread in us "read() thread generator: outputs inside the window"
	row - bound us resume instant: uncertainty of the ground truth
done
{ sed '$d' "$d.json" | sed '$s/$/,/'; sed '$!s/$/,/' "$w/entries"; echo "]}"; } > "$BUILD/bench.json"
echo "== JSON: $BUILD/bench.json; $(( $(date +%s) - t0 ))s in all; exit $rc"
exit $rc
