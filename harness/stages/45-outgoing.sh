#!/bin/sh
# `make outgoing` with a throwaway identity: the placeholder identity is
# refused; every mail From: and Signed-off-by: the sender, Cc: from
# `get_maintainer.pl`, `[PATCH vN i/n]`, no made-up `base-commit:`;
# checkpatch `--strict` on the mails (a self-test shows it flags a sign-off
# that is not the author's); `git send-email --dry-run` accepts them
. "$H/lib.sh"
beside
out=$BUILD/outgoing-test
me='Throwaway Sender <throwaway.sender@example.net>'
check "outgoing refuses the placeholder identity" not env \
	GIT_AUTHOR_NAME="SysGenID Developers" GIT_AUTHOR_EMAIL=sysgenid@example.org \
	"$H/outgoing.sh" "$TREE" "$REPO" "$out"
if ! env -u KERNEL_SRC GIT_AUTHOR_NAME="${me% <*}" GIT_AUTHOR_EMAIL=throwaway.sender@example.net \
	"$H/outgoing.sh" "$TREE" "$REPO" "$out"; then
	notok "outgoing with a throwaway identity"
	exit 1
fi
n=$(wc -l < "$REPO/series")
every() { # every PATTERN: each of the n+1 mails has a line matching it
	[ "$(grep -l -- "$1" "$out"/*.patch | wc -l)" = $((n + 1)) ]
}
check "every mail is From: the sender" every "^From: $me\$"
check "every patch is signed off by the sender" \
	[ "$(grep -l -- "^Signed-off-by: $me\$" "$out"/0*.patch | grep -vc 0000-)" = "$n" ]
check "the placeholder identity is gone from every mail" not grep -q 'sysgenid@example.org' "$out"/*.patch
check "every mail has Cc: from get_maintainer.pl" every '^Cc: .*linux-kernel@vger.kernel.org'
check "subjects carry the version: [PATCH vN i/$n]" every "^Subject: \\[PATCH v[0-9]* [0-9]*/$n\\]"
check "the cover letter links v5 and credits Adrian Catangiu" \
	grep -q 'lore.kernel.org/all/1612200294-17561-1-git-send-email-acatan@amazon.com' "$out/0000-cover-letter.patch"
check "no base-commit for a base that is not a git commit" not grep -q '^base-commit:' "$out"/*.patch
PATH=/usr/bin:$PATH
for p in $(cat "$REPO/series"); do
	ignore=$(awk -v p="$p" '$1 == p && NF >= 3 { printf "%s,", $2 }' "$H/checkpatch-exceptions")
	check "outgoing $p: checkpatch --strict clean" sh -c \
		'"$1/scripts/checkpatch.pl" --strict --no-color ${2:+--ignore "$2"} "$3" | grep -q "^total: 0 errors, 0 warnings, 0 checks"' \
		- "$TREE" "$ignore" "$out/$p"
done
# The sign-off check must be able to fail: another author, same sign-off.
last=$(tail -n 1 "$REPO/series")
sed "s/^From: $me\$/From: Somebody Else <else@example.net>/" "$out/$last" > "$out.mismatch"
check "self-test: checkpatch flags a sign-off that is not the author's" not sh -c \
	'"$1/scripts/checkpatch.pl" --strict --no-color "$2" | grep -q "^total: 0 errors"' - "$TREE" "$out.mismatch"
check "git send-email --dry-run accepts the series" sh -c \
	'cd "$1" && git -c sendemail.confirm=never send-email --dry-run --from="$2" \
		--to=linux-kernel@vger.kernel.org --suppress-cc=all ./*.patch >"$1.log" 2>&1 &&
	 [ "$(grep -c "^Result: OK" "$1.log")" = "$3" ]' - "$out" "$me" $((n + 1))
exit $stage_rc
