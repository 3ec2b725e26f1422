#!/bin/sh
# Show that the tests can fail: break one line of the series in the work
# tree, run the stages that must catch it, and put the line back.
#   make mutate [MUTANTS="name ..."]
# Each mutant is: name | file | sed expression | stages to run | the test
# that must catch it. The file is in the kernel work tree, or, when it
# starts with harness/, in this repository (the QEMU device patches: the
# qemu stage rebuilds QEMU with the mutant). The stages run through check.sh with STAGES= (as
# make check STAGES=... would); the mutant is CAUGHT only if the named
# test (a fixed string) is among their failures ("not ok" lines and the
# [FAILED]/[CRASHED] lines of KTAP results), else MISSED. The gate stages
# (those that source harness/gate.sh) check the committed series, so for
# them the mutant is committed on top of the work tree's HEAD for the run
# and taken out again afterwards.
set -u
H=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$H")
export H REPO

mutants='
close-keeps-outdated|drivers/misc/sysgenid.c|/^static bool sysgenid_untrack_locked/,/^}/{/WRITE_ONCE(st->outdated, st->outdated - 1);/d}|kunit kselftest|wait_released_by_close
page-after-wake|drivers/misc/sysgenid.c|/^static u32 sysgenid_state_move/,/^}/{/^\t\tif (st->page)$/{N;d};s/^\twake_up_all(\&st->outdated_wq);$/&\n\tif (st->page)\n\t\tWRITE_ONCE(*st->page, gen);/}|kunit|sysgenid_page_before_wake
int-min-gen|drivers/misc/sysgenid.c|s/u32 next = max(cur + 1, min_gen);/u32 next = (int)(cur + 1) > (int)min_gen ? cur + 1 : min_gen;/|kunit kselftest|trigger_min_gen_high_and_wrap
einval-for-unknown-ioctl|drivers/misc/sysgenid.c|s/return -ENOTTY;/return -EINVAL;/|kselftest|unknown_ioctls
mprotect-can-write|drivers/misc/sysgenid.c|/^\tvma_desc_clear_flags(desc, VMA_MAYWRITE_BIT);$/d|kselftest|mprotect_to_writable_refused
no-compat-ioctl|drivers/misc/sysgenid.c|/\.compat_ioctl\t= sysgenid_ioctl,/d|kselftest|trigger_adds_one
userns-may-trigger|drivers/misc/sysgenid.c|s/checkpoint_restore_ns_capable(&init_user_ns)/checkpoint_restore_ns_capable(current_user_ns())/|kselftest|trigger_refused_in_user_namespace
trigger-sys-admin-only|drivers/misc/sysgenid.c|s/if (!checkpoint_restore_ns_capable(\&init_user_ns))/if (!capable(CAP_SYS_ADMIN))/|kselftest|trigger_with_cap_checkpoint_restore_alone
root-only-node|drivers/misc/sysgenid.c|s/\.mode\t= 0666,/.mode\t= 0600,/|kselftest|node_is_world_accessible
wait-ignores-self|drivers/misc/sysgenid.c|/^VISIBLE_IF_KUNIT int sysgenid_wait_verdict/,/^}/{/^\tif (w->acked != st->seq)$/{N;d}}|kunit kselftest|sysgenid_wait_verdicts
wait-eintr-for-self|drivers/misc/sysgenid.c|s/^\t\treturn -ESTALE;$/\t\treturn -EINTR;/|kunit kselftest|wait_caller_outdated
wait-never-restarts|drivers/misc/sysgenid.c|s/return forever ? -ERESTARTSYS : -EINTR;/return -EINTR;/|kselftest|wait_restarted_after_sa_restart_handler
sign-extension-refused|drivers/misc/sysgenid.c|s/if (arg > U32_MAX \&\& (long)arg != (s32)arg)/if (arg > U32_MAX)/|kunit kselftest|sign_extended_arguments_are_u32
track-read-only-file|drivers/misc/sysgenid.c|/^\tif (on \&\& !(file->f_mode \& FMODE_WRITE))$/{N;d}|kselftest|tracking_needs_a_writable_file
track-needs-privilege|drivers/misc/sysgenid.c|s/^\tif (on > 1)$/\tif (on \&\& !capable(CAP_SYS_ADMIN))\n\t\treturn -EPERM;\n&/|kselftest|unprivileged_watcher_tracks_polls_reads_acks
no-fdinfo|drivers/misc/sysgenid.c|/^\t\.show_fdinfo\t= sysgenid_show_fdinfo,$/d|kselftest|fdinfo_shows_the_watcher
no-uevent|drivers/misc/sysgenid.c|/^\tkobject_uevent_env(\&dev->kobj, KOBJ_CHANGE, envp);$/d|kselftest|trigger_sends_a_change_uevent
mapping-not-inherited|drivers/misc/sysgenid.c|s/^\tvma_desc_clear_flags(desc, VMA_MAYWRITE_BIT);$/&\n\tvma_desc_set_flags(desc, VMA_DONTCOPY_BIT);/|kselftest|mmap_shared_with_a_forked_child
memcg-not-charged|drivers/misc/sysgenid.c|s/kzalloc_obj(\*f, GFP_KERNEL_ACCOUNT)/kzalloc_obj(*f, GFP_KERNEL)/|kselftest|open_is_charged_to_the_openers_memcg
dt-irq-in-hard-irq|drivers/virt/vmgenid.c|s/devm_request_threaded_irq(&pdev->dev, ret, NULL,/devm_request_irq(\&pdev->dev, ret,/;s/IRQF_SHARED . IRQF_ONESHOT, "vmgenid",/IRQF_SHARED, "vmgenid",/|devicetree|devicetree: no splat in the arm64 guest kernel log
no-vmfork-subscription|drivers/misc/sysgenid.c|s/^\tret = register_random_vmfork_notifier(&sd->vmfork_nb);$/\tret = 0;/|vmgenid-restore|clone a: the generation changed
wait-after-ignored|tools/sysgenid/sysgenid.c|s/^\tif (have_after) {$/\tif (0 \&\& have_after) {/|vmgenid-restore|agent with --after 0 returns 0 at generation 1
vmgenid-reports-unchanged-id|drivers/virt/vmgenid.c|/^\tif (!memcmp(old_id, state->this_id, sizeof(old_id)))$/{N;d}|vmgenid-restore|clone c: same guid, generation stays 0 (last tick)
vmclock-does-not-report|drivers/ptp/ptp_vmclock.c|s/^\tif (vmclock_has_vm_gen(st)) {$/\tif (0) {/|sources-restore|vmclock: restore 1: generation moved by exactly 1 (and the counter to 1)
both-devices-bump-twice|drivers/char/random.c|s/^\t\tdue = vmfork_pending;$/\t\tdue = true;/|sources-restore|leak-vmgenid: restore 1: generation moved by exactly 1
vmgenid-update-always-true|drivers/virt/vmgenid.c|/^static bool vmgenid_update/,/^}/s/^\t\treturn false;$/\t\treturn true;/|vmgenid-restore|clone c: same guid, generation stays 0 (last tick)
leak-no-copy|harness/qemu/0004-virtio-rng-implement-the-entropy-leak-queues.patch|s/^+        len = iov_from_buf(/+        len = out ? 0 : iov_from_buf(/|restore-window|leak: getrandom: no output shared by any two clones from the first after the resume
leak-no-rearm|drivers/char/hw_random/virtio-rng.c|/^static void virtrng_leak_work/,/^}/{s/^\t\terr = virtrng_leak_arm(leak, q);$/\t\terr = 0;/}|sources-restore|leak: restore 3: generation moved by exactly 1
slot-two-not-ahead|drivers/misc/sysgenid.c|s/WRITE_ONCE(st->slot\[st->lead ^ 1\], gen + 2);/WRITE_ONCE(st->slot[st->lead ^ 1], gen + 1);/|kunit|sysgenid_two_restores_one_bump
leak-not-offered|harness/qemu/0004-virtio-rng-implement-the-entropy-leak-queues.patch|s/^+        virtio_add_feature(&f, VIRTIO_RNG_F_LEAK);$/+        (void)vrng;/|sources-restore|leak: virtio-rng bound, VIRTIO_RNG_F_LEAK negotiated
leak-property-renamed|harness/qemu/0004-virtio-rng-implement-the-entropy-leak-queues.patch|s/DEFINE_PROP_BOOL("leak", /DEFINE_PROP_BOOL("leaky", /|qemu|virtio-rng has the leak property
rng-word-unchecked|drivers/char/random.c|/^static void crng_make_state(/,/^}/{/^\tcrng_check_restore();$/d}|restore-window|leak: fifo-page: the SCHED_FIFO client took no key another clone took
batch-unchecked|drivers/char/random.c|/^\tcrng_check_restore();\t*\\$/d|restore-window|leak-held: fifo-kernel: no output shared by any two clones from the first after the resume
page-ahead-of-rng|drivers/char/hw_random/virtio-rng.c|s/^\terr = virtqueue_add_sgs_premapped(vq, sgs, 1, 1, \&leak->sh->stage\[q\],$/\terr = 0;\n\tif (0) virtqueue_add_sgs_premapped(vq, sgs, 1, 1, \&leak->sh->stage[q],/|restore-window|leak-held-page: fifo-page: the SCHED_FIFO client took no key another clone took
wait-after-from-page|tools/sysgenid/sysgenid.c|s/^\tret = kernel_gen(fd) != before;$/\tret = *(volatile uint32_t *)mmap(NULL, 4, PROT_READ, MAP_SHARED, fd, 0) != before;/|sources-restore|leak: restore 1: ... and only after the slow tracked watcher acknowledged
library-pattern-blocks|tools/testing/selftests/sysgenid/sysgenid_test.c|s/return open_dev(O_RDWR . O_NONBLOCK);/return open_dev(O_RDWR);/|kselftest|shared_watcher_threads_never_block
leak-cpu-write-unsynced|drivers/char/hw_random/virtio-rng.c|s/^\t\tleak->sh = dma_alloc_coherent(leak->dma_dev, sizeof(\*leak->sh),$/\t\tleak->sh = kzalloc_obj(*leak->sh);\n\t\tleak->sh_addr = dma_map_single(leak->dma_dev, leak->sh, sizeof(*leak->sh), DMA_BIDIRECTIONAL);\n\t\tif (0) dma_alloc_coherent(leak->dma_dev, sizeof(*leak->sh),/|restore-window|leak-dma: fifo-getrandom: no output shared by any two clones from the first after the resume
one-leak-queue-armed|drivers/char/hw_random/virtio-rng.c|s/^\t\terr = virtrng_leak_arm(vi->leak, 0) ?:$/\t\terr = virtrng_leak_arm(vi->leak, 0);/;/^\t\t      virtrng_leak_arm(vi->leak, 1);$/d|restore-window|leak-chain: generation and page 2 in every clone after the restore
virtio-rng-depends-on-sysgenid|drivers/char/hw_random/Kconfig|s/^\tdepends on VIRTIO$/&\n\tdepends on SYSGENID \o174\o174 !SYSGENID/|kconfig-matrix|Kconfig matrix: SYSGENID=m VMGENID=n HW_RANDOM_VIRTIO=y
sleep-in-bump|drivers/misc/sysgenid.c|/^VISIBLE_IF_KUNIT u32 sysgenid_state_bump/,/^{/{s/^{/{\n\tmight_sleep();/}|debug|no splat in the debug guest
outgoing-cc-cuts-subject|harness/outgoing.sh|s#hdr \&\& /^From: / { print;#hdr \&\& /^Subject: / { print;#|outgoing|every patch mail parses back (git mailinfo) to its commit
sparse-not-static|drivers/misc/sysgenid.c|s/^static bool sysgenid_wait_done(/bool sysgenid_wait_done(/|sparse|sparse C=2
missing-prototype|drivers/misc/sysgenid.c|s/^static bool sysgenid_wait_done(/bool sysgenid_wait_done(/|w1|gcc W=1
kernel-doc-param|drivers/misc/sysgenid.c|s/^ \* @min_gen:\tthe lowest acceptable result$/ * @min:\tthe lowest acceptable result/|kernel-doc|kernel-doc -Wall
clang-self-assign|drivers/misc/sysgenid.c|s/^\t\t\tw->tracked = true;$/\t\t\ton = on;/|clang|clang W=1
sparse-user-cast|drivers/misc/sysgenid.c|s/copy_from_user(\&gen, ubuf, sizeof(gen))/copy_from_user(\&gen, (const char *)ubuf, sizeof(gen))/|sparse|sparse C=2
cocci-bool-conversion|drivers/misc/sysgenid.c|s/^\treturn w->acked != st->seq;$/\treturn w->acked != st->seq ? true : false;/|coccinelle|coccinelle: reports
vmgenid-no-select|drivers/virt/Kconfig|/^\tselect RANDOM_VMFORK$/d|kconfig-matrix|Kconfig matrix: SYSGENID=y VMGENID=y
only-64-bit|drivers/misc/sysgenid.c|/^static int __init sysgenid_init/,/^}/s/^\tsd->st.page = (u32 \*)get_zeroed_page/\tBUILD_BUG_ON(sizeof(long) != 8);\n\n&/|i386|i386: touched objects build
uapi-not-cplusplus|include/uapi/linux/sysgenid.h|s/^#endif \/\* _UAPI_LINUX_SYSGENID_H \*\/$/_Static_assert(sizeof(__u32) == 4, "u32");\n\n&/|uapi|uapi header compiles alone in C++
doc-example-warning|Documentation/misc-devices/sysgenid.rst|0,/^          int fd = open("\/dev\/sysgenid", O_RDONLY);$/s//&\n          int unused;/|uapi|documentation example
doc-title-underline|Documentation/misc-devices/sysgenid.rst|s/^poll(), select(), epoll$/poll(), select(), epoll and friends/|docs|htmldocs SPHINXDIRS=misc-devices
'

want=${MUTANTS:-$(printf '%s\n' "$mutants" | cut -d'|' -f1 | grep .)}
sum=
# An interrupted run must not leave a mutant in the tree or on top of it.
cur_file= cur_committed=
undo() {
	[ -n "$cur_committed" ] && git -C "$TREE" reset -q HEAD~1
	[ -n "$cur_file" ] && cp "$BUILD/mutate.orig" "$cur_file"
	cur_file= cur_committed=
}
trap 'undo; exit 130' INT TERM HUP
if ! git -C "$TREE" diff --quiet HEAD; then
	echo "mutate: the work tree has uncommitted changes; commit or stash them first" >&2
	exit 2
fi
# The unmutated tree must pass every stage the chosen mutants name.
base_stages=$(for m in $want; do printf '%s\n' "$mutants" | grep "^$m|" | cut -d'|' -f4; done |
	tr ' ' '\n' | grep . | sort -u)
echo "== baseline: $(echo $base_stages) on the unmutated tree"
# run LOG STAGE...: the stages through check.sh, output in LOG.
run() {
	_log=$1
	shift
	STAGES="$*" RESULTS=$BUILD/mutate-results STRESS_SECONDS=${STRESS_SECONDS:-20} \
		"$H/check.sh" > "$_log" 2>&1
}
run "$BUILD/mutate.baseline.log" $base_stages ||
	{ echo "mutate: the baseline fails on the unmutated tree ($BUILD/mutate.baseline.log):" \
		"nothing to show" >&2; exit 2; }
for m in $want; do
	line=$(printf '%s\n' "$mutants" | grep "^$m|") || { echo "mutate: no mutant $m" >&2; exit 2; }
	file=$(printf '%s\n' "$line" | cut -d'|' -f2)
	expr=$(printf '%s\n' "$line" | cut -d'|' -f3)
	stages=$(printf '%s\n' "$line" | cut -d'|' -f4)
	test=$(printf '%s\n' "$line" | cut -d'|' -f5)
	path=$TREE/$file
	case $file in harness/*) path=$REPO/$file ;; esac
	cp "$path" "$BUILD/mutate.orig"
	cur_file=$path
	sed -i "$expr" "$path"
	if cmp -s "$path" "$BUILD/mutate.orig"; then
		echo "mutate: $m did not change $file" >&2
		sum="$sum
$m: NOT APPLIED"
		continue
	fi
	echo "== mutant $m: $(diff "$BUILD/mutate.orig" "$path" | grep '^[<>]' | head -n 4 | tr '\n' ' ')"
	for st in $stages; do
		[ "$path" = "$TREE/$file" ] || break
		if grep -q 'harness/gate.sh\|"\$H/gate.sh"' "$H"/stages/[0-9][0-9]-"$st".sh; then
			git -C "$TREE" commit -q -m "mutant: $m" -- "$file" && cur_committed=1
			break
		fi
	done
	fails=$BUILD/mutate.failures
	run "$BUILD/mutate.$m.log" $stages
	grep -E '^not ok|\[(FAILED|CRASHED)\] ' "$BUILD/mutate.$m.log" | sed 's/^\[[0-9:]*\] //' > "$fails"
	caught=
	grep -qF -- "$test" "$fails" && caught="$test"
	undo
	if [ -n "$caught" ]; then
		sum="$sum
$m: CAUGHT by $caught"
	else
		sum="$sum
$m: MISSED: \"$test\" not among the failures of $stages ($(wc -l < "$fails") failures: $(head -n 2 "$fails" | tr '\n' ';'))"
	fi
done
# Leave the guest kernel, the payload and (after a QEMU mutant) the
# patched QEMU built from the unmutated sources.
final="guest-kernel payload"
for m in $want; do
	case $(printf '%s\n' "$mutants" | grep "^$m|" | cut -d'|' -f2) in
	harness/qemu/*) final="$final qemu" ;;
	esac
done
run "$BUILD/mutate.final.log" $final
echo "== mutation summary$sum"
! printf '%s\n' "$sum" | grep -q 'MISSED\|NOT APPLIED'
