#!/bin/sh
# The mail-ready topic series (patches/topics): each in OUTDIR/<topic>/, its
# cover letter (patches/0000-cover-<topic>.patch, with the shortlog and the
# diffstat of the topic appended) and its patches numbered [PREFIX k/n],
# PREFIX from the cover letter's subject. The identity substitution: the
# neutral placeholder becomes the sender (From:, Signed-off-by:, the
# shortlog's name); To: (maintainers, reviewers) and Cc: (lists) come from
# get_maintainer.pl, one address per folded header line, right after From:
# so that no header is cut; EXTRA_CC (comma-separated) is added to every
# mail's Cc:. A base-commit: line only when the base is a real commit
# (KERNEL_SRC a git tree). The virtio specification patch of
# harness/virtio-spec goes to OUTDIR/virtio-spec/ the same way, the QEMU
# series of harness/qemu to OUTDIR/qemu/.
# usage: outgoing.sh TREE REPO OUTDIR
#   TREE: the kernel tree whose commits base..HEAD are the series
#   identity: git config user.name / user.email (GIT_AUTHOR_NAME/EMAIL win)
set -eu
tree=$(cd "$1" && pwd) repo=$(cd "$2" && pwd) out=$3
placeholder='SysGenID Developers <sysgenid@example.org>'
name=${GIT_AUTHOR_NAME:-$(git -C "$repo" config user.name || true)}
email=${GIT_AUTHOR_EMAIL:-$(git -C "$repo" config user.email || true)}
case "$name <$email>" in
" <"*|*"<>"|"$placeholder"|*"@example.org>")
	echo "outgoing: set your identity first: git config user.name/user.email" \
		"(not the placeholder '$placeholder')" >&2
	exit 1 ;;
esac
me="$name <$email>"
topics=$repo/patches/topics
commits=$(git -C "$tree" rev-list --reverse base..HEAD)
[ "$(echo "$commits" | wc -l)" = "$(grep -c . "$repo/series")" ] || {
	echo "outgoing: $tree has other commits than series" >&2
	exit 1
}
base=
if [ -n "${KERNEL_SRC:-}" ] && git -C "$KERNEL_SRC" rev-parse -q --verify HEAD^{commit} >/dev/null 2>&1; then
	base=$(git -C "$KERNEL_SRC" rev-parse HEAD)
fi
rm -rf "$out"
mkdir -p "$out"

# gm SRC OPTIONS... PATCH...: a comma list from the get_maintainer.pl of the
# source tree SRC (the kernel's, QEMU's), without the placeholder.
gm() {
	_src=$1
	shift
	(cd "$_src" && perl scripts/get_maintainer.pl --no-rolestats --no-git --no-git-fallback "$@" 2>/dev/null) |
		grep -vxF "$placeholder" | paste -sd, -
}
# prefix_of COVER: "PATCH v9" of a cover letter's "[PATCH v9 0/5]".
prefix_of() { sed -n 's/^Subject: \[\(.*\) 0\/[0-9]*\].*/\1/p' "$1"; }
# uniq_list LIST [EXCLUDE]: LIST's addresses once each, in order, without
# those of EXCLUDE (comma lists).
uniq_list() {
	printf '%s\n' "$1" | tr ',' '\n' | sed 's/^ *//' | grep . | awk '!seen[$0]++' |
		grep -vxF -e "$(printf '%s\n' "${2:-}" | tr ',' '\n' | sed 's/^ *//')" | paste -sd, - || true
}
# headers TO CC: a mail on stdin, with the identity substituted, To: and Cc:
# folded after From: and the subject prefix made PREFIX k/n.
headers() {
	awk -v me="$me" -v ph="$placeholder" -v name="$name" -v to="$1" -v cc="$2" \
		-v pre="$prefix" -v k="$k" -v n="$n" '
	function fold(h, list,   a, i, m, s) {
		m = split(list, a, /, */)
		s = ""
		for (i = 1; i <= m; i++)
			if (a[i] != "")
				s = s (s == "" ? h ": " : ",\n ") a[i]
		if (s != "") print s
	}
	{ gsub(ph, me); sub("^SysGenID Developers \\(", name " (") }
	hdr && /^From: / { print; fold("To", to); fold("Cc", cc); next }
	hdr && /^Subject: \[/ { sub(/^Subject: \[[^]]*\]/, "Subject: [" pre " " k "/" n "]") }
	/^$/ { hdr = 0 }
	{ print }' hdr=1
}

grep -v '^#' "$topics" | while read -r topic first last deps; do
	[ -n "$topic" ] || continue
	cover=$repo/patches/0000-cover-$topic.patch
	n=$((last - first + 1))
	# [PATCH v9 0/5] -> "PATCH v9"; the cover letter states the count.
	prefix=$(prefix_of "$cover")
	[ "$(sed -n 's/^Subject: \[.* 0\/\([0-9]*\)\].*/\1/p' "$cover")" = "$n" ] || {
		echo "outgoing: $cover: the subject must say 0/$n" >&2
		exit 1
	}
	d=$out/$topic
	mkdir -p "$d"
	to_all= cc_all=
	k=0
	for p in $(sed -n "${first},${last}p" "$repo/series"); do
		k=$((k + 1))
		to=$(gm "$tree" --no-keywords --nol "$repo/patches/$p")
		cc=$(gm "$tree" --no-keywords --nom --nor "$repo/patches/$p")${EXTRA_CC:+,$EXTRA_CC}
		to_all="$to_all,$to" cc_all="$cc_all,$cc"
		headers "$to" "$cc" < "$repo/patches/$p" > "$d/$(printf %04d $k)-${p#[0-9][0-9][0-9][0-9]-}"
	done
	to_all=$(uniq_list "$to_all")
	# Addresses that are in To: stay out of Cc:.
	cc_all=$(uniq_list "$cc_all" "$to_all")
	c1=$(echo "$commits" | sed -n "${first}p") cn=$(echo "$commits" | sed -n "${last}p")
	k=0
	{
		sed -e '$!b' -e '/^$/d' "$cover"
		echo
		echo "$name ($n):"
		git -C "$tree" log --reverse --format='  %s' "$c1^..$cn"
		echo
		git -C "$tree" diff --stat=72 --summary "$c1^" "$cn"
		echo
		[ -z "$base" ] || { echo "base-commit: $base"; echo; }
		echo '-- '
	} | headers "$to_all" "$cc_all" > "$d/0000-cover-letter.patch"
	echo "outgoing: $topic: $((n + 1)) mails in $d [$prefix k/$n]${deps:+, depends on: $deps}"
done

# The virtio specification proposal (harness/virtio-spec, made against the
# commit its cover letter names), for the virtio-comment list.
spec=$repo/harness/virtio-spec
d=$out/virtio-spec
mkdir -p "$d"
n=$(ls "$spec"/0*.patch | grep -vc /0000-)
prefix=$(prefix_of "$spec/0000-cover-letter.patch")
k=0
for p in "$spec"/0*.patch; do
	headers 'virtio-comment@lists.linux.dev' '"Michael S. Tsirkin" <mst@redhat.com>' < "$p" > "$d/${p##*/}"
	k=$((k + 1))
done
echo "outgoing: virtio-spec: $k mails in $d [$prefix k/$n]"

# The QEMU series (harness/qemu/*.patch, cover letter harness/qemu/cover-letter)
# for qemu-devel: To:/Cc: from QEMU's get_maintainer.pl in the QEMU source
# the harness builds (QEMU_SRC, or the one in the cache; without it only
# qemu-devel).
qsrc=${QEMU_SRC:-$(ls -d "${XDG_CACHE_HOME:-$HOME/.cache}"/sysgenid/qemu/src-* 2>/dev/null | tail -n 1)}
qwho() { # qwho OPTIONS PATCH...: QEMU's get_maintainer.pl, when there is a QEMU source
	[ -n "$qsrc" ] && [ -f "$qsrc/scripts/get_maintainer.pl" ] || return 0
	gm "$qsrc" "$@"
}
d=$out/qemu
mkdir -p "$d"
n=$(ls "$repo"/harness/qemu/*.patch | wc -l)
prefix=$(prefix_of "$repo/harness/qemu/cover-letter")
to_all=$(qwho --nol "$repo"/harness/qemu/*.patch)
cc_all=$(qwho --nom --nor "$repo"/harness/qemu/*.patch)
k=0
headers "$to_all" "${cc_all:-qemu-devel@nongnu.org}" < "$repo/harness/qemu/cover-letter" > "$d/0000-cover-letter.patch"
for p in "$repo"/harness/qemu/*.patch; do
	k=$((k + 1))
	to=$(qwho --nol "$p") cc=$(qwho --nom --nor "$p")
	headers "$to" "${cc:-qemu-devel@nongnu.org}" < "$p" > "$d/${p##*/}"
done
echo "outgoing: qemu: $((k + 1)) mails in $d [$prefix k/$n]${qsrc:+, To/Cc from $qsrc}"
echo "outgoing: From: $me${base:+, base-commit $base}"
