#!/bin/sh
# clang `W=1` (`LLVM=1`, trixie's clang in the tool root, see below): no
# warning
. "$H/gate.sh"
beside
need=$("$G/scripts/min-tool-version.sh" llvm)
if rcfg; then
	have=$("$H/toolroot.sh" "$CACHE" run -- clang -dumpversion)
	# Compiled again even if up to date: otherwise nothing warns.
	(cd "$CL" && rm -f $all_objs)
	out=$(rmake W=1 $all_objs 2>&1 >/dev/null)
	rc=$?
	echo "$out" >> "$log"
	if [ $rc = 0 ] && [ -z "$(printf '%s\n' "$out" | grep -E 'warning|error')" ]; then
		ok "clang W=1 (LLVM=1, Debian clang $have, kernel minimum $need): no warnings"
	else
		printf '%s\n' "$out" | grep -E 'warning|error|Error'
		notok "clang W=1 (LLVM=1, Debian clang $have, exit $rc)"
	fi
else
	notok "clang W=1: the tool root could not be made or configured"
fi
exit $stage_rc
