#!/bin/sh
# the uapi header alone in C and C++; the rst's example programs with `-Wall
# -Werror`
. "$H/gate.sh"
beside
cfg "$X" tinyconfig "$CFG/gate.config" && kb "$X" -s headers_install || { notok "headers_install"; exit 1; }
inc=$X/usr/include
hdr_test='#include <linux/sysgenid.h>
int main(void) { return SYSGENID_TRIGGER_GEN_UPDATE == SYSGENID_WAIT_WATCHERS; }'
check "uapi header compiles alone in C" sh -c "printf '%s\n' '$hdr_test' |
	gcc -x c -std=c99 -Wall -Wextra -Werror -isystem '$inc' -o /dev/null -"
check "uapi header compiles alone in C++" sh -c "printf '%s\n' '$hdr_test' |
	g++ -x c++ -Wall -Wextra -Werror -isystem '$inc' -o /dev/null -"
ex=$BUILD/doc-examples
rm -rf "$ex"
mkdir -p "$ex"
# Literal blocks ("::" then an indented block) that hold a whole program.
awk -v dir="$ex" '
	function flush() { if (buf ~ /int main/) { n++; f = dir "/example" n ".c"; printf "%s", buf > f; close(f) } buf = "" }
	inblk && /^[^ \t]/ && $0 != "" { flush(); inblk = 0 }
	inblk { sub(/^  /, ""); buf = buf $0 "\n" }
	/::$/ { flush(); inblk = 1 }
	END { flush() }' "$G/Documentation/misc-devices/sysgenid.rst"
nex=0
for f in "$ex"/example*.c; do
	[ -f "$f" ] || continue
	nex=$((nex + 1))
	check "documentation example $(basename "$f") compiles with -Wall -Werror" \
		gcc -O2 -Wall -Werror -isystem "$inc" -o "${f%.c}" "$f"
done
[ $nex -ge 4 ] || notok "documentation: expected at least 4 example programs, found $nex"
exit $stage_rc
