#!/bin/sh
# The README's tables against what the harness really has: every stage of
# make check is a row of "What make check runs", and the mutants table has
# exactly the mutants of harness/mutate.sh, each with the stages it runs and
# the test that must fail.
. "$H/lib.sh"
mkdir -p "$VMDIR"

# The stages make check runs, one per line.
harness_stages() {
	printf '%s\n' base tree export-check guest-kernel payload
	for s in "$H"/stages/[0-9][0-9]-*.sh; do
		s=$(basename "$s" .sh)
		echo "${s#[0-9][0-9]-}"
	done
}
# The first column of the README's stage table, split at commas.
readme_stages() {
	sed -n '/^| stage | what |$/,/^$/p' "$1" | sed -n '3,$s/^| \([^|]*\) |.*/\1/p' |
		tr ',' '\n' | sed 's/^ *//; s/ *$//' | grep .
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
# readme_ok FILE: the tables of FILE match the harness.
readme_ok() {
	_r=0
	for _s in $(harness_stages); do
		readme_stages "$1" | grep -qx -- "$_s" && continue
		echo "README: stage $_s has no row in the stage table"
		_r=1
	done
	harness_mutants | sort > "$VMDIR/mutants.harness"
	readme_mutants "$1" | sort > "$VMDIR/mutants.readme"
	if ! cmp -s "$VMDIR/mutants.harness" "$VMDIR/mutants.readme"; then
		diff "$VMDIR/mutants.harness" "$VMDIR/mutants.readme" | sed 's/^/README mutants (< harness, > README): /'
		_r=1
	fi
	return $_r
}

# Planted mismatches first: a missing stage row, a mutant with another test.
grep -v '^| restore-window |' "$REPO/README.md" > "$VMDIR/no-stage.md"
sed 's/| unknown_ioctls |$/| some_other_test |/' "$REPO/README.md" > "$VMDIR/other-test.md"
mismatch() { ! readme_ok "$1" > /dev/null; }
check "self-test: a stage without a README row is found" mismatch "$VMDIR/no-stage.md"
check "self-test: a mutant whose README test differs is found" mismatch "$VMDIR/other-test.md"
out=$(readme_ok "$REPO/README.md")
rc=$?
[ -n "$out" ] && printf '%s\n' "$out"
check "README: the stage table and the mutants table match the harness" [ $rc = 0 ]
exit $stage_rc
