#!/bin/sh
# Configure and build a kernel from the work tree.
# usage: build-kernel.sh SRC OBJ BASECONFIG FRAGMENT... [-- [make targets]]
#   BASECONFIG is a make target such as tinyconfig; FRAGMENTs are files
#   (harness/config/*.config). Without "--" the target is vmlinux; "--"
#   alone only configures. ARCH and CROSS_COMPILE come from the
#   environment. Every fragment line must survive (kconfig-check.sh).
set -eu
src=$1 obj=$2 base=$3
shift 3
frags=
while [ $# -gt 0 ] && [ "$1" != -- ]; do frags="$frags $1"; shift; done
targets=vmlinux
[ "${1:-}" = -- ] && shift && targets=$*

mkdir -p "$obj"
obj=$(cd "$obj" && pwd)
# One build of an object directory at a time (check.sh builds ahead in the
# background): a second caller waits, then finds it done.
exec 9>"$obj/.harness-lock"
flock 9
. "$(dirname "$0")/env.sh"
jobs=$(nproc)
kmake() { make -C "$src" O="$obj" -j"$jobs" CC="$KCC" $KMAKE_ARGS "$@"; }

# Reconfigure only when the fragments or the tree's Kconfig files changed.
stamp=$obj/.harness-config
# id: what the base configuration depends on (the fragments come on top):
# the Kconfig files and the configs/*.config fragments of the tree, not its
# commit (the bisect stage builds ten commits, most with the same Kconfig).
kconfigs=$(find "$src" -path "$src/.git" -prune -o \( -name 'Kconfig*' -o -path '*/configs/*.config' \) \
	-type f -print | LC_ALL=C sort | xargs cat | sha1sum | cut -c1-40)
id="$base ${ARCH:-} ${CROSS_COMPILE:-} ${LLVM:-} $kconfigs"
want=$( (cat $frags; echo "$id") | sha1sum | cut -c1-40)
if [ ! -f "$obj/.config" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
	# The base configuration is kept per id: the Kconfig matrix
	# reconfigures one directory 16 times, and make tinyconfig alone takes
	# about 9 s.
	basecfg=$obj/.harness-base-$(echo "$id" | sha1sum | cut -c1-12)
	if [ -f "$basecfg" ]; then
		cp "$basecfg" "$obj/.config"
	else
		rm -f "$obj"/.harness-base-*
		kmake -s "$base" >/dev/null
		cp "$obj/.config" "$basecfg"
	fi
	KCONFIG_CONFIG=$obj/.config "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" \
		"$obj/.config" $frags >/dev/null
	kmake -s olddefconfig >/dev/null
	"$(dirname "$0")/kconfig-check.sh" "$src" "$obj" $frags
	echo "$want" > "$stamp"
fi
if [ -z "$targets" ]; then
	exit 0
elif [ -n "${QUIET:-}" ]; then
	kmake -s $targets
else
	kmake $targets
fi
