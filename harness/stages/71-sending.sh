#!/bin/sh
# get_maintainer names the entry; the cover letter has history, changes and
# review answers
. "$H/gate.sh"
beside
cl=$REPO/patches/0000-cover-sysgenid.patch
maint() {
	(cd "$G" && scripts/get_maintainer.pl --no-git --no-git-fallback $(ls "$REPO"/patches/[0-9]*.patch | grep -v /0000-) 2>/dev/null) |
		grep -q 'sysgenid@example.org'
}
check "get_maintainer.pl names the SYSTEM GENERATION ID entry" maint
cover() { grep -q '^History' "$cl" && grep -q '^Changes since v8' "$cl" && grep -q '^Michael S. Tsirkin on Adrian' "$cl"; }
check "cover letter has the history, the changes since v8 and the review answers" cover
exit $stage_rc
