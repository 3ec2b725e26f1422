#!/bin/sh
# the patched VMM (`harness/qemu-build.sh`): Debian trixie's QEMU 10.0
# source package through the private apt configuration,
# `harness/qemu/*.patch` applied (vmclock: `vm_generation_counter` bumped on
# a snapshot load, ACPI notification on GPE 7; virtio-rng: the entropy leak
# queues, `leak=on`), only `qemu-system-x86_64`, built with ccache in the
# tool root and cached; it has the vmclock device; each QEMU patch passes
# QEMU's `scripts/checkpatch.pl` (the header sync may only warn that it
# copies a Linux header)
. "$H/lib.sh"
mkdir -p "$VMDIR"
# The build ahead (PREBUILD=1) and the stage itself both ask for the
# build: one log each (one truncating the other's open file made a hole).
err=$VMDIR/build${PREBUILD:+-ahead}.err
inroot() { "$H/qemu-build.sh" "$CACHE" run -- "$@"; }
if bin=$("$H/qemu-build.sh" "$CACHE" 2>"$err") &&
	ver=$(inroot "$bin" --version | head -n 1) && [ -n "$ver" ]; then
	cat "$err"
	ok "patched QEMU builds and runs ($ver)"
else
	cat "$err"
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
