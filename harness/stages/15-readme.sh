#!/bin/sh
# this README against the harness: the stage table is generated from each
# stage script's first comment paragraph (`harness/readme.sh`, `make
# readme`) and must equal what it generates now, and the mutants table
# below equals `harness/mutate.sh` (name, stages, the test that must
# fail); self-tests with a planted stage that has no row and a planted
# wrong test
. "$H/lib.sh"
mkdir -p "$VMDIR"

# table_ok FILE [STAGES_DIR]: FILE's stage table is the one readme.sh
# generates from the stage headers.
table_ok() {
	sed -n '/^| stage | what |$/,/^$/p' "$1" | grep '^|' > "$VMDIR/table.readme"
	"$H/readme.sh" table "${2:-$H/stages}" > "$VMDIR/table.harness"
	cmp -s "$VMDIR/table.harness" "$VMDIR/table.readme" && return 0
	diff "$VMDIR/table.harness" "$VMDIR/table.readme" | cut -c1-160 |
		sed 's/^/README stage table (< generated, > README; make readme): /'
	return 1
}
# "name|stages|test" of every mutant, from mutate.sh and from the README.
harness_mutants() {
	sed -n "/^mutants='$/,/^'$/p" "$H/mutate.sh" | grep '|' |
		awk -F'|' '{ gsub(/ +/, ", ", $4); print $1 "|" $4 "|" $5 }'
}
readme_mutants() {
	sed -n '/^| mutant | what it breaks | stages run | the test that must fail |$/,/^$/p' "$1" |
		sed -n '3,$p' | grep '^|' |
		awk -F' [|] ' '{ sub(/^[|] /, "", $1); sub(/ [|]$/, "", $4); print $1 "|" $3 "|" $4 }'
}
# readme_ok FILE [STAGES_DIR]: the tables of FILE match the harness.
readme_ok() {
	_r=0
	table_ok "$@" || _r=1
	harness_mutants | sort > "$VMDIR/mutants.harness"
	readme_mutants "$1" | sort > "$VMDIR/mutants.readme"
	if ! cmp -s "$VMDIR/mutants.harness" "$VMDIR/mutants.readme"; then
		diff "$VMDIR/mutants.harness" "$VMDIR/mutants.readme" | sed 's/^/README mutants (< harness, > README): /'
		_r=1
	fi
	return $_r
}

# Planted mismatches first: a stage the README does not have, a mutant
# with another test.
rm -rf "$VMDIR/stages"
cp -r "$H/stages" "$VMDIR/stages"
printf '#!/bin/sh\n# a planted stage\n' > "$VMDIR/stages/99-planted.sh"
sed 's/| unknown_ioctls |$/| some_other_test |/' "$REPO/README.md" > "$VMDIR/other-test.md"
mismatch() { ! readme_ok "$@" > /dev/null; }
check "self-test: a stage without its README row is found" mismatch "$REPO/README.md" "$VMDIR/stages"
check "self-test: a mutant whose README test differs is found" mismatch "$VMDIR/other-test.md"
out=$(readme_ok "$REPO/README.md")
rc=$?
[ -n "$out" ] && printf '%s\n' "$out"
check "README: the stage table and the mutants table match the harness" [ $rc = 0 ]
exit $stage_rc
