#!/bin/sh
# The README's stage table ("What make check runs"), generated: a row for
# the steps check.sh runs itself, then one per harness/stages/NN-name.sh,
# its text the script's first comment paragraph (up to a lone "#").
# usage: readme.sh table [STAGES_DIR]   print the table
#        readme.sh update README        rewrite README's table in place
set -eu
here=$(cd "$(dirname "$0")" && pwd)
table() {
	echo '| stage | what |'
	echo '| --- | --- |'
	echo '| base, tree | fetch the base, apply the series |'
	echo '| export-check | `patches/`, `series` and the mirror equal a re-export |'
	echo '| guest-kernel | build the guest kernel and modules (ccache) |'
	echo '| payload | build once what every x86_64 guest runs (`harness/payload.sh`): the kselftests 64-bit and each program again 32-bit, the series'"'"' `sysgenid` tool and every `harness/guest/*.c`; the stages only copy from `build/payload` |'
	for s in "$1"/[0-9][0-9]-*.sh; do
		n=$(basename "$s" .sh)
		awk -v n="${n#[0-9][0-9]-}" 'NR == 1 { next }
			/^#$/ || !/^#/ { exit }
			{ sub(/^# /, ""); t = t (t == "" ? "" : " ") $0 }
			END { print "| " n " | " t " |" }' "$s"
	done
}
case $1 in
table) table "${2:-$here/stages}" ;;
update)
	t=$(mktemp)
	table "$here/stages" > "$t"
	awk -v t="$t" '/^\| stage \| what \|$/ { while ((getline l < t) > 0) print l; skip = 1; next }
		skip && /^\|/ { next } { skip = 0; print }' "$2" > "$2.new"
	mv "$2.new" "$2"
	rm -f "$t"
	;;
*) echo "usage: $0 table [DIR] | update README" >&2; exit 2 ;;
esac
