#!/bin/sh
# The one survival check of a kernel configuration: every line of the
# fragments (a later fragment overrides an earlier one) must be in OBJ's
# .config after olddefconfig, except symbols SRC does not define
# (reported and skipped). Lost lines go to stderr and OBJ/.config-lost.
# usage: kconfig-check.sh SRC OBJ FRAGMENT...
set -eu
src=$1 obj=$2
shift 2
[ $# -gt 0 ] || exit 0
cat "$@" | grep -E '^(# )?CONFIG_[A-Za-z0-9_]+[= ]' |
	awk '{ s = $0; sub(/^# /, "", s); sub(/[= ].*/, "", s); last[s] = $0; order[s] = NR }
	     END { for (k in last) print order[k] "\t" last[k] }' | sort -n | cut -f2- |
while IFS= read -r line; do
	sym=$(printf '%s\n' "$line" | sed -E 's/^(# )?CONFIG_([A-Za-z0-9_]+).*/\2/')
	if ! grep -rqsE "^(menu)?config $sym\$" --include='Kconfig*' "$src"; then
		echo "config: CONFIG_$sym not defined by this tree, skipped" >&2
		continue
	fi
	# (if, not && or ||: the loop's status is its last command's)
	case $line in
	"# "*) if grep -q "^CONFIG_$sym=" "$obj/.config"; then echo "$line"; fi ;;
	*) if ! grep -qxF "$line" "$obj/.config"; then echo "$line"; fi ;;
	esac
done > "$obj/.config-lost"
if [ -s "$obj/.config-lost" ]; then
	echo "config: these options did not survive olddefconfig in $obj:" >&2
	sed 's/^/  /' "$obj/.config-lost" >&2
	exit 1
fi
