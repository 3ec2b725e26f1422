#!/bin/sh
# A Debian root for the checks whose tools are too old on the host: the
# kernel needs LLVM >= 17 (Debian 12 has clang 14) and a sparse that knows
# __typeof_unqual__ (Debian 12 and 13 ship 0.6.4, which the kernel turns
# off). The root is Debian trixie with its clang, lld and llvm, made once
# with debootstrap from the configured Debian archive, plus sid's sparse
# unpacked in /opt/sparse; it is kept in the cache. Commands run in it with
# chroot, in a private mount namespace that binds the given host
# directories at the same paths. Nothing is installed on the host.
#
# usage: toolroot.sh CACHE                        make the root, print its path
#        toolroot.sh CACHE run DIR... -- CMD...   run CMD in it, DIRs bound
set -eu
cache=$1
shift
suite=${TOOLROOT_SUITE:-trixie}
root=$cache/toolroot-$suite
log() { printf '%s\n' "toolroot: $*" >&2; }

# fetch_sparse DIR: unpack sid's sparse into DIR.
fetch_sparse() {
	log "sparse from sid"
	apt=$cache/apt-sid
	rm -f "$apt"/sparse_*.deb
	"$(dirname "$0")/apt-suite.sh" "$apt" sid apt-get -qq update >&2
	"$(dirname "$0")/apt-suite.sh" "$apt" sid apt-get -qq download sparse >&2
	dpkg -x "$apt"/sparse_*.deb "$1"
	rm -f "$apt"/sparse_*.deb
}

# One maker at a time (check.sh builds ahead in the background): a second
# caller waits for the first, then finds the root made.
[ -f "$root/.toolroot-ok" ] || { mkdir -p "$cache" && exec 8>"$cache/.toolroot-$suite.lock" && flock 8; }
if [ ! -f "$root/.toolroot-ok" ]; then
	[ "$(id -u)" = 0 ] || { log "making the root needs root (debootstrap, chroot)"; exit 1; }
	command -v debootstrap >/dev/null || { log "debootstrap is missing (make deps)"; exit 1; }
	t0=$(date +%s)
	uri=$("$(dirname "$0")/debian-uri.sh")
	log "debootstrap $suite with clang, lld and llvm into $root"
	rm -rf "$root.tmp"
	mkdir -p "$cache"
	debootstrap --variant=minbase \
		--include=clang,lld,llvm,make,bc,flex,bison,libelf-dev,libssl-dev,perl,python3,gawk,ccache \
		"$suite" "$root.tmp" "$uri" > "$cache/toolroot-$suite.log" 2>&1 ||
		{ tail -n 5 "$cache/toolroot-$suite.log" >&2; log "debootstrap failed"; exit 1; }

	fetch_sparse "$root.tmp/opt/sparse"

	rm -rf "$root"
	mv "$root.tmp" "$root"
	touch "$root/.toolroot-ok"
	log "$(chroot "$root" clang --version | head -n 1), sparse $(chroot "$root" \
		/opt/sparse/usr/bin/sparse --version) ready in $(( $(date +%s) - t0 ))s"
fi
exec 8>&-
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
