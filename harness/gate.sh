# Sourced by the gate stages (60-71): the checks a maintainer runs before
# taking the series. They check the committed series (make mutate commits
# a mutant for them) in a worktree of the work tree's HEAD,
# $BUILD/linux-gate, so that the guest build is not touched. x86 builds
# are ARCH=x86_64 (64-bit without a config line for it).
. "$H/lib.sh"
. "$H/env.sh"
G=$BUILD/linux-gate
X=$BUILD/gate-x86
CFG=$H/config
mkdir -p "$X"
jobs=$(nproc)
log=$BUILD/gate-$STAGE_NAME.log
: > "$log"
if [ ! -e "$G/.git" ]; then
	git -C "$TREE" worktree prune
	git -C "$TREE" worktree add -q --detach "$G" HEAD || { notok "gate worktree"; exit 1; }
fi
head=$(git -C "$TREE" rev-parse HEAD)
git -C "$G" checkout -q --detach "$head" || { notok "gate worktree at HEAD"; exit 1; }

# kb OBJ [make args...]: kbuild in the gate worktree (x86_64 unless ARCH
# says otherwise).
kb() {
	_o=$1
	shift
	make -C "$G" O="$_o" ARCH="${ARCH:-x86_64}" -j"$jobs" CC="$KCC" HOSTCC="$KHOSTCC" "$@" >>"$log" 2>&1
}
# cfg OBJ BASE FRAGMENT...: configure OBJ as BASE + the fragment files,
# with the harness's one configuration step (build-kernel.sh: every line
# must survive olddefconfig).
cfg() {
	_o=$1
	shift
	ARCH=${ARCH:-x86_64} QUIET=1 "$H/build-kernel.sh" "$G" "$_o" "$@" -- >>"$log" 2>&1
}
# The kernel objects a commit range touches.
objs_of() {
	git -C "$G" diff --name-only "$1" "$2" -- 'drivers/*.c' 'lib/*.c' | sed 's/\.c$/.o/'
}
all_objs=$(objs_of base "$head")
srcs=$(git -C "$G" diff --name-only base "$head" -- 'drivers/*.c' 'drivers/*.h' 'include/*.h')

# clang (LLVM=1) and sparse run in the tool root (harness/toolroot.sh):
# the host's clang is older than the kernel's minimum LLVM, and its sparse
# too old for the kernel, which would skip it with only a make warning.
# The gate worktree and $CL are bound into the root at the same paths.
CL=$BUILD/gate-clang
# rmake ARGS...: make in the gate worktree inside the tool root, O=$CL.
rmake() {
	CCACHE_DIR=/var/cache/ccache "$H/toolroot.sh" "$CACHE" run "$G" "$CL" -- \
		make -C "$G" O="$CL" ARCH=x86_64 LLVM=1 CC="ccache clang" HOSTCC="ccache clang" -j"$jobs" "$@"
}
# rcfg: configure $CL as tinyconfig + gate.config with build-kernel.sh,
# run in the root.
rcfg() {
	mkdir -p "$CL" "$CACHE/kconfig"
	"$H/toolroot.sh" "$CACHE" >>"$log" 2>&1 || { tail -n 5 "$log"; return 1; }
	"$H/toolroot.sh" "$CACHE" run "$G" "$CL" "$H" "$CACHE/kconfig" -- env LLVM=1 ARCH=x86_64 QUIET=1 \
		CCACHE_DIR=/var/cache/ccache CACHE="$CACHE" \
		"$H/build-kernel.sh" "$G" "$CL" tinyconfig "$CFG/gate.config" -- >>"$log" 2>&1
}
