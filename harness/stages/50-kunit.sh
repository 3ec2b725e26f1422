#!/bin/sh
# The sysgenid KUnit suite, on UML and on x86_64 under QEMU (TCG), with
# kunit.py; every test result counts.
. "$H/lib.sh"
cfg=drivers/misc/sysgenid.kunitconfig
if [ ! -f "$TREE/$cfg" ]; then
	notok "kunit: $cfg not in the tree"
	exit 1
fi
. "$H/env.sh"

# UML, through kunit.py.
dir=$BUILD/kunit-um
t0=$(date +%s)
(cd "$TREE" && python3 tools/testing/kunit/kunit.py run --kunitconfig="$cfg" \
	--build_dir="$dir" --jobs="$(nproc)" --timeout=600 --make_options "CC=$KCC") \
	> "$dir.log" 2>&1
rc=$?
grep -E 'Testing complete|FAILED|CRASHED|ERROR' "$dir.log" | sed 's/^/kunit um: /'
if [ -f "$dir/test.log" ]; then
	"$H/ktap-count.sh" "$TREE" "$dir/test.log" "$COUNTS" >/dev/null || stage_rc=1
	[ $rc = 0 ] || stage_rc=1
else
	tail -n 30 "$dir.log"
	notok "kunit um: no test log (kunit.py exit $rc)"
fi
echo "kunit um: $(( $(date +%s) - t0 ))s"

# x86_64 under QEMU: the guest kernel has KUNIT=y and the suite as a
# module; load it in the guest and parse the kernel log with kunit.py.
need_guest
t0=$(date +%s)
ko=$OBJ/drivers/misc/sysgenid_kunit.ko
if [ ! -f "$ko" ]; then
	notok "kunit x86_64: $ko not built"
	exit 1
fi
mkdir -p "$VMDIR"
vm 'insmod ./sysgenid_kunit.ko; dmesg > /dev/ttyS1' "$ko"
"$H/ktap-count.sh" "$TREE" "$VMDIR/results.log" "$COUNTS" || stage_rc=1
echo "kunit x86_64: $(( $(date +%s) - t0 ))s"
exit $stage_rc
