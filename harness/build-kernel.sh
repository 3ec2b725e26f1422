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
kmake() { make -C "$src" O="$obj" -j"$jobs" CC="$KCC" HOSTCC="$KHOSTCC" $KMAKE_ARGS "$@"; }

# Reconfigure only when the fragments or the tree's Kconfig files changed.
stamp=$obj/.harness-config
# id: what the base configuration depends on (the fragments come on top):
# the Kconfig files and the configs/*.config fragments of the tree, not its
# commit (the bisect stage builds ten commits, most with the same Kconfig),
# and the toolchain Kconfig probes (compiler and linker versions).
kconfigs=$(find "$src" -path "$src/.git" -prune -o \( -name 'Kconfig*' -o -path '*/configs/*.config' \) \
	-type f -print | LC_ALL=C sort | xargs cat | sha1sum | cut -c1-40)
ld=${CROSS_COMPILE:-}ld
[ -n "${LLVM:-}" ] && ld=ld.lld
tools=$( { $KCC --version | head -n 1; $ld --version | head -n 1; } 2>&1 | sha1sum | cut -c1-40)
id="$base ${ARCH:-} ${CROSS_COMPILE:-} ${LLVM:-} $kconfigs $tools"
want=$( (cat $frags; echo "$id") | sha1sum | cut -c1-40)
if [ ! -f "$obj/.config" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
	# Configurations are kept in $CACHE/kconfig by what they depend on:
	# the base (make tinyconfig alone takes about 8 s) and every
	# configuration that passed the survival check (base, merge,
	# olddefconfig and the check: about 14 s of CPU, most of it Kconfig
	# probing the compiler), so that the Kconfig matrix's rows, the bisect
	# stage's commits and a fresh clone's builds reuse them.
	kc=${CACHE:-$obj}/kconfig
	mkdir -p "$kc"
	find "$kc" -type f -mtime +30 -delete
	basecfg=$kc/base-$(echo "$id" | sha1sum | cut -c1-40)
	if [ -f "$kc/$want" ]; then
		cp "$kc/$want" "$obj/.config"
	else
		if [ -f "$basecfg" ]; then
			cp "$basecfg" "$obj/.config"
		else
			kmake -s "$base" >/dev/null
			cp "$obj/.config" "$basecfg.$$" && mv "$basecfg.$$" "$basecfg"
		fi
		KCONFIG_CONFIG=$obj/.config "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" \
			"$obj/.config" $frags >/dev/null
		kmake -s olddefconfig >/dev/null
		"$(dirname "$0")/kconfig-check.sh" "$src" "$obj" $frags
		cp "$obj/.config" "$kc/$want.$$" && mv "$kc/$want.$$" "$kc/$want"
	fi
	touch "$kc/$want"
	echo "$want" > "$stamp"
fi
if [ -z "$targets" ]; then
	exit 0
elif [ -n "${QUIET:-}" ]; then
	kmake -s $targets
else
	kmake $targets
fi
