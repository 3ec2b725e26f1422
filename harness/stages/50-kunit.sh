#!/bin/sh
# the KUnit suite on x86_64, loaded as a module in the QEMU guest, its KTAP
# parsed by `kunit.py parse`; the maintainer's `kunit.py config
# --kunitconfig=drivers/misc/sysgenid.kunitconfig` on UML (every option
# survives; self-test: a planted option UML lacks is refused). The suite
# also runs on arm64 (devicetree) and under the debug kernel (debug); no UML
# build of its own, which would be a fourth kernel build in a cold run
. "$H/lib.sh"
cfg=drivers/misc/sysgenid.kunitconfig
if [ ! -f "$TREE/$cfg" ]; then
	notok "kunit: $cfg not in the tree"
	exit 1
fi
. "$H/env.sh"

# The kunitconfig a maintainer runs (kunit.py run --kunitconfig=...):
# kunit.py configures UML with it and fails when an option of it does not
# survive. The suite itself runs on x86_64 here, on arm64 in the
# devicetree stage (built in) and under the debug kernel (debug stage): a
# UML build of its own would add a fourth kernel build to a cold run.
dir=$BUILD/kunit-um
t0=$(date +%s)
# kconf KUNITCONFIG BUILD_DIR
kconf() {
	(cd "$TREE" && python3 tools/testing/kunit/kunit.py config --kunitconfig="$1" \
		--build_dir="$2" --make_options "CC=$KCC") > "$2.log" 2>&1 || {
		tail -n 5 "$2.log"
		return 1
	}
}
check "kunit um: kunit.py config accepts $cfg (every option survives)" kconf "$cfg" "$dir"
# Self-test: an option UML cannot have (vmgenid needs ACPI or OF) is refused.
{ cat "$TREE/$cfg"; echo CONFIG_VMGENID=y; } > "$dir-planted.kunitconfig"
check "self-test: kunit.py config refuses a planted option UML lacks" \
	not kconf "$dir-planted.kunitconfig" "$dir-planted"
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
