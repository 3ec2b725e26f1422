#!/bin/sh
# `make outgoing` with a throwaway identity: the placeholder identity is
# refused; each topic series of patches/topics in a directory of its own,
# every mail From: and Signed-off-by: the sender, To:/Cc: from
# `get_maintainer.pl`, `[PREFIX k/n]`; every mail parses back (`git
# mailinfo`) to exactly its commit, and the series as `git send-email`
# numbers and threads them, through `b4 am`, applies with `git am` on the
# base and the series it depends on, to the stack's tree, and builds
# (self-tests: a Cc: header cutting a folded subject, a long planted Cc:
# list); checkpatch `--strict` on the mails; `git send-email --dry-run`
# accepts them; the virtio specification patch parses back, touches only
# the entropy device and lists every requirement it adds in the conformance
# clauses (self-test: one left out); the QEMU series parses back, with its
# cover letter for qemu-devel
. "$H/gate.sh"
beside
out=$BUILD/outgoing-test
t=$BUILD/outgoing-selftest
rm -rf "$t"
mkdir -p "$t"
placeholder='SysGenID Developers <sysgenid@example.org>'
me='Throwaway Sender <throwaway.sender@example.net>'
check "outgoing refuses the placeholder identity" not env \
	GIT_AUTHOR_NAME="SysGenID Developers" GIT_AUTHOR_EMAIL=sysgenid@example.org \
	"$H/outgoing.sh" "$G" "$REPO" "$out"
mk() { # mk OUTDIR [env...]: make outgoing as the throwaway sender
	_o=$1
	shift
	env -u KERNEL_SRC GIT_AUTHOR_NAME="${me% <*}" GIT_AUTHOR_EMAIL=throwaway.sender@example.net "$@" \
		"$H/outgoing.sh" "$G" "$REPO" "$_o"
}
if ! mk "$out"; then
	notok "outgoing with a throwaway identity"
	exit 1
fi
commits=$(git -C "$G" rev-list --reverse "base..$head")
commit_of() { echo "$commits" | sed -n "$1p"; }
topics=$(grep -v '^#' "$REPO/patches/topics" | awk 'NF { print $1 }')
check "patches/topics covers the series once, in order" sh -c \
	'grep -v "^#" "$1" | awk "NF { if (\$2 != next_) exit 1; next_ = \$3 + 1 } END { exit next_ - 1 != n }" next_=1 n="$2"' \
	- "$REPO/patches/topics" "$(grep -c . "$REPO/series")"

# unfold MAIL: the mail's header lines, folded ones joined.
unfold() {
	awk '/^$/ { exit } /^[ \t]/ { h = h $0; next } { if (h != "") print h; h = $0 } END { if (h != "") print h }' "$1"
}
cc_lkml() { # every mail of DIR Cc:s LKML, its cover letter has To:
	for _cm in "$1"/*.patch; do
		unfold "$_cm" | grep -q '^Cc: .*linux-kernel@vger.kernel.org' || return 1
	done
	unfold "$1/0000-cover-letter.patch" | grep -q '^To: .*@'
}
trim() { awk 'NF { last = NR } { l[NR] = $0 } END { for (i = 1; i <= last; i++) print l[i] }'; }
# rt MAIL SOURCE: the mail, parsed by git mailinfo, is the mail SOURCE (a
# patch of patches/, which the export check holds equal to its commit, or of
# harness/) after the identity substitution: subject, author, message, diff.
# Says what differs.
rt() {
	_r=$(mktemp -d)
	if ! git mailinfo "$_r/msg" "$_r/patch" < "$1" > "$_r/info" 2>"$_r/err" ||
		! sed "s/$placeholder/$me/g" "$2" | git mailinfo "$_r/wmsg" "$_r/wpatch" > "$_r/winfo" 2>>"$_r/err"; then
		echo "round trip: $1: git mailinfo failed: $(head -n 1 "$_r/err")"
		rm -rf "$_r"
		return 1
	fi
	_s=$(sed -n 's/^Subject: //p' "$_r/info")
	_w=$(sed -n 's/^Subject: //p' "$_r/winfo")
	_a="$(sed -n 's/^Author: //p' "$_r/info") <$(sed -n 's/^Email: //p' "$_r/info")>"
	trim < "$_r/wmsg" > "$_r/want"
	trim < "$_r/msg" > "$_r/got"
	_pg=$(git patch-id --stable < "$_r/patch" | cut -d' ' -f1)
	_pw=$(git patch-id --stable < "$_r/wpatch" | cut -d' ' -f1)
	_rc=0
	[ "$_s" = "$_w" ] || { echo "round trip: $1: subject \"$_s\", the source's \"$_w\""; _rc=1; }
	[ "$_a" = "$me" ] || { echo "round trip: $1: author \"$_a\", not \"$me\""; _rc=1; }
	cmp -s "$_r/got" "$_r/want" || { echo "round trip: $1: message differs from the source's:"; diff "$_r/want" "$_r/got" | head -n 5; _rc=1; }
	[ -n "$_pg" ] && [ "$_pg" = "$_pw" ] || { echo "round trip: $1: diff differs from the source's"; _rc=1; }
	rm -rf "$_r"
	return $_rc
}
# rt_topic DIR FIRST: every patch mail of the topic in DIR round-trips.
rt_topic() {
	_tk=0 _trc=0
	for _tm in "$1"/0*.patch; do
		case $_tm in */0000-cover-letter.patch) continue ;; esac
		rt "$_tm" "$REPO/patches/$(sed -n "$(($2 + _tk))p" "$REPO/series")" || _trc=1
		_tk=$((_tk + 1))
	done
	return $_trc
}

# A sendmail for git send-email: the mails into $MBOX, as sent.
cat > "$t/sendmail" <<'EOF'
#!/bin/sh
{ echo "From outgoing-test Thu Jan  1 00:00:00 1970"; sed 's/^\(>*From \)/>\1/'; echo; } >> "$MBOX"
EOF
chmod +x "$t/sendmail"
send() { # send DIR MBOX: git send-email DIR's mails into MBOX
	(cd "$1" && MBOX=$2 git -c sendemail.confirm=never send-email --from="$me" \
		--smtp-server="$t/sendmail" --to=linux-kernel@vger.kernel.org --suppress-cc=all \
		./*.patch >"$2.log" 2>&1)
}
PATH=/usr/bin:$PATH
am_ok=1
for topic in $topics; do
	set -- $(awk -v t="$topic" '$1 == t { print $2, $3 }' "$REPO/patches/topics")
	first=$1 last=$2 n=$(($2 - $1 + 1))
	d=$out/$topic
	every() { # every PATTERN: each of the n+1 mails has a line matching it
		[ "$(grep -l -- "$1" "$d"/*.patch | wc -l)" = $((n + 1)) ]
	}
	check "$topic: n+1 mails, cover letter first" sh -c '[ "$(ls "$1"/*.patch | wc -l)" = "$2" ] && [ -f "$1/0000-cover-letter.patch" ]' - "$d" $((n + 1))
	check "$topic: every mail is From: the sender" every "^From: $me\$"
	check "$topic: every patch is signed off by the sender" \
		[ "$(grep -l -- "^Signed-off-by: $me\$" "$d"/0*.patch | grep -vc 0000-)" = "$n" ]
	check "$topic: the placeholder identity is gone from every mail" not grep -q 'sysgenid@example.org' "$d"/*.patch
	check "$topic: every mail has Cc: from get_maintainer.pl (LKML among them), the cover letter To:" cc_lkml "$d"
	check "$topic: subjects are [PREFIX k/$n], k from 0 to $n" sh -c \
		'k=0; for m in "$1"/*.patch; do grep -q "^Subject: \[[A-Z][A-Za-z0-9 ]* $k/$2\]" "$m" || exit 1; k=$((k + 1)); done' - "$d" "$n"
	check "$topic: every patch mail parses back (git mailinfo) to its commit" rt_topic "$d" "$first"
	k=0
	for m in "$d"/0*.patch; do
		case $m in */0000-cover-letter.patch) continue ;; esac
		p=$(sed -n "$((first + k))p" "$REPO/series")
		k=$((k + 1))
		ignore=$(awk -v p="$p" '$1 == p && NF >= 3 { printf "%s,", $2 }' "$H/checkpatch-exceptions")
		check "$topic $k/$n: checkpatch --strict clean" sh -c \
			'"$1/scripts/checkpatch.pl" --strict --no-color ${2:+--ignore "$2"} "$3" | grep -q "^total: 0 errors, 0 warnings, 0 checks"' \
			- "$G" "$ignore" "$m"
	done
	check "$topic: git send-email --dry-run accepts the series" sh -c \
		'cd "$1" && git -c sendemail.confirm=never send-email --dry-run --from="$2" \
			--to=linux-kernel@vger.kernel.org --suppress-cc=all ./*.patch >"$1.log" 2>&1 &&
		 [ "$(grep -c "^Result: OK" "$1.log")" = "$3" ]' - "$d" "$me" $((n + 1))
	# As sent: numbered and threaded by send-email, taken by b4 am.
	mb=$t/$topic.mbox
	rm -rf "$t/b4-$topic"
	mkdir -p "$t/b4-$topic"
	if send "$d" "$mb" && [ "$(grep -c '^From outgoing-test ' "$mb")" = $((n + 1)) ] &&
		(cd "$t/b4-$topic" && b4 am -m "$mb" -o . >b4.log 2>&1) && [ -s "$(ls "$t/b4-$topic"/*.mbx 2>/dev/null | head -n 1)" ]; then
		ok "$topic: git send-email's mails taken by b4 am"
	else
		notok "$topic: git send-email's mails taken by b4 am"
		am_ok=0
	fi
done

# tree_is COMMIT: the gate worktree's HEAD is COMMIT's tree after the
# identity substitution (MAINTAINERS, the ABI entry), nothing else.
tree_is() {
	_ok=0
	for _f in $(git -C "$G" diff --name-only "$1" HEAD); do
		git -C "$G" show "$1:$_f" 2>/dev/null | sed "s/$placeholder/$me/g" | cmp -s - "$G/$_f" ||
			{ echo "outgoing: $_f differs from the stack's"; _ok=1; }
	done
	return $_ok
}
# Applied as a maintainer would: each topic with git am onto the base and
# the topics before it (its dependencies, which patches/topics keeps in
# stack order); its tree is the stack's at that point, and it builds
# (tinyconfig + the gate configuration, vmlinux and modules).
if [ $am_ok = 1 ]; then
	git -C "$G" checkout -q --detach base
	cfg "$X" tinyconfig "$CFG/gate.config" || notok "outgoing: configure the build"
	for topic in $topics; do
		last=$(awk -v t="$topic" '$1 == t { print $3 }' "$REPO/patches/topics")
		tfirst=$(awk -v t="$topic" '$1 == t { print $2 }' "$REPO/patches/topics")
		pre=$(git -C "$G" rev-parse HEAD)
		if git -C "$G" -c user.name=am -c user.email=am@example.net am -q "$t/b4-$topic"/*.mbx >>"$log" 2>&1; then
			ok "$topic: b4's mbox applies with git am"
		else
			git -C "$G" am --abort >/dev/null 2>&1 || true
			notok "$topic: b4's mbox applies with git am"
			break
		fi
		check "$topic: applied on the base and its dependencies, the tree is the stack's (identity substituted)" \
			tree_is "$(commit_of "$last")"
		git -C "$G" log --reverse --format='%an <%ae>%n%B%n--' "$pre..HEAD" > "$t/am-$topic.got"
		git -C "$G" log --reverse --format='%an <%ae>%n%B%n--' \
			"$(commit_of "$tfirst")^..$(commit_of "$last")" | sed "s/$placeholder/$me/g" > "$t/am-$topic.want"
		check "$topic: the applied commits have the series' authors and messages" \
			cmp -s "$t/am-$topic.got" "$t/am-$topic.want"
		check "$topic: builds (vmlinux, modules)" kb "$X" vmlinux modules
	done
	git -C "$G" checkout -q --detach "$head"
fi

# The virtio specification proposal: its source is not here (CI has no
# network), so what can be checked without it: each mail parses back to the
# patch in harness/virtio-spec (subject, author, diff), it touches only the
# entropy device's files, every normative section it adds is listed in the
# conformance clauses, and the cover letter names the commit it applies to.
sd=$out/virtio-spec
# src_rt OUTDIR PATCH...: each mail OUTDIR/<name of PATCH> parses back to PATCH.
src_rt() {
	_d=$1
	shift
	for _m in "$@"; do
		rt "$_d/${_m##*/}" "$_m" || return 1
	done
}
spec_rt() { src_rt "$sd" $(ls "$REPO"/harness/virtio-spec/0*.patch | grep -v /0000-); }
check "virtio-spec: every mail parses back to its patch (git mailinfo)" spec_rt
check "virtio-spec: [PATCH k/n] on every mail, To: virtio-comment" sh -c \
	'k=0; for m in "$1"/*.patch; do grep -q "^Subject: \[PATCH $k/" "$m" && grep -q "^To: virtio-comment@lists.linux.dev" "$m" || exit 1; k=$((k + 1)); done' - "$sd"
spec_files() { grep '^diff --git' "$REPO"/harness/virtio-spec/0*.patch | awk '{ print $3 }' | sort -u; }
check "virtio-spec: touches only device-types/entropy/" sh -c '[ -n "$1" ] && ! printf "%s\n" "$1" | grep -v "^a/device-types/entropy/"' - "$(spec_files)"
# conformance KIND: each KINDnormative section the patch adds is referenced
# by a \ref{KINDnormative:...} line it adds.
conformance() {
	grep -h "^+.*\\$1normative{" "$REPO"/harness/virtio-spec/0*.patch | sed 's/.*}{\([^}]*\)}$/\1/' > "$t/labels"
	[ -s "$t/labels" ] || return 1
	while read -r _l; do
		grep -qF "+\\item \\ref{$1normative:$_l}" "$REPO"/harness/virtio-spec/0*.patch || { echo "virtio-spec: $1normative $_l not in the conformance clauses"; return 1; }
	done < "$t/labels"
}
check "virtio-spec: every driver requirement it adds is in the driver conformance clause" conformance driver
check "virtio-spec: every device requirement it adds is in the device conformance clause" conformance device
# Self-test: a requirement section without its conformance line is seen.
mkdir -p "$t/spec-planted"
sed '/^+\\item \\ref{devicenormative:.*Entropy Leaks}/d' "$REPO"/harness/virtio-spec/0001-*.patch > "$t/spec-planted/0001-planted.patch"
planted_conformance() { REPO=$t/spec-planted-repo conformance device; }
mkdir -p "$t/spec-planted-repo/harness/virtio-spec"
cp "$t/spec-planted/0001-planted.patch" "$t/spec-planted-repo/harness/virtio-spec/"
check "self-test: a device requirement missing from the conformance clause is seen" not planted_conformance
check "virtio-spec: the cover letter names the specification commit it applies to" \
	grep -qE 'commit [0-9a-f]{40}' "$sd/0000-cover-letter.patch"

# The QEMU series: its mails parse back to harness/qemu's patches (which the
# qemu stage applies to the QEMU source it builds and runs QEMU's checkpatch
# on), [RFC PATCH k/n] with the cover letter first, qemu-devel in Cc:.
qd=$out/qemu
check "qemu: every patch mail parses back to its patch (git mailinfo)" src_rt "$qd" "$REPO"/harness/qemu/*.patch
check "qemu: the cover letter and [PREFIX k/n] on every mail, Cc: qemu-devel" sh -c \
	'[ -f "$1/0000-cover-letter.patch" ] && n=$(($(ls "$1"/*.patch | wc -l) - 1)) && k=0 &&
	 for m in "$1"/*.patch; do grep -q "^Subject: \[[A-Z][A-Za-z0-9 ]* $k/$n\]" "$m" && grep -q "^Cc: .*qemu-devel@nongnu.org" "$m" || exit 1; k=$((k + 1)); done' - "$qd"
check "qemu: the cover letter names the QEMU it was made against and answers the snapshot/migration question" sh -c \
	'grep -q "QEMU 10.0 source" "$1" && grep -q "snapshot-load=on" "$1" && grep -q "Babis Chalios" "$1"' - "$qd/0000-cover-letter.patch"

# Self-tests of the round trip. The layout the old outgoing made: a Cc:
# header after the first line of a folded subject, which cuts the subject.
m=$(for topic in $topics; do ls "$out/$topic"/0*.patch; done | while read -r f; do
	case $f in */0000-cover-letter.patch) continue ;; esac
	awk '/^Subject: /{ getline; exit !/^ / }' "$f" && echo "$f" && break
done | head -n 1)
topic=${m%/*}
topic=${topic##*/}
k=$(basename "$m" | cut -c1-4 | sed 's/^0*//')
first=$(awk -v t="$topic" '$1 == t { print $2 }' "$REPO/patches/topics")
c=$REPO/patches/$(sed -n "$((first + k - 1))p" "$REPO/series")
awk '/^(To|Cc): / { skip = 1; next } skip && /^ / { next } { skip = 0 }
	/^Subject: / && !done { print; print "Cc: planted@example.net"; done = 1; next } { print }' "$m" > "$t/cut.patch"
check "self-test: round trip passes on the mail as made ($topic $k)" rt "$m" "$c"
cut_fails() { ! rt "$t/cut.patch" "$c" > "$t/cut.why" && grep -q ": subject " "$t/cut.why"; }
check "self-test: a Cc: inside a folded subject fails the round trip on the subject" cut_fails
# A long planted Cc list, folded by outgoing, parses and reaches send-email.
planted=$(seq 1 40 | sed 's/.*/Planted Person & <planted&@example.net>/' | paste -sd, -)
if mk "$out-cc" EXTRA_CC="$planted" >/dev/null; then
	d=$out-cc/sysgenid
	first=$(awk '$1 == "sysgenid" { print $2 }' "$REPO/patches/topics")
	check "self-test: with 40 planted Cc: addresses every mail still parses back" rt_topic "$d" "$first"
	check "self-test: git send-email reads all 40 planted Cc: addresses of every mail" sh -c \
		'cd "$1" && git -c sendemail.confirm=never send-email --dry-run --from="$2" \
			--to=linux-kernel@vger.kernel.org --suppress-cc=body ./*.patch >"$1.log" 2>&1 &&
		 for i in $(seq 1 40); do
			[ "$(grep -c "^(mbox) Adding cc: Planted Person $i <planted$i@example.net> from line" "$1.log")" = "$3" ] || exit 1
		 done' \
		- "$d" "$me" "$(ls "$d"/*.patch | wc -l)"
else
	notok "self-test: outgoing with 40 planted Cc: addresses"
fi
exit $stage_rc
