#!/bin/sh
# The patched VMM: Debian trixie's QEMU source package with the device
# patches in harness/qemu/*.patch, only qemu-system-x86_64, built and run
# in the tool root (its meson, glib and firmware are trixie's; the host's
# are too old). Built once per source version and set of patches, kept in
# the cache; ccache makes a rebuild after a patch change fast.
# Prints the binary's path (the same inside the tool root and outside) and
# records it in CACHE/qemu/bin, where qemu.sh VMM=patched finds it.
# usage: qemu-build.sh CACHE                       build once, print the binary
#        qemu-build.sh CACHE run DIR... -- CMD...  run CMD (the binary, its
#            checkpatch) in the tool root with /dev, the build and DIRs bound
set -eu
cache=$1
here=$(cd "$(dirname "$0")" && pwd)
log() { printf '%s\n' "qemu-build: $*" >&2; }
if [ "${2:-}" = run ]; then
	shift 2
	exec "$here/toolroot.sh" "$cache" run /dev "$cache/qemu" "$@"
fi
mkdir -p "$cache/qemu"
# One build at a time (check.sh builds ahead in the background): a second
# caller waits, then finds the binary built.
exec 8>"$cache/qemu/.lock"
flock 8
root=$("$here/toolroot.sh" "$cache")
inroot() { "$0" "$cache" run -- "$@"; }

# Build dependencies and run-time firmware, once per tool root.
pkgs='gcc meson ninja-build pkg-config libglib2.0-dev python3-venv python3-pycotap
	flex bison libfdt-dev libpixman-1-dev zlib1g-dev seabios qemu-system-data'
if [ ! -f "$root/.qemu-deps-ok" ]; then
	log "installing the build dependencies in the tool root"
	# shellcheck disable=SC2086
	inroot env DEBIAN_FRONTEND=noninteractive apt-get -qq update >&2
	# shellcheck disable=SC2086
	inroot env DEBIAN_FRONTEND=noninteractive apt-get -qq install -y \
		--no-install-recommends $pkgs >"$cache/qemu-deps.log" 2>&1 ||
		{ tail -n 5 "$cache/qemu-deps.log" >&2; exit 1; }
	touch "$root/.qemu-deps-ok"
fi

# The source: Debian's, through the private apt configuration.
apt=$cache/apt-trixie-src
APT_SRC=1 "$here/apt-suite.sh" "$apt" trixie apt-get -qq update >&2
ver=$(APT_SRC=1 "$here/apt-suite.sh" "$apt" trixie apt-cache showsrc qemu |
	sed -n 's/^Version: //p' | sort -V | tail -n 1)
[ -n "$ver" ] || { log "no qemu source package in trixie"; exit 1; }
# No debug information: nothing here debugs QEMU, and -g costs about a
# fifth of a cold build. The +ds tarball has no firmware blobs: nothing to
# install, and bzip2 must not be found or meson tries to unpack the missing
# edk2 images.
conf="--prefix=/usr --target-list=x86_64-softmmu --without-default-features --enable-tcg
	--enable-fdt=system --disable-docs --disable-werror --disable-install-blobs
	--disable-debug-info"
key=$( (echo "$ver $conf"; cat "$here"/qemu/*.patch) | sha1sum | cut -c1-12)
src=$cache/qemu/src-$key
bin=$src/build/qemu-system-x86_64
if [ -x "$bin" ]; then
	echo "$bin" | tee "$cache/qemu/bin"
	exit 0
fi

t0=$(date +%s)
upstream=${ver#*:}
upstream=${upstream%-*}
orig=$apt/qemu_$upstream.orig.tar.xz
if [ ! -f "$orig" ]; then
	log "downloading the qemu $ver source package"
	(cd "$apt" && APT_SRC=1 "$here/apt-suite.sh" "$apt" trixie apt-get -qq source \
		--download-only "qemu=$ver" >&2)
fi
rm -rf "$cache"/qemu/src-*
mkdir -p "$src.tmp"
tar -xf "$orig" -C "$src.tmp" --strip-components=1 --no-same-owner
for p in "$here"/qemu/*.patch; do
	log "applying $(basename "$p")"
	patch -s -d "$src.tmp" -p1 < "$p"
done
mv "$src.tmp" "$src"

log "configuring (x86_64-softmmu, TCG only)"
# shellcheck disable=SC2086
inroot sh -c "cd '$src' && mkdir -p build && cd build && ../configure $(echo $conf)" \
	>"$src/configure.log" 2>&1 ||
	{ tail -n 20 "$src/configure.log" >&2; rm -rf "$src"; exit 1; }
log "building qemu-system-x86_64"
inroot env CCACHE_DIR=/var/cache/ccache CCACHE_DEPEND=1 ninja -C "$src/build" -j"$(nproc)" \
	qemu-system-x86_64 >"$src/build.log" 2>&1 ||
	{ tail -n 20 "$src/build.log" >&2; rm -f "$bin"; exit 1; }
log "qemu $ver + $(ls "$here"/qemu/*.patch | wc -l) patches built in $(( $(date +%s) - t0 ))s"
echo "$bin" | tee "$cache/qemu/bin"
