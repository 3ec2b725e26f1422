#!/bin/sh
# Export the work tree's commits on top of base as patches/ + series, and
# regenerate the top-level mirror of the files they touch.
# usage: export.sh TREE OUTDIR      (OUTDIR: the repo, or a scratch dir)
set -eu
tree=$1 out=$2
mkdir -p "$out"
out=$(cd "$out" && pwd)
mkdir -p "$out/patches"
rm -f "$out"/patches/[0-9][0-9][0-9][0-9]-*.patch.new
find "$out/patches" -name '[0-9][0-9][0-9][0-9]-*.patch' ! -name '0000-*' -delete
git -C "$tree" -c core.abbrev=12 format-patch -q --zero-commit --no-signature \
	-o "$out/patches" base..HEAD >/dev/null
(cd "$out/patches" && ls [0-9][0-9][0-9][0-9]-*.patch 2>/dev/null | grep -v '^0000-') > "$out/series" || true

# Fixed abbreviation: git scales it with the repository size otherwise.
# The mirror: every file the series touches, as in the final tree. Top-level
# files of the kernel tree (MAINTAINERS) are not mirrored.
for d in $(cat "$(dirname "$0")/mirror-dirs"); do
	rm -rf "${out:?}/$d"
done
git -C "$tree" diff --name-only --diff-filter=d base HEAD | while read -r f; do
	case $f in */*) ;; *) continue ;; esac
	top=${f%%/*}
	grep -qx "$top" "$(dirname "$0")/mirror-dirs" || {
		echo "export: $f is outside the mirror dirs (harness/mirror-dirs)" >&2
		exit 1
	}
	mkdir -p "$out/$(dirname "$f")"
	git -C "$tree" show "HEAD:$f" > "$out/$f"
	case $(git -C "$tree" ls-tree HEAD -- "$f") in 100755*) chmod +x "$out/$f" ;; esac
done
