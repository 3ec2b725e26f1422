#!/bin/sh
# sparse `C=2` (sid's sparse in the tool root): every touched file checked,
# no warning on a line of the series
. "$H/gate.sh"
beside
# The lines the series adds or changes, as path:line of the head tree.
series_lines() {
	git -C "$G" diff -U0 base "$head" | awk '
		/^\+\+\+ b\// { f = substr($0, 7) }
		/^@@/ { split($3, a, ","); s = substr(a[1], 2); n = (a[2] == "" ? 1 : a[2])
			for (i = 0; i < n; i++) print f ":" (s + i) }'
}
if rcfg; then
	sp=/opt/sparse/usr/bin/sparse
	have=$("$H/toolroot.sh" "$CACHE" run -- "$sp" --version)
	out=$(rmake C=2 CHECK="$sp" $all_objs 2>&1)
	rc=$?
	echo "$out" >> "$log"
	nc=$(printf '%s\n' "$out" | grep -c '^  CHECK ')
	series_lines > "$BUILD/gate-series-lines"
	mine=$(printf '%s\n' "$out" | grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' |
		sed "s|^$G/||" | awk -F: 'NR == FNR { s[$0] = 1; next } s[$1 ":" $2]' \
		"$BUILD/gate-series-lines" -)
	other=$(printf '%s\n' "$out" | grep -cE ': (warning|error):')
	if [ $rc = 0 ] && [ "$nc" -ge "$(echo $all_objs | wc -w)" ] && [ -z "$mine" ]; then
		ok "sparse C=2 ($have): $nc files checked, no warning on the series' lines ($other on others)"
	else
		printf '%s\n' "$mine"
		notok "sparse C=2 ($have): $nc files checked, exit $rc"
	fi
else
	notok "sparse: the tool root could not be made or configured"
fi
exit $stage_rc
