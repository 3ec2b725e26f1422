#!/bin/sh
# The checks a maintainer runs before taking the series, on a worktree of
# the work tree ($BUILD/linux-gate) so that the guest build is not touched:
# bisectability, sparse, W=1, kernel-doc, coccinelle, a Kconfig/arch build
# matrix, the uapi header, the documentation and its examples, and the
# sending tools. Every check counts; each prints its time.
#
# GATES="sparse clang ..." runs only the named groups: bisect w1 clang
# sparse kernel-doc coccinelle matrix allnoconfig cross uapi docs sending.
. "$H/lib.sh"
. "$H/env.sh"
G=$BUILD/linux-gate
jobs=$(nproc)
step_t0=$(date +%s)
want() { [ -z "${GATES:-}" ] || case " $GATES " in *" $1 "*) ;; *) return 1 ;; esac; }
step() { echo "-- $* ($(( $(date +%s) - step_t0 ))s since the last step)"; step_t0=$(date +%s); }
log=$BUILD/gates.log
: > "$log"

if [ ! -d "$G/.git" ] && [ ! -f "$G/.git" ]; then
	git -C "$TREE" worktree prune
	git -C "$TREE" worktree add -q --detach "$G" HEAD || { notok "gate worktree"; exit 1; }
fi
head=$(git -C "$TREE" rev-parse HEAD)
commits=$(git -C "$TREE" rev-list --reverse base..HEAD)
step "worktree"

# kbuild: kb OBJ [make args...], in the gate worktree.
kb() {
	_o=$1
	shift
	make -C "$G" O="$_o" -j"$jobs" CC="$KCC" "$@" >>"$log" 2>&1
}
# cfg OBJ BASE FRAGMENT-LINES: configure OBJ as BASE + the given lines.
cfg() {
	_o=$1 _b=$2
	mkdir -p "$_o"
	printf '%s\n' "$3" > "$_o/gate.fragment"
	kb "$_o" -s "$_b" &&
	KCONFIG_CONFIG=$_o/.config "$G/scripts/kconfig/merge_config.sh" -m -O "$_o" \
		"$_o/.config" "$_o/gate.fragment" >>"$log" 2>&1 &&
	kb "$_o" -s olddefconfig
}
# has_cfg OBJ LINE: the configuration kept LINE.
has_cfg() { grep -qxF "$2" "$1/.config"; }
objs_of() { # the kernel objects a commit (or the whole series) touches
	git -C "$G" diff --name-only "$1" "$2" -- 'drivers/*.c' 'lib/*.c' | sed 's/\.c$/.o/'
}

X=$BUILD/gate-x86
common_frag="CONFIG_MODULES=y
CONFIG_MODULE_UNLOAD=y
CONFIG_PCI=y
CONFIG_VIRT_DRIVERS=y
CONFIG_KUNIT=y"
base_frag="$common_frag
CONFIG_64BIT=y
CONFIG_ACPI=y
CONFIG_SYSGENID=y
CONFIG_SYSGENID_KUNIT_TEST=m
CONFIG_VMGENID=y"

# 1. Bisectability: every patch builds on its own: the kernel objects it
#    touches, and the uapi header, selftests and tool when it touches them.
if want bisect; then
	prev=base
	for c in $commits; do
		subj=$(git -C "$G" log -1 --format=%s "$c")
		git -C "$G" checkout -q --detach "$c"
		objs=$(objs_of "$prev" "$c")
		ok=1
		cfg "$X" tinyconfig "$base_frag" || ok=0
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
	step "bisect"
fi
git -C "$G" checkout -q --detach "$head"
all_objs=$(objs_of base "$head")
srcs=$(git -C "$G" diff --name-only base "$head" -- 'drivers/*.c' 'drivers/*.h' 'include/*.h')

# 2. gcc W=1 on the touched objects: no warning at all.
if want w1; then
	cfg "$X" tinyconfig "$base_frag"
	out=$(make -C "$G" O="$X" -j"$jobs" CC="$KCC" W=1 $all_objs 2>&1 >/dev/null)
	echo "$out" >> "$log"
	if [ -z "$(printf '%s\n' "$out" | grep -E 'warning|error')" ]; then
		ok "gcc W=1: no warnings in $(echo $all_objs | wc -w) objects"
	else
		printf '%s\n' "$out" | grep -E 'warning|error'
		notok "gcc W=1"
	fi
	step "gcc W=1"
fi

# 3. clang W=1 (LLVM=1, Debian's clang/lld) and sparse C=2, in the tool
#    root (harness/toolroot.sh): the host's clang is older than the
#    kernel's minimum LLVM, and its sparse too old for the kernel, which
#    would skip it with only a make warning. The gate worktree and the
#    object directory are bound into the root at the same paths.
CL=$BUILD/gate-clang
# rmake ARGS...: make in the gate worktree inside the tool root, O=$CL.
rmake() {
	CCACHE_DIR=/var/cache/ccache "$H/toolroot.sh" "$CACHE" run "$G" "$CL" -- \
		make -C "$G" O="$CL" LLVM=1 CC="ccache clang" -j"$jobs" "$@"
}
# rcfg: configure $CL as tinyconfig + the base fragment, in the root;
# once per run, for the clang and the sparse checks.
rcfg_done=
rcfg() {
	[ -z "$rcfg_done" ] || return 0
	mkdir -p "$CL"
	printf '%s\n' "$base_frag" > "$CL/gate.fragment"
	"$H/toolroot.sh" "$CACHE" >>"$log" 2>&1 || { tail -n 5 "$log"; return 1; }
	rmake -s tinyconfig >>"$log" 2>&1 &&
	"$H/toolroot.sh" "$CACHE" run "$G" "$CL" -- env KCONFIG_CONFIG="$CL/.config" \
		"$G/scripts/kconfig/merge_config.sh" -m -O "$CL" "$CL/.config" "$CL/gate.fragment" \
		>>"$log" 2>&1 &&
	rmake -s olddefconfig >>"$log" 2>&1 &&
	grep -q '^CONFIG_SYSGENID=y' "$CL/.config" && rcfg_done=1
}
# The lines the series adds or changes, as path:line of the head tree.
series_lines() {
	git -C "$G" diff -U0 base "$head" | awk '
		/^\+\+\+ b\// { f = substr($0, 7) }
		/^@@/ { split($3, a, ","); s = substr(a[1], 2); n = (a[2] == "" ? 1 : a[2])
			for (i = 0; i < n; i++) print f ":" (s + i) }'
}
if want clang; then
	need=$("$G/scripts/min-tool-version.sh" llvm)
	if rcfg; then
		have=$("$H/toolroot.sh" "$CACHE" run -- clang -dumpversion)
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
	step "clang"
fi
# sparse: every touched C file checked (C=2 checks even up-to-date
# objects); a warning on a line of the series fails, warnings that the
# base tree already had on untouched lines are listed in the log only.
if want sparse; then
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
	step "sparse"
fi

# 4. kernel-doc on every touched source and header.
if want kernel-doc; then
	out=$(cd "$G" && scripts/kernel-doc -none -Wall $srcs 2>&1)
	if [ -z "$out" ]; then ok "kernel-doc -Wall: clean"; else echo "$out"; notok "kernel-doc -Wall"; fi
	step "kernel-doc"
fi

# 5. coccinelle: every semantic patch of scripts/coccinelle in report mode,
#    as scripts/coccicheck runs them (its "// Options:" lines), on the
#    touched sources; scripts without a report mode do not apply. Scripts
#    with OCaml parts need an OCaml compiler that
#    Debian's spatch does not bring; they are listed and skipped.
if want coccinelle; then
	# spatch reads the generated headers of the x86 object directory.
	[ -f "$X/include/generated/autoconf.h" ] ||
		{ cfg "$X" tinyconfig "$base_frag" && kb "$X" prepare; }
	ccinc="-I $G/arch/x86/include -I $X/arch/x86/include/generated -I $G/include -I $X/include
-I $G/arch/x86/include/uapi -I $X/arch/x86/include/generated/uapi -I $G/include/uapi
-I $X/include/generated/uapi --include $G/include/linux/compiler-version.h
--include $G/include/linux/kconfig.h"
	csrcs=$(git -C "$G" diff --name-only base "$head" -- 'drivers/*.c' | sed "s|^|$G/|")
	out= nc=0 nsk=0
	for c in $(find "$G/scripts/coccinelle" -name '*.cocci' | sort); do
		# Like scripts/coccicheck: only scripts that have a report mode.
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
	step "coccinelle"
fi

# 6. Kconfig matrix (x86_64): every SYSGENID/VMGENID pair is allowed and
#    builds drivers/misc, drivers/virt and random.c; vmgenid never refers
#    to sysgenid; random.c has the VM fork event exactly when vmgenid is
#    configured; sysgenid subscribes to it then (a stub otherwise).
if want matrix; then
	matrix() { # matrix SYSGENID VMGENID ACPI
		_f="$common_frag
CONFIG_64BIT=y"
		for _kv in SYSGENID=$1 VMGENID=$2 ACPI=$3; do
			case $_kv in
			*=n) _f="$_f
# CONFIG_${_kv%=n} is not set" ;;
			*) _f="$_f
CONFIG_$_kv" ;;
			esac
		done
		[ "$1" = n ] || _f="$_f
CONFIG_SYSGENID_KUNIT_TEST=m"
		cfg "$X" tinyconfig "$_f" || return 1
		for l in $(printf '%s\n' "$_f" | grep '^CONFIG_\(SYSGENID\|VMGENID\|ACPI\)='); do
			has_cfg "$X" "$l" || { echo "config lost $l" >&2; return 1; }
		done
		kb "$X" drivers/misc/ drivers/virt/ drivers/char/random.o || return 1
		if [ "$2" != n ]; then
			! nm "$X/drivers/virt/vmgenid.o" | grep -q sysgenid || return 1
			nm "$X/drivers/char/random.o" | grep -q ' T add_vmfork_randomness$' || return 1
		else
			! nm "$X/drivers/char/random.o" | grep -q add_vmfork_randomness || return 1
		fi
		if [ "$1" != n ]; then
			_u=$(nm "$X/drivers/misc/sysgenid.o" | grep -c 'U register_random_vmfork_notifier$')
			[ "$_u" = "$( [ "$2" = n ] && echo 0 || echo 1)" ] || return 1
		fi
		return 0
	}
	for p in "y n" "y m" "y y" "m n" "m m" "m y" "n y" "n m" "n n"; do
		set -- $p
		check "Kconfig matrix: SYSGENID=$1 VMGENID=$2" matrix "$1" "$2" y
	done
	check "Kconfig matrix: SYSGENID=y VMGENID=y ACPI=n" matrix y y n
	step "matrix"
	# The modules link: modpost resolves the VM fork symbols for m/m.
	cfg "$X" tinyconfig "$(printf '%s\n' "$base_frag" | sed 's/SYSGENID=y/SYSGENID=m/; s/VMGENID=y/VMGENID=m/')"
	check "SYSGENID=m VMGENID=m: vmlinux and modules link" kb "$X" vmlinux modules
	step "modules link"
fi

# 7. allnoconfig still configures and builds the touched directories.
if want allnoconfig; then
	AN=$BUILD/gate-allno
	check "allnoconfig builds" sh -c "mkdir -p '$AN' && make -C '$G' O='$AN' -s allnoconfig >>'$log' 2>&1 &&
		make -C '$G' O='$AN' -j$jobs CC='$KCC' drivers/misc/ drivers/virt/ >>'$log' 2>&1"
	step "allnoconfig"
fi

# 8. Other architectures: i386 and arm64 (cross) build the touched objects.
# cross NAME ARCH CROSS_COMPILE FRAGMENT: configure and build the objects.
if want cross; then
	cross() {
		_o=$BUILD/gate-$1
		mkdir -p "$_o"
		printf '%s\n' "$4" > "$_o/gate.fragment"
		make -C "$G" O="$_o" ARCH="$2" CROSS_COMPILE="$3" -s tinyconfig >>"$log" 2>&1 &&
		KCONFIG_CONFIG=$_o/.config ARCH=$2 "$G/scripts/kconfig/merge_config.sh" -m -O "$_o" \
			"$_o/.config" "$_o/gate.fragment" >>"$log" 2>&1 &&
		make -C "$G" O="$_o" ARCH="$2" CROSS_COMPILE="$3" -s olddefconfig >>"$log" 2>&1 &&
		grep -q '^CONFIG_SYSGENID=y' "$_o/.config" &&
		make -C "$G" O="$_o" ARCH="$2" CROSS_COMPILE="$3" -j"$jobs" \
			CC="ccache ${3}gcc" $all_objs >>"$log" 2>&1
	}
	check "i386: touched objects build" cross i386 i386 "" "$common_frag
CONFIG_ACPI=y
CONFIG_SYSGENID=y
CONFIG_SYSGENID_KUNIT_TEST=m
CONFIG_VMGENID=y"
	check "arm64 (cross, devicetree): touched objects build" cross arm64 arm64 aarch64-linux-gnu- \
		"$common_frag
CONFIG_OF=y
CONFIG_SYSGENID=y
CONFIG_SYSGENID_KUNIT_TEST=m
CONFIG_VMGENID=y"
	step "i386, arm64"
fi

# 9. The uapi header alone, in C and C++; the documentation's examples.
if want uapi; then
	cfg "$X" tinyconfig "$base_frag" && kb "$X" -s headers_install
	inc=$X/usr/include
	hdr_test='#include <linux/sysgenid.h>
int main(void) { return SYSGENID_TRIGGER_GEN_UPDATE == SYSGENID_WAIT_WATCHERS; }'
	check "uapi header compiles alone in C" sh -c "printf '%s\n' '$hdr_test' |
		gcc -x c -std=c99 -Wall -Wextra -Werror -isystem '$inc' -o /dev/null -"
	check "uapi header compiles alone in C++" sh -c "printf '%s\n' '$hdr_test' |
		g++ -x c++ -Wall -Wextra -Werror -isystem '$inc' -o /dev/null -"
	ex=$BUILD/doc-examples
	rm -rf "$ex"
	mkdir -p "$ex"
	# Literal blocks ("::" then an indented block) that hold a whole program.
	awk -v dir="$ex" '
		function flush() { if (buf ~ /int main/) { n++; f = dir "/example" n ".c"; printf "%s", buf > f; close(f) } buf = "" }
		inblk && /^[^ \t]/ && $0 != "" { flush(); inblk = 0 }
		inblk { sub(/^  /, ""); buf = buf $0 "\n" }
		/::$/ { flush(); inblk = 1 }
		END { flush() }' "$G/Documentation/misc-devices/sysgenid.rst"
	nex=0
	for f in "$ex"/example*.c; do
		[ -f "$f" ] || continue
		nex=$((nex + 1))
		check "documentation example $(basename "$f") compiles with -Wall -Werror" \
			gcc -O2 -Wall -Werror -isystem "$inc" -o "${f%.c}" "$f"
	done
	[ $nex -ge 4 ] || notok "documentation: expected at least 4 example programs, found $nex"
	step "headers, examples"
fi

# 10. The documentation builds with Sphinx without warnings; the index and
#     ioctl-number entries exist.
if want docs; then
	D=$BUILD/gate-docs
	out=$(make -C "$G" O="$D" SPHINXDIRS=misc-devices htmldocs 2>&1)
	echo "$out" >> "$log"
	w=$(printf '%s\n' "$out" | grep -iE 'warning|error' | grep -i 'sysgenid' )
	if [ -z "$w" ] && [ -f "$D/Documentation/output/misc-devices/sysgenid.html" ]; then
		ok "htmldocs SPHINXDIRS=misc-devices: sysgenid.html, no warnings"
	else
		printf '%s\n' "$out" | grep -iE 'warning|error' | head -20
		notok "htmldocs SPHINXDIRS=misc-devices"
	fi
	check "misc-devices index lists sysgenid" grep -qx '   sysgenid' "$G/Documentation/misc-devices/index.rst"
	check "ioctl-number.rst lists 0xE4" grep -q '^0xE4 .*uapi/linux/sysgenid.h' \
		"$G/Documentation/userspace-api/ioctl/ioctl-number.rst"
	step "htmldocs"
fi

# 11. Sending: get_maintainer names the entry; the cover letter has the
#     history (the mails themselves: stages/45-outgoing.sh).
if want sending; then
	check "get_maintainer.pl names the SYSTEM GENERATION ID entry" sh -c \
		"cd '$G' && scripts/get_maintainer.pl --no-git --no-git-fallback '$REPO'/patches/000[1-9]*.patch | grep -q 'sysgenid@example.org'"
	check "cover letter has the history, the changes since v6 and the review answers" sh -c \
		"grep -q '^History' '$REPO/patches/0000-cover-letter.patch' &&
		grep -q '^Changes since v6' '$REPO/patches/0000-cover-letter.patch' &&
		grep -q '^Review comments' '$REPO/patches/0000-cover-letter.patch'"
	step "sending"
fi
exit $stage_rc
