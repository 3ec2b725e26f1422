#!/bin/sh
# vmgenid's devicetree path at run time (patch 1): an arm64 kernel
# (tinyconfig + `harness/config/arm64.config`, DEBUG_ATOMIC_SLEEP) on QEMU's
# `virt` machine with the machine's own devicetree plus a
# `microsoft,vmgenid` node (a page of reserved memory, an edge SPI); PID 1
# (`harness/guest/arm64/dt-vmgenid.c`, the tree's nolibc) plays the
# hypervisor through `/dev/mem`: the same identifier and the interrupt
# (delivered, counted in `/proc/interrupts`, no bump), then twice a new
# identifier and the interrupt (one bump each: read, page and
# acknowledgement), the CRNG reseeded twice, no splat; the KUnit suite,
# built in, runs at boot and every result counts
. "$H/lib.sh"
A=$BUILD/obj-arm64
mkdir -p "$VMDIR"
export ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
# The numbers the devicetree and PID 1 share.
pa=0x5ff00000 spi=100

if ! QUIET=1 "$H/build-kernel.sh" "$TREE" "$A" tinyconfig "$H/config/arm64.config" -- Image; then
	notok "arm64 kernel builds (cross, devicetree)"
	exit 1
fi
prebuilt
ok "arm64 kernel builds (cross, devicetree)"

# The machine's own devicetree, dumped by the launcher with the guest's
# machine options, plus the vmgenid node.
rm -f "$VMDIR/virt.dtb" "$VMDIR/vmgenid.dtb" "$VMDIR/initrd.cpio" "$VMDIR/console.log" \
	"$VMDIR/console.tr"
SMP=1 "$H/qemu.sh" "$VMDIR" "$A/arch/arm64/boot/Image" /dev/null \
	-machine "dumpdtb=$VMDIR/virt.dtb" >"$VMDIR/dumpdtb.log" 2>&1
dtc -q -I dtb -O dts -o "$VMDIR/virt.dts" "$VMDIR/virt.dtb" || { notok "devicetree with a vmgenid node"; exit 1; }
gicd=$(sed -n 's/^\tintc@\([0-9a-f]*\) {$/0x\1/p' "$VMDIR/virt.dts")
cat >> "$VMDIR/virt.dts" <<DTS

/ {
	reserved-memory {
		#address-cells = <2>;
		#size-cells = <2>;
		ranges;

		vmgenid-id@${pa#0x} {
			reg = <0x0 $pa 0x0 0x1000>;
			no-map;
		};
	};

	vmgenid@${pa#0x} {
		compatible = "microsoft,vmgenid";
		reg = <0x0 $pa 0x0 0x1000>;
		interrupts = <0 $spi 1>;	/* SPI, edge rising */
	};
};
DTS
# dtb_ok: the GIC distributor was found and the edited source compiles.
dtb_ok() {
	[ -n "$gicd" ] && dtc -q -I dts -O dtb -o "$VMDIR/vmgenid.dtb" "$VMDIR/virt.dts"
}
check "devicetree with a vmgenid node (GIC distributor at ${gicd:-?})" dtb_ok

# PID 1: the tree's nolibc and the arm64 uapi headers (for sysgenid.h),
# alone in an initramfs.
S=$VMDIR/sysroot
init_ok() {
	rm -rf "$S" "$VMDIR/root"
	mkdir -p "$VMDIR/root/dev" "$VMDIR/root/proc" "$VMDIR/root/sys"
	make -s -C "$TREE" O="$A" headers_install INSTALL_HDR_PATH="$S" >/dev/null &&
	"${CROSS_COMPILE}gcc" -Os -static -nostdlib -nostdinc -fno-asynchronous-unwind-tables \
		-fno-ident -Wall -Werror -I"$TREE/tools/include/nolibc" -isystem "$S/include" \
		-include nolibc.h -DVMGENID_PA="$pa" -DGICD_PA="$gicd" -DVMGENID_SPI="$spi" \
		-DVMGENID_NODE="${pa#0x}.vmgenid" -o "$VMDIR/root/init" "$H/guest/arm64/dt-vmgenid.c" -lgcc &&
	(cd "$VMDIR/root" && find . | cpio -o -H newc -R 0:0 --quiet) > "$VMDIR/initrd.cpio"
}
check "PID 1 builds with nolibc" init_ok

t0=$(date +%s)
CONSOLE=file SMP=1 APPEND=loglevel=5 timeout -k 5 "${TIMEOUT:-300}" "$H/qemu.sh" "$VMDIR" \
	"$A/arch/arm64/boot/Image" "$VMDIR/initrd.cpio" -dtb "$VMDIR/vmgenid.dtb" >"$VMDIR/qemu.log" 2>&1
echo "arm64 guest: exit $? after $(( $(date +%s) - t0 ))s"
c=$VMDIR/console.tr
tr -d '\r' < "$VMDIR/console.log" > "$c" 2>/dev/null
grep '^DT \(OK\|FAIL\)' "$c" | sed 's/^DT //'
check "arm64 guest ran to the end" grep -q '^DT END' "$c"
# Every check the guest makes is named here (a failed setup shows as the
# missing first lines), so a FAIL line counts once, as its missing OK line.
for what in "vmgenid bound to the devicetree node" \
	"vmgenid interrupt requested, not raised yet: count 0" \
	"same identifier, interrupt raised: generation stays 0" \
	"the interrupt was delivered and handled: count 1" \
	"new identifier, interrupt raised: read, page and ack at generation 1" \
	"new identifier, interrupt raised: read, page and ack at generation 2" \
	"no further change: generation stays 2" \
	"interrupts handled in all: count 3"; do
	check "devicetree: $what" grep -qxF "DT OK $what" "$c"
done
check "devicetree: the CRNG reseeded once per new identifier (2)" \
	[ "$(grep -c '^DMESG random: crng reseeded due to virtual machine fork' "$c")" = 2 ]
# The KUnit suite ran at boot (built in): its KTAP is in the kernel log
# PID 1 dumped.
sed -n 's/^DMESG //p' "$c" > "$VMDIR/kunit.log"
"$H/ktap-count.sh" "$TREE" "$VMDIR/kunit.log" "$COUNTS" || stage_rc=1
no_splat "devicetree: no splat in the arm64 guest kernel log" "$c"
exit $stage_rc
