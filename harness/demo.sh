#!/bin/sh
# make demo: one running guest with a vmgenid device and a workload, one
# snapshot, two clones restored with new guids (and one with the old guid);
# then what clones of one snapshot share after the resume, per source of
# restores (vmgenid, held back or not; virtio-rng's leak queues, alone,
# with vmgenid, held back, through the DMA API, across a suspend cycle, a
# snapshot of an unhandled clone; vmclock) and per generator. Runs the
# vmgenid-restore and restore-window scenarios and prints what each clone
# did, then the table.
set -u
H=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$H")
RESULTS=$BUILD/demo-results
export H REPO RESULTS
mkdir -p "$RESULTS"
rm -f "$RESULTS"/*
d=$BUILD/vm-vmgenid-restore
rm -f "$d/times"
t0=$(date +%s)
echo "== demo: boot a guest with -device vmgenid, start the workload, snapshot it,"
echo "   restore it as clones A and B with new guids and C with the old guid"
echo "   then generators running through snapshots, per source of restores (about 7 minutes):"
echo "   what two clones of one snapshot hand out alike after the resume"
# The two scenarios run as make check runs them (check.sh, STAGES=, which
# also builds the guest payload); this script renders the data they leave.
STAGES="vmgenid-restore restore-window" "$H/check.sh" > "$BUILD/demo.log" 2>&1
c() { _r=$(awk -v s="$1" '$1 == s { print ($4 == 0) ? 0 : 1 }' "$RESULTS/summary"); echo "${_r:-1}"; }
rc=$(c vmgenid-restore) rc_w=$(c restore-window)
tsv=$BUILD/vm-restore-window/window.tsv

. "$H/snapshot.sh"
res() { results "$d/$1"; }
val() { res "$1" | sed -n "s/^$2 //p" | head -n "${3:-1}" | tail -n 1; }
tm() { awk -v k="$1" '$2 == k { printf "%.1f s", $3 / 1000 }' "$d/times"; }
row() { printf '  %-34s %-42s %s\n' "$1" "${2:-}" "${3:-}"; }

echo
echo "== steps"
row "boot to workload ready" "$(tm boot)"
row "snapshot (stop + migrate to file)" "$(tm snapshot)  ($(cat "$d/guids" | cut -d' ' -f1) )"
for c in a b; do
	C=$(echo $c | tr a-z A-Z)
	row "clone $C: restore to running" "$(tm restore-$c)"
	row "clone $C: restore to new generation" "$(tm notified-$c)"
	row "clone $C: restore to scenario done" "$(tm done-$c)"
done
echo
echo "== what each clone did next"
row "" "clone A" "clone B"
row "generation (snapshot -> clone)" "$(val src BOOT) -> $(val a RESTORED)" "$(val src BOOT) -> $(val b RESTORED)"
crng() { grep -q "crng reseeded due to virtual machine fork" "$d/$1/console.log" && echo "reseeded (vm fork)" || echo "NOT reseeded"; }
row "kernel CRNG" "$(crng a)" "$(crng b)"
for m in read poll mmap; do
	row "blocked $m() watcher woke with" "$(val a "WOKE $m")" "$(val b "WOKE $m")"
done
w() { val "$1" WATCHER | sed 's/generation [0-9]* //'; }
row "tracked watcher" "$(w a)" "$(w b)"
row "WAIT_WATCHERS, stuck watcher" "$(val a "WAIT with a stuck watcher:")" "$(val b "WAIT with a stuck watcher:")"
row "WAIT_WATCHERS, all acked" "$(val a "WAIT after it left:")" "$(val b "WAIT after it left:")"
row "TRIGGER via sysgenid tool" "$(val a TRIGGER)" "$(val b TRIGGER)"
echo
row "clone C (source's own guid)" "$(res c | grep -q '^RESTORED' && echo "bumped: WRONG" || echo "no bump, generation $(res c | sed -n 's/^TICK //p' | tail -n 1)")"
echo
echo "== two clones of one snapshot: outputs shared after the resume, per source and generator"
echo "   (shared: made by two clones; over all clones of the run; ms: the last shared output,"
echo "   after the resume; '-': the generator did not run)"
. "$H/window.sh"
echo "   1 vCPU:"
win_matrix "$tsv" 16 vmgenid vmgenid-held vmgenid-held-page leak leak+vmgenid
echo
win_matrix "$tsv" 16 leak-held leak-held-page leak-pm leak-dma leak-chain
echo
win_matrix "$tsv" 16 vmclock vmclock-nordrand vmclock-icount
echo "   2 vCPUs:"
win_matrix "$tsv" 16 vmgenid-2 leak+vmgenid-2
echo
grep '^not ok' "$BUILD/demo.log"
n_ok=$(grep -c '^ok' "$BUILD/demo.log")
n_fail=$(grep -c '^not ok' "$BUILD/demo.log")
echo
echo "== $n_ok checks passed, $n_fail failed ($(( $(date +%s) - t0 )) s; details in $BUILD/demo.log)"
if [ $rc = 0 ] && [ $rc_w = 0 ]; then
	echo "VERDICT: with vmgenid alone, clones of one snapshot hand out the same bytes until the"
	echo "  kernel handles the notification (held back: the first getrandom() outputs after the resume,"
	echo "  $(win_cell vmgenid-held fifo-getrandom)), and none after it. With virtio-rng's entropy leak queues"
	echo "  the device changed a word random.c checks before any output, during the restore: over"
	echo "  $(awk -F '\t' '$1 == "leak" && $2 == "getrandom" { print $3 }' "$tsv") getrandom() outputs of the 20 clones of one snapshot, $(awk -F '\t' '$1 == "leak" && $2 == "getrandom" { print $5 }' "$tsv") were made by two of them;"
	echo "  the page client shared $(win_cell leak page), with the notification held back $(win_cell leak-held getrandom) for getrandom()."
else
	echo "VERDICT: FAILED (vmgenid-restore exit $rc, restore-window exit $rc_w)"
	exit 1
fi
