#!/bin/sh
# Build once, run many: everything the x86_64 guests run, built from the
# work tree against the guest kernel's headers, before any stage needs it
# (check.sh's payload stage); the stages only copy from it.
#   DEST/ksft  the sysgenid kselftests with the kselftest runner, and each
#              program again as a 32-bit build, NAME_32 (the compat ioctl
#              path); the runner's list gains the 32-bit twin of every test
#   DEST/bin   static programs for the scenarios: the series' sysgenid
#              tool, and every harness/guest/*.c (to add a program to the
#              guests, add a file there; one that includes parse_vdso.h gets
#              the vDSO selftests' parser), and rngprobe.ko, the test module
#              in harness/guest/kmod, built against the guest kernel
# usage: payload.sh TREE OBJ DEST
set -eu
mkdir -p "$3"
tree=$(cd "$1" && pwd) obj=$(cd "$2" && pwd) dest=$(cd "$3" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
make -s -j"$(nproc)" -C "$tree" O="$obj" headers_install >/dev/null
inc="-isystem $obj/usr/include"
rm -rf "$dest/ksft" "$dest/bin" "$dest/obj32" "$dest/obj64" "$dest/kmod"
mkdir -p "$dest/bin"
for bits in 64 32; do
	o=$dest/obj$bits
	cc=gcc
	[ $bits = 32 ] && cc=i686-linux-gnu-gcc
	make -s -j"$(nproc)" -C "$tree/tools/testing/selftests" TARGETS=sysgenid O="$o" CC="$cc" \
		KHDR_INCLUDES="$inc" LDFLAGS=-static INSTALL_PATH="$dest/ksft" \
		"$( [ $bits = 64 ] && echo install || echo all)" >/dev/null 2>"$o.log" || {
		cat "$o.log" >&2
		exit 1
	}
done
for p in "$dest"/obj32/kselftest/sysgenid/*; do
	[ -f "$p" ] && [ -x "$p" ] && cp "$p" "$dest/ksft/sysgenid/$(basename "$p")_32"
done
sed -n 's/^\(sysgenid:.*\)$/\1_32/p' "$dest/ksft/kselftest-list.txt" > "$dest/list32"
cat "$dest/list32" >> "$dest/ksft/kselftest-list.txt"
make -s -C "$tree/tools/sysgenid" O="$dest/bin" KHDR_INCLUDES="$inc" LDFLAGS=-static >/dev/null
vdso=$tree/tools/testing/selftests/vDSO
for c in "$here"/guest/*.c; do
	extra=
	grep -q '"parse_vdso.h"' "$c" && extra="-I$vdso $vdso/parse_vdso.c"
	# shellcheck disable=SC2086 # $inc and $extra are lists of words
	cc -O2 -Wall -pthread -static $inc -o "$dest/bin/$(basename "$c" .c)" "$c" $extra
done
make -s -C "$tree" O="$obj" M="$here/guest/kmod" MO="$dest/kmod" modules >/dev/null
cp "$dest/kmod/rngprobe.ko" "$dest/bin/"
echo "payload: $(ls "$dest/ksft/sysgenid" | wc -l) kselftest files, $(ls "$dest/bin" | wc -l) programs in $dest"
