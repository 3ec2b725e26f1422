#!/bin/sh
# allnoconfig configures and builds drivers/misc and drivers/virt
. "$H/gate.sh"
beside
AN=$BUILD/gate-allno
allno() {
	# ARCH=x86 as before the split: allnoconfig then leaves 64BIT off,
	# a 32-bit build.
	mkdir -p "$AN" && ARCH=x86 kb "$AN" -s allnoconfig && ARCH=x86 kb "$AN" drivers/misc/ drivers/virt/
}
check "allnoconfig builds" allno
exit $stage_rc
