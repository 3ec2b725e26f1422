#!/bin/sh
# every patch builds on its own: the objects it touches, and headers,
# selftests and tool when it touches them (the gate stages, bisect to
# sending, check the committed series in a worktree, `build/linux-gate`,
# with `harness/gate.sh`)
. "$H/gate.sh"
beside
prev=base
for c in $(git -C "$TREE" rev-list --reverse base.."$head"); do
	subj=$(git -C "$G" log -1 --format=%s "$c")
	git -C "$G" checkout -q --detach "$c"
	objs=$(objs_of "$prev" "$c")
	ok=1
	cfg "$X" tinyconfig "$CFG/gate.config" || ok=0
	[ $ok = 1 ] && [ -n "$objs" ] && { kb "$X" $objs || ok=0; }
	if [ $ok = 1 ] && git -C "$G" diff --name-only "$prev" "$c" | grep -q '^tools/\|^include/uapi/'; then
		kb "$X" -s headers_install || ok=0
		for t in tools/testing/selftests/sysgenid tools/sysgenid; do
			[ -f "$G/$t/Makefile" ] || continue
			make -s -C "$G/$t" O="$X/gate-$(basename "$t")" \
				KHDR_INCLUDES="-isystem $X/usr/include" >>"$log" 2>&1 || ok=0
		done
	fi
	if [ $ok = 1 ]; then ok "bisect: builds after \"$subj\""; else notok "bisect: builds after \"$subj\""; fi
	prev=$c
done
git -C "$G" checkout -q --detach "$head"
exit $stage_rc
