#!/bin/sh
# Debian's clang/lld toolchain for the LLVM=1 build check. The host's
# Debian 12 has clang 14, older than the kernel's minimum LLVM, so a
# minimal Debian trixie root with its clang, lld and llvm (and what kbuild
# needs) is made once with debootstrap from the configured Debian archive,
# kept in the cache, and commands run in it with chroot, in a private
# mount namespace that binds the given host directories at the same paths.
#
# usage: llvm-root.sh CACHE                        make the root, print its path
#        llvm-root.sh CACHE run DIR... -- CMD...   run CMD in it, DIRs bound
set -eu
cache=$1
shift
suite=${LLVM_SUITE:-trixie}
root=$cache/llvm-$suite
log() { printf '%s\n' "llvm-root: $*" >&2; }

if [ ! -f "$root/.llvm-ok" ]; then
	[ "$(id -u)" = 0 ] || { log "making the root needs root (debootstrap, chroot)"; exit 1; }
	command -v debootstrap >/dev/null || { log "debootstrap is missing (make deps)"; exit 1; }
	t0=$(date +%s)
	uri=$("$(dirname "$0")/debian-uri.sh")
	log "debootstrap $suite with clang, lld and llvm into $root"
	rm -rf "$root.tmp"
	mkdir -p "$cache"
	debootstrap --variant=minbase \
		--include=clang,lld,llvm,make,bc,flex,bison,libelf-dev,libssl-dev,perl,python3,gawk,ccache \
		"$suite" "$root.tmp" "$uri" > "$cache/llvm-$suite.log" 2>&1 ||
		{ tail -n 5 "$cache/llvm-$suite.log" >&2; log "debootstrap failed"; exit 1; }
	rm -rf "$root"
	mv "$root.tmp" "$root"
	touch "$root/.llvm-ok"
	log "$(chroot "$root" clang --version | head -n 1) ready in $(( $(date +%s) - t0 ))s"
fi
[ $# -gt 0 ] && [ "$1" = run ] || { echo "$root"; exit 0; }
shift

binds=
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	binds="$binds $1"
	shift
done
[ $# -gt 0 ] && shift
# The new namespace's mounts vanish with it; nothing leaks to the host.
# shellcheck disable=SC2086
exec unshare -m --propagation private sh -c '
	root=$1
	shift
	while [ "$1" != -- ]; do
		mkdir -p "$root$1" && mount --bind "$1" "$root$1" || exit 1
		shift
	done
	shift
	mount -t proc proc "$root/proc" || exit 1
	exec chroot "$root" "$@"' sh "$root" $binds -- "$@"
