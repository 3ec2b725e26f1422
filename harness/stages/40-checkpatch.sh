#!/bin/sh
# `checkpatch.pl --strict` on every patch: 0 errors, warnings and checks
# (exceptions only with a reason in `harness/checkpatch-exceptions`)
#
# An exception is a line in harness/checkpatch-exceptions:
#   <patch file> <CHECKPATCH_TYPE> <one-line reason>
. "$H/lib.sh"
beside
# spdxcheck.py wants the distribution's python3 with ply and git modules.
PATH=/usr/bin:$PATH
while read -r p; do
	case $p in ''|'#'*) continue ;; esac
	ignore=$(awk -v p="$p" '$1 == p && NF >= 3 { printf "%s,", $2 }' \
		"$H/checkpatch-exceptions" 2>/dev/null)
	out=$("$TREE/scripts/checkpatch.pl" --strict --no-color --show-types \
		${ignore:+--ignore "$ignore"} "$REPO/patches/$p" 2>&1)
	if printf '%s\n' "$out" | grep -q '^total: 0 errors, 0 warnings, 0 checks'; then
		ok "checkpatch --strict $p"
	else
		printf '%s\n' "$out" | grep -v '^$'
		notok "checkpatch --strict $p"
	fi
done < "$REPO/series"
exit $stage_rc
