#!/bin/sh
# every report-mode semantic patch of `scripts/coccinelle` on the touched
# sources
. "$H/gate.sh"
beside
# spatch reads the generated headers of the x86 object directory, as
# gate.config configures it (another stage may have left another config).
{ cfg "$X" tinyconfig "$CFG/gate.config" && kb "$X" prepare; } || { notok "coccinelle: configure"; exit 1; }
ccinc="-I $G/arch/x86/include -I $X/arch/x86/include/generated -I $G/include -I $X/include
-I $G/arch/x86/include/uapi -I $X/arch/x86/include/generated/uapi -I $G/include/uapi
-I $X/include/generated/uapi --include $G/include/linux/compiler-version.h
--include $G/include/linux/kconfig.h"
csrcs=$(git -C "$G" diff --name-only base "$head" -- 'drivers/*.c' | sed "s|^|$G/|")
out= nc=0 nsk=0
for c in $(find "$G/scripts/coccinelle" -name '*.cocci' | sort); do
	grep -q '^virtual.*report' "$c" || continue
	if grep -q ':ocaml' "$c"; then
		nsk=$((nsk + 1))
		echo "coccinelle: skipped (OCaml): ${c#$G/}" >> "$log"
		continue
	fi
	nc=$((nc + 1))
	opts=$(sed -n 's|^// Options: *||p' "$c")
	r=$(spatch -D report --no-show-diff --very-quiet --cocci-file "$c" $opts $ccinc $csrcs 2>&1 |
		grep -v '^init_defs_builtins\|^$\|^warning: \(line\|rule\|Can\)\|^Note: processing took')
	[ -n "$r" ] && out="$out
${c#$G/}:
$r"
done
if [ -z "$out" ]; then
	ok "coccinelle: $nc semantic patches, no report ($nsk with OCaml parts skipped)"
else
	echo "$out"
	notok "coccinelle: reports"
fi
exit $stage_rc
