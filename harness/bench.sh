#!/bin/sh
# make bench: boot the guest and run sysgenid_bench in it; then the cost of
# random.c's restore check on the hot path: the instructions it adds
# (objdump) and getrandom() and vDSO getrandom() timed on this kernel and on
# the same tree without the check. Prints the tables and keeps the JSON (one
# "results" list; the check's entries are in group "restore_check") in
# $BUILD/bench.json. (The restore window is measured by make check's
# restore-window stage; make demo prints it.)
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

# The cost of random.c's restore check on the hot path: this kernel,
# and the same tree with the check's two call sites taken out (built in
# an object directory of its own), each booted with a virtio-rng leak
# device, which turns the check on; getrandom() of 16 bytes and the
# vDSO's getrandom() of 16 bytes, REPS runs of N calls each.
. "$H/snapshot.sh"
. "$H/window.sh"
"$H/qemu-build.sh" "$CACHE" > /dev/null || rc=1
nc=$BUILD/linux-nocheck
w=$BUILD/vm-bench-check
mkdir -p "$w"
rm -rf "$nc"
git -C "$TREE" worktree prune
git -C "$TREE" worktree add -f --detach "$nc" HEAD > /dev/null 2>&1
sed -i 's/crng_check_restore();//' "$nc/drivers/char/random.c"
QUIET=1 "$H/build-kernel.sh" "$nc" "$BUILD/obj-nocheck" tinyconfig "$H/config/guest.config" || rc=1
# insns KERNEL FUNCTION: instructions in the function's disassembly
insns() { objdump -d --no-show-raw-insn "$1" --disassemble="$2" | grep -c '^ *[0-9a-f]*:'; }
echo "== random.c's restore check: instructions (objdump of each vmlinux)"
printf '  %-44s %8s %8s\n' "" "check" "without"
# The check sits at the top of crng_make_state() (inlined where the
# compiler chose) and of the batched get_random_uN().
for f in get_random_u64 _get_random_bytes get_random_bytes_user crng_make_state; do
	nm "$VMLINUX" | grep -q " [tT] $f\$" || continue
	printf '  %-44s %8s %8s\n' "$f" "$(insns "$VMLINUX" $f)" "$(insns "$BUILD/obj-nocheck/vmlinux" $f)"
done
printf '  %-44s %8s %8s\n' "vmfork_check_words (out of line, with a device)" "$(insns "$VMLINUX" vmfork_check_words)" -
n=${BENCH_CALLS:-20000} reps=${BENCH_REPS:-7}
for k in check nocheck; do
	v=$VMLINUX
	[ $k = nocheck ] && v=$BUILD/obj-nocheck/vmlinux
	VMM=patched SMP=1 TIMEOUT=300 QEMU_ARGS='-device virtio-rng-pci,leak=on' \
		"$H/vm-run.sh" "$v" "$w/$k" "snaprng bench $n $reps > /dev/ttyS1" "$P/bin/snaprng" > "$w/$k.log" 2>&1 || rc=1
done
echo "== getrandom() and vDSO getrandom(), 16 bytes, ns per call in the guest (1 vCPU, leak device): median (min-max) of $reps runs of $n"
printf '  %-12s %-26s %-26s %s\n' "" "check" "without" "ratio of medians"
: > "$w/entries"
for g in getrandom vdso; do
	for k in check nocheck; do
		tr -d '\r' < "$w/$k/results.log" | awk -v g=$g '$1 == "BENCH" && $2 == g { print $4 }' | win_stats > "$w/$k.$g"
	done
	read -r m1 lo1 hi1 < "$w/check.$g"
	read -r m2 lo2 hi2 < "$w/nocheck.$g"
	printf '  %-12s %-26s %-26s %s\n' "$g" "$m1 ($lo1-$hi1)" "$m2 ($lo2-$hi2)" \
		"$(awk -v a="$m1" -v b="$m2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }')"
	for k in check nocheck; do
		read -r m lo hi < "$w/$k.$g"
		printf '  {"group": "restore_check", "name": "%s 16 bytes, %s", "unit": "ns", "median": %s, "min": %s, "max": %s, "n": %s}\n' \
			"$g" "$k" "$m" "$lo" "$hi" "$reps" >> "$w/entries"
	done
done
git -C "$TREE" worktree remove -f "$nc"
{ sed '$d' "$d.json" | sed '$s/$/,/'; sed '$!s/$/,/' "$w/entries"; echo "]}"; } > "$BUILD/bench.json"
echo "== JSON: $BUILD/bench.json; $(( $(date +%s) - t0 ))s in all; exit $rc"
exit $rc
