#!/bin/sh
# gcc `W=1` on the touched objects: no warning
. "$H/gate.sh"
beside
cfg "$X" tinyconfig "$CFG/gate.config" || { notok "gcc W=1: configure"; exit 1; }
# Compile them again even if they are up to date: a run with nothing to
# compile prints no warning and would pass.
(cd "$X" && rm -f $all_objs)
out=$(make -C "$G" O="$X" ARCH=x86_64 -j"$jobs" CC="$KCC" HOSTCC="$KHOSTCC" W=1 $all_objs 2>&1 >/dev/null)
echo "$out" >> "$log"
if [ -z "$(printf '%s\n' "$out" | grep -E 'warning|error')" ]; then
	ok "gcc W=1: no warnings in $(echo $all_objs | wc -w) objects"
else
	printf '%s\n' "$out" | grep -E 'warning|error'
	notok "gcc W=1"
fi
exit $stage_rc
