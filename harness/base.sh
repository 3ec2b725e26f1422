#!/bin/sh
# Print the base tree's path: $KERNEL_SRC, or the cached Debian base tree.
set -eu
if [ -n "${KERNEL_SRC:-}" ]; then
	[ -f "$KERNEL_SRC/Makefile" ] || { echo "base: $KERNEL_SRC is no kernel tree" >&2; exit 1; }
	echo "base: KERNEL_SRC=$KERNEL_SRC ($(make -s -C "$KERNEL_SRC" kernelversion))" >&2
	echo "$KERNEL_SRC"
	exit 0
fi
d=$("$(dirname "$0")/fetch-base.sh" "$CACHE")
echo "base: Linux $(make -s -C "$d" kernelversion) from $(git -C "$d" log -1 --format=%s)" >&2
echo "$d"
