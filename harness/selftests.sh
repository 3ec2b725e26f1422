#!/bin/sh
# Build the sysgenid kselftests, 64-bit and 32-bit, static, and install them
# with the kselftest runner into DEST.
# usage: selftests.sh TREE OBJ DEST
set -eu
mkdir -p "$3"
tree=$(cd "$1" && pwd) obj=$(cd "$2" && pwd) dest=$(cd "$3" && pwd)
make -s -C "$tree" O="$obj" headers_install >/dev/null
rm -rf "$dest" "$dest-obj32" "$dest-obj64"
for bits in 64 32; do
	o=$dest-obj$bits
	make -s -C "$tree/tools/testing/selftests" TARGETS=sysgenid O="$o" \
		CC="$( [ $bits = 64 ] && echo gcc || echo i686-linux-gnu-gcc)" KHDR_INCLUDES="-isystem $obj/usr/include" LDFLAGS=-static \
		$( [ $bits = 64 ] && echo install || echo all) INSTALL_PATH="$dest" >/dev/null 2>"$o.log" || {
		cat "$o.log" >&2
		exit 1
	}
done
cp "$dest-obj32/kselftest/sysgenid/sysgenid_test" "$dest/sysgenid/sysgenid_test_32"
echo "sysgenid:sysgenid_test_32" >> "$dest/kselftest-list.txt"
