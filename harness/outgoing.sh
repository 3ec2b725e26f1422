#!/bin/sh
# The mail-ready series: patches/ with the sender's identity instead of the
# neutral placeholder, To/Cc from get_maintainer.pl, and a base-commit only
# when the base is a real commit (KERNEL_SRC a git tree).
# usage: outgoing.sh TREE REPO OUTDIR
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
# The version, from the cover letter's subject: [PATCH vN 0/M].
version=$(sed -n 's/^Subject: \[PATCH v\([0-9]*\) .*/\1/p' "$repo/patches/0000-cover-letter.patch")
rm -rf "$out"
mkdir -p "$out"
cc_all=
for p in $(cat "$repo/series"); do
	# Who maintains what the patch touches, from the tree it applies to.
	who=$(cd "$tree" && ./scripts/get_maintainer.pl --no-rolestats --no-git \
		--no-git-fallback --no-keywords "$repo/patches/$p" 2>/dev/null |
		grep -vxF "$placeholder" | paste -sd, - | sed 's/,/, /g')
	cc_all="$cc_all${who:+, $who}"
	awk -v me="$me" -v ph="$placeholder" -v who="$who" -v v="$version" '
		{ gsub(ph, me) }
		!done && /^Subject: / { sub(/^Subject: \[PATCH /, "Subject: [PATCH v" v " ");
			print; if (who != "") print "Cc: " who; done = 1; next }
		{ print }' "$repo/patches/$p" > "$out/$p"
done
cc_all=$(printf '%s\n' "${cc_all#, }" | tr ',' '\n' | sed 's/^ *//' | grep . | sort -u |
	paste -sd, - | sed 's/,/, /g')
base=
if [ -n "${KERNEL_SRC:-}" ] && git -C "$KERNEL_SRC" rev-parse -q --verify HEAD^{commit} >/dev/null 2>&1; then
	base=$(git -C "$KERNEL_SRC" rev-parse HEAD)
fi
awk -v me="$me" -v ph="$placeholder" -v name="$name" -v who="$cc_all" -v base="$base" '
	{ gsub(ph, me); sub("^SysGenID Developers \\(", name " (") }
	!done && /^Subject: / { print; if (who != "") print "Cc: " who; done = 1; next }
	/^-- $/ && base != "" { print "base-commit: " base; print ""; }
	{ print }' "$repo/patches/0000-cover-letter.patch" > "$out/0000-cover-letter.patch"
echo "outgoing: $(ls "$out" | wc -l) mails in $out, From: $me${base:+, base-commit $base}"
