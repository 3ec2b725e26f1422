#!/bin/sh
# the touched objects build for i386 (the compat ioctl's other side; arm64
# is the devicetree stage's)
. "$H/gate.sh"
beside
I=$BUILD/gate-i386
# ptp_vmclock needs ARCH_SUPPORTS_INT128, which i386 lacks: not built.
echo '# CONFIG_PTP_1588_CLOCK_VMCLOCK is not set' > "$I.config"
objs32=$(printf '%s\n' $all_objs | grep -v '^drivers/ptp/')
i386() { ARCH=i386 cfg "$I" tinyconfig "$CFG/gate.config" "$I.config" && ARCH=i386 kb "$I" $objs32; }
check "i386: touched objects build" i386
exit $stage_rc
