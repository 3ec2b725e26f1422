#!/bin/sh
# `kernel-doc -Wall` on every touched source and header
. "$H/gate.sh"
beside
out=$(cd "$G" && scripts/kernel-doc -none -Wall $srcs 2>&1)
if [ -z "$out" ]; then ok "kernel-doc -Wall: clean"; else echo "$out"; notok "kernel-doc -Wall"; fi
exit $stage_rc
