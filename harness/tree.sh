#!/bin/sh
# Make the kernel work tree: the base tree with the series applied as commits.
# usage: tree.sh REPO TREE BASE     (BASE: git repo or plain source dir)
#
# An existing work tree is kept when it already holds the series, or when it
# holds commits of its own (work in progress: export it first). FORCE=1
# rebuilds it from the base.
set -eu
repo=$1 tree=$2 base=$3
log() { printf '%s\n' "tree: $*" >&2; }

series_id() {
	(cd "$repo" && cat series && while read -r p; do
		case $p in ''|'#'*) continue ;; esac
		cat "patches/$p"
	done < series) | sha1sum | cut -c1-40
}
want=$(series_id)

# After an export the work tree is the series again.
if [ -n "${MARK:-}" ]; then
	git -C "$tree" config harness.series "$want"
	git -C "$tree" config harness.head "$(git -C "$tree" rev-parse HEAD)"
	exit 0
fi

if [ -d "$tree/.git" ] && [ "${FORCE:-0}" != 1 ]; then
	applied=$(git -C "$tree" config --get harness.series || true)
	head=$(git -C "$tree" config --get harness.head || true)
	now=$(git -C "$tree" rev-parse HEAD)
	if [ "$applied" = "$want" ] && [ "$head" = "$now" ]; then
		exit 0
	fi
	if [ "$head" != "$now" ]; then
		log "$tree has commits beyond the series: kept (make export, or FORCE=1 to rebuild)"
		exit 0
	fi
	log "series changed: re-applying"
	git -C "$tree" reset -q --hard base
	git -C "$tree" clean -qfdx -e .base-ok
else
	rm -rf "$tree"
	mkdir -p "$(dirname "$tree")"
	if [ -d "$base/.git" ]; then
		log "cloning $base"
		git clone -q --shared "$base" "$tree"
		git -C "$tree" rev-parse -q --verify refs/tags/base >/dev/null ||
			git -C "$tree" tag base HEAD
	else
		log "copying plain source tree $base"
		cp -a "$base" "$tree"
		cd "$tree"
		git init -q
		git add -A -f
		GIT_AUTHOR_DATE=2026-01-01T00:00:00Z GIT_COMMITTER_DATE=2026-01-01T00:00:00Z \
			git -c user.name=harness -c user.email=harness@localhost \
			commit -q -m "base: $(make -s kernelversion)"
		git tag base
		cd - >/dev/null
	fi
fi

git -C "$tree" config user.name >/dev/null || git -C "$tree" config user.name "SysGenID Developers"
git -C "$tree" config user.email >/dev/null || git -C "$tree" config user.email "sysgenid@example.org"
# Deterministic commit ids: same series on the same base gives the same tree.
export GIT_COMMITTER_NAME="SysGenID Developers" GIT_COMMITTER_EMAIL="sysgenid@example.org"
n=0
while read -r p; do
	case $p in ''|'#'*) continue ;; esac
	if ! git -C "$tree" am -q --committer-date-is-author-date "$repo/patches/$p" >/tmp/am.$$ 2>&1; then
		failed=$(sed -n 's/^error: \(patch failed: \)\{0,1\}\([^:]*\):.*/\2/p' /tmp/am.$$ | head -n 1)
		cat /tmp/am.$$ >&2
		rm -f /tmp/am.$$
		git -C "$tree" am --abort >/dev/null 2>&1 || true
		log "FAILED to apply $p (file: ${failed:-see above})"
		exit 1
	fi
	n=$((n + 1))
done < "$repo/series"
rm -f /tmp/am.$$
git -C "$tree" config harness.series "$want"
git -C "$tree" config harness.head "$(git -C "$tree" rev-parse HEAD)"
log "applied $n patches on $(git -C "$tree" describe --tags --always base)"
