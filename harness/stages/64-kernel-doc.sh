#!/bin/sh
# `kernel-doc -Wall` on every touched source and header: no warning the
# base's version of the file did not have (files such as virtio_ring.c
# carry warnings of their own; line numbers aside, each of the series'
# files must not add one); self-test: a planted comment without its return
# value is found
. "$H/gate.sh"
beside
kd=$BUILD/gate-kernel-doc
rm -rf "$kd"
mkdir -p "$kd/base"
# warnings DIR FILE...: kernel-doc's warnings without line numbers, sorted.
warnings() {
	_d=$1
	shift
	(cd "$_d" && "$G/scripts/kernel-doc" -none -Wall "$@" 2>&1) |
		sed 's/^\(Warning: [^:]*\):[0-9]*/\1/' | sort
}
for f in $srcs; do
	mkdir -p "$kd/base/$(dirname "$f")"
	git -C "$G" show "base:$f" > "$kd/base/$f" 2>/dev/null || rm -f "$kd/base/$f"
done
# shellcheck disable=SC2086 # the touched files
warnings "$G" $srcs > "$kd/head"
(cd "$kd/base" && for f in $srcs; do [ -f "$f" ] && echo "$f"; done) > "$kd/base-files"
# shellcheck disable=SC2046
warnings "$kd/base" $(cat "$kd/base-files") > "$kd/base-warnings"
comm -23 "$kd/head" "$kd/base-warnings" > "$kd/new"
if [ -s "$kd/new" ]; then
	cat "$kd/new"
	notok "kernel-doc -Wall: no new warning in the touched files"
else
	ok "kernel-doc -Wall: no new warning in the touched files ($(wc -l < "$kd/base-warnings") in the base's versions)"
fi
# The comparison must be able to say no.
printf '/**\n * planted() - a planted function\n */\nint planted(void);\n' > "$G/planted-kdoc.h"
warnings "$G" planted-kdoc.h > "$kd/planted"
rm -f "$G/planted-kdoc.h"
check "self-test: a comment without its return value is a warning the base does not have" \
	grep -q 'No description found for return value' "$kd/planted"
exit $stage_rc
