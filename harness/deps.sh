#!/bin/sh
# Install the Debian packages the harness needs, if any is missing.
set -eu
need=
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }
for p in git make gcc gcc-i686-linux-gnu libc6-dev-i386-cross flex bison bc libelf-dev libssl-dev ccache sparse \
	qemu-system-x86 busybox-static cpio xz-utils socat python3 python3-ply python3-git perl rsync \
	coccinelle python3-sphinx python3-yaml gcc-aarch64-linux-gnu g++ debootstrap git-email libmailtools-perl b4 \
	qemu-system-arm device-tree-compiler \
	${EXTRA_PKGS:-}; do
	have "$p" || need="$need $p"
done
[ -z "$need" ] && exit 0
echo "deps: installing:$need"
if [ "$(id -u)" != 0 ]; then
	echo "deps: not root: install them with apt-get install$need" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
# --no-remove: never take a package away from the user to make room (in
# Debian 12 gcc-multilib conflicts with gcc-i686-linux-gnu, which we need):
# fail and say so instead.
# shellcheck disable=SC2086
if ! apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-remove --no-install-recommends $need >/dev/null; then
	echo "deps: apt-get refused to install without removing packages you have" \
		"(gcc-multilib conflicts with gcc-i686-linux-gnu); install by hand:$need" >&2
	exit 1
fi
echo "deps: installed:$need"
