#!/bin/sh
# Fail when patches/, series or the mirror files differ from what a fresh
# export of the work tree produces.
# usage: check-export.sh REPO TREE
set -eu
repo=$1 tree=$2
# Uncommitted work in the tree is not in any patch: refuse rather than
# test something the series does not contain.
if ! git -C "$tree" diff --quiet HEAD -- . ':!*.orig' 2>/dev/null; then
	git -C "$tree" diff --stat HEAD | sed 's/^/export: uncommitted in the work tree: /' >&2
	echo "export: commit (git commit --fixup ...; make export) or stash it first" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$repo"/patches/0000-* "$tmp/" 2>/dev/null || true
"$(dirname "$0")/export.sh" "$tree" "$tmp"
fail=0
for d in series patches $(cat "$(dirname "$0")/mirror-dirs"); do
	[ -e "$repo/$d" ] || [ -e "$tmp/$d" ] || continue
	diff -r -q -x '0000-*' -x topics "$repo/$d" "$tmp/$d" >/dev/null 2>&1 && continue
	diff -r -q -x '0000-*' -x topics "$repo/$d" "$tmp/$d" 2>&1 | sed -e "s|$tmp/||g" -e "s|$repo/||g" \
		-e 's/^/export: differs from a re-export: /' >&2
	fail=1
done
if [ $fail = 1 ]; then
	echo "export: the top-level files are generated: edit the work tree, commit, make export" >&2
	exit 1
fi
echo "export: patches/, series and mirror match the work tree"
