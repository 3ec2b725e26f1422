#!/bin/sh
# Make the base kernel tree: a git repo with one commit holding Debian's
# linux-source-7.x, fetched through a private apt configuration that adds the
# trixie-backports suite with the URIs of the Debian source already configured.
# The system's apt sources are never touched.
#
# usage: fetch-base.sh CACHE_DIR      prints the base repo path on stdout
set -eu
cache=$1
want=${BASE_PKG:-linux-source-7.3}
want_ver=${BASE_VERSION:-7.3.4}
log() { printf '%s\n' "fetch-base: $*" >&2; }

# Reuse a finished base repo.
for d in "$cache"/base-*/linux; do
	[ -f "$d/.base-ok" ] || continue
	echo "$d"
	exit 0
done

t0=$(date +%s)
apt="$cache/apt"
# aptx apt-get|apt-cache ARGS...: apt on trixie-backports only.
aptx() { "$(dirname "$0")/apt-suite.sh" "$apt" trixie-backports "$@"; }
log "apt update (private config, trixie-backports)"
aptx apt-get -qq update >&2

pkg=$want
if ! aptx apt-cache show "$want" 2>/dev/null | grep -q "^Version: $want_ver"; then
	pkg=$(aptx apt-cache pkgnames linux-source-7. 2>/dev/null | sort -V | tail -n 1)
	[ -n "$pkg" ] || { log "no linux-source-7.* in the archive"; exit 1; }
	log "NOTE: $want $want_ver is not offered any more; using newest: $pkg"
fi
log "downloading $pkg"
rm -f "$apt"/linux-source-*.deb
aptx apt-get -qq download "$pkg" >&2
deb=$(ls "$apt"/linux-source-*.deb | head -n 1)
ver=$(dpkg-deb -f "$deb" Version)
log "got $(basename "$deb") ($ver)"

x="$cache/unpack"
rm -rf "$x"
dpkg -x "$deb" "$x"
tarball=$(ls "$x"/usr/src/linux-source-*.tar.* | head -n 1)
dest="$cache/base-$ver"
rm -rf "$dest"
mkdir -p "$dest"
log "unpacking $(basename "$tarball")"
tar -C "$dest" -xf "$tarball"
mv "$dest"/linux-source-* "$dest/linux"
rm -rf "$x" "$deb"

cd "$dest/linux"
kver=$(make -s kernelversion)
git init -q
git config user.name "sysgenid harness"
git config user.email "harness@localhost"
# Debian's tarball ignores everything at the top level; force the base in.
git add -A -f
export GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z"
git commit -q -m "Linux $kver (Debian $pkg $ver)"
git tag base
touch .base-ok
echo ".base-ok" >> .git/info/exclude
log "base tree Linux $kver ready in $(( $(date +%s) - t0 ))s"
echo "$dest/linux"
