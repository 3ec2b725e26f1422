#!/bin/sh
# Configure and build a kernel from the work tree.
# usage: build-kernel.sh SRC OBJ BASECONFIG FRAGMENT... [-- make targets]
#   BASECONFIG is a make target such as tinyconfig.
set -eu
src=$1 obj=$2 base=$3
shift 3
frags=
while [ $# -gt 0 ] && [ "$1" != -- ]; do frags="$frags $1"; shift; done
[ "${1:-}" = -- ] && shift
targets=${*:-vmlinux}

mkdir -p "$obj"
obj=$(cd "$obj" && pwd)
. "$(dirname "$0")/env.sh"
jobs=$(nproc)
kmake() { make -C "$src" O="$obj" -j"$jobs" CC="$KCC" $KMAKE_ARGS "$@"; }

# Reconfigure only when the fragments or the tree's Kconfig files changed.
stamp=$obj/.harness-config
want=$( (cat $frags; echo "$base"; git -C "$src" rev-parse HEAD) | sha1sum | cut -c1-40)
if [ ! -f "$obj/.config" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
	kmake -s "$base" >/dev/null
	KCONFIG_CONFIG=$obj/.config "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" \
		"$obj/.config" $frags >/dev/null
	kmake -s olddefconfig >/dev/null
	# Every requested option must have survived olddefconfig; a later
	# fragment overrides an earlier one.
	cat $frags | grep -E '^(# )?CONFIG_[A-Za-z0-9_]+[= ]' |
		awk '{ s = $0; sub(/^# /, "", s); sub(/[= ].*/, "", s); last[s] = $0; order[s] = NR }
		     END { for (k in last) print order[k] "\t" last[k] }' | sort -n | cut -f2- |
	while IFS= read -r line; do
		sym=$(printf '%s\n' "$line" | sed -E 's/^(# )?CONFIG_([A-Za-z0-9_]+).*/\2/')
		if ! grep -rqsE "^(menu)?config $sym\$" --include='Kconfig*' "$src"; then
			echo "config: CONFIG_$sym not defined by this tree, skipped" >&2
			continue
		fi
		case $line in
		"# "*) grep -q "^CONFIG_$sym=" "$obj/.config" && echo "$line" ;;
		*) grep -qxF "$line" "$obj/.config" || echo "$line" ;;
		esac
	done > "$obj/.config-lost"
	if [ -s "$obj/.config-lost" ]; then
		echo "config: these options did not survive olddefconfig:" >&2
		sed 's/^/  /' "$obj/.config-lost" >&2
		exit 1
	fi
	echo "$want" > "$stamp"
fi
if [ -n "${QUIET:-}" ]; then
	kmake -s $targets
else
	kmake $targets
fi
