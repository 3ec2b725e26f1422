#!/bin/sh
# `htmldocs SPHINXDIRS=misc-devices` without warnings; index and
# ioctl-number entries
. "$H/gate.sh"
beside
D=$BUILD/gate-docs
out=$(make -C "$G" O="$D" SPHINXDIRS=misc-devices htmldocs 2>&1)
echo "$out" >> "$log"
w=$(printf '%s\n' "$out" | grep -iE 'warning|error' | grep -i 'sysgenid')
if [ -z "$w" ] && [ -f "$D/Documentation/output/misc-devices/sysgenid.html" ]; then
	ok "htmldocs SPHINXDIRS=misc-devices: sysgenid.html, no warnings"
else
	printf '%s\n' "$out" | grep -iE 'warning|error' | head -20
	notok "htmldocs SPHINXDIRS=misc-devices"
fi
check "misc-devices index lists sysgenid" grep -qx '   sysgenid' "$G/Documentation/misc-devices/index.rst"
check "ioctl-number.rst lists 0xE4" grep -q '^0xE4 .*uapi/linux/sysgenid.h' \
	"$G/Documentation/userspace-api/ioctl/ioctl-number.rst"
exit $stage_rc
