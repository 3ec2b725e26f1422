#!/bin/sh
# Build the static programs the guest scenarios run: the series' sysgenid
# tool and the demo workload.
# usage: guest-bin.sh TREE OBJ DEST
set -eu
tree=$1 obj=$2 dest=$3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
make -s -C "$tree" O="$(cd "$obj" && pwd)" headers_install >/dev/null
inc="-isystem $(cd "$obj" && pwd)/usr/include"
make -s -C "$tree/tools/sysgenid" O="$dest" KHDR_INCLUDES="$inc" LDFLAGS=-static >/dev/null
cc -O2 -Wall -pthread -static $inc -o "$dest/snaprng" "$here/guest/snaprng.c"
