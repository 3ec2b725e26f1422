#!/bin/sh
# i386 (32-bit, the compat ioctl's other side) builds the touched objects
# with gate.config. arm64 is built and booted by the devicetree stage.
. "$H/gate.sh"
I=$BUILD/gate-i386
i386() { ARCH=i386 cfg "$I" tinyconfig "$CFG/gate.config" && ARCH=i386 kb "$I" $all_objs; }
check "i386: touched objects build" i386
exit $stage_rc
