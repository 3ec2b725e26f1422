#!/bin/sh
# The patched VMM for the vmclock scenarios (harness/qemu-build.sh): QEMU
# from Debian trixie's source with harness/qemu/*.patch, checked with
# QEMU's own checkpatch.pl. The vmgenid stages keep Debian 12's unmodified
# QEMU.
. "$H/lib.sh"
mkdir -p "$VMDIR"
inroot() { "$H/qemu-build.sh" "$CACHE" run -- "$@"; }
if bin=$("$H/qemu-build.sh" "$CACHE" 2>"$VMDIR/build.err") &&
	ver=$(inroot "$bin" --version | head -n 1) && [ -n "$ver" ]; then
	cat "$VMDIR/build.err"
	ok "patched QEMU builds and runs ($ver)"
else
	cat "$VMDIR/build.err"
	notok "patched QEMU builds"
	exit 1
fi
prebuilt
src=$(dirname "$(dirname "$bin")")
has_device() {
	inroot "$bin" -device help | grep -q "name \"$1\""
}
check "the patched QEMU has the vmclock device" has_device vmclock
has_leak() {
	inroot "$bin" -device virtio-rng-pci,help | grep -q '^  leak='
}
check "the patched QEMU's virtio-rng has the leak property" has_leak
for p in "$H"/qemu/*.patch; do
	# The header sync copies Linux's file, as update-linux-headers.sh
	# would; that is the one warning allowed.
	full=$(cd "$src" && perl scripts/checkpatch.pl "$p" 2>&1)
	if printf '%s\n' "$full" | grep -E '^(ERROR|WARNING)' |
		grep -qv 'imported from Linux, are you using'; then
		printf '%s\n' "$full"
		notok "QEMU checkpatch.pl: $(basename "$p")"
	else
		ok "QEMU checkpatch.pl: $(basename "$p")"
	fi
done
exit $stage_rc
