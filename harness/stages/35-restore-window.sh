#!/bin/sh
# what two clones of one snapshot hand out after the resume, measured per
# source of restores and per generator: the kernel's (`getrandom()`, vDSO
# `getrandom()`, `/proc/sys/kernel/random/uuid`, `get_random_u64()` through
# the harness's test module), a client of sysgenid's page that reseeds from
# `getrandom()` the moment it moves (and one on vmclock's page), a `read()`
# thread and a naive one; the resume instant is the hypervisor's write of
# the VM Generation ID, read through `/dev/mem` (checked against the guid
# QEMU was given), in every run, with vmgenid's driver unbound where
# another device is the source. Runs (config as data, below): vmgenid alone
# (no output shared once the kernel handled the restore); vmgenid held back
# (GPE masked until the host lets it through: `getrandom()` outputs shared
# until then, none after); the virtio-rng leak device alone and with
# vmgenid, 20 restores each (no output shared by any two of the 20 clones,
# from the first after the resume, for every generator; the page moved
# before the first output; generation +1, and +3 after two TRIGGERs, the
# page never back), held back (MSI-X masked), across a devices' suspend
# cycle, through `iommu_platform=on` and `swiotlb=force` (the kernel's
# generators share nothing, the first random bytes asked for after the
# resume included; the vDSO's and the page's are measured), and a
# snapshot of a clone taken right after its restore, its device's interrupt
# held (caught: generation 2; whether that clone had handled its restore
# is reported); a spinning SCHED_FIFO client on one vCPU takes no key another clone
# took; vmclock with `-cpu max`, without RDRAND/RDSEED and under `-icount`
# (measured; under `-icount` without RDRAND the clones' CRNGs stay the same
# after the reseed, asserted as the documentation says); 2-vCPU runs of
# vmgenid and leak+vmgenid. Writes
# `window.tsv` for `make demo`
#
# window.tsv: one row per run and generator, as win_table prints it (see
# harness/window.sh): run, generator, outputs after the resume, inside the
# window, shared with another clone (all, inside, after), time of the last
# shared output (us), keys taken after the resume, keys shared.
. "$H/lib.sh"
. "$H/snapshot.sh"
. "$H/window.sh"

# The counting helpers must be able to say no: known input, known answers.
t=$VMDIR/selftest
mkdir -p "$t"
printf 'O page 0 5 aaaa\nO page 0 9 bbbb\nO page 1 12 cccc\nO naive 0 3 dddd\nK page 11 1111\n' > "$t/a"
printf 'O page 0 4 aaaa\nO page 1 8 bbbb\nO page 1 13 eeee\nO naive 0 3 ffff\nK page 10 2222\n' > "$t/b"
printf 'O page 1 6 eeee\nK page 9 2222\n' > "$t/c"
win_table self "$t/a" "$t/b" "$t/c" > "$t/tsv"
check "self-test: win_table counts outputs, the window and what another clone made too" \
	[ "$(win_col "$t/tsv" self page 3)/$(win_col "$t/tsv" self page 4)/$(win_col "$t/tsv" self page 5)" = 7/3/6 ]
check "self-test: win_table splits the shared outputs at the change and dates the last one" \
	[ "$(win_col "$t/tsv" self page 6)/$(win_col "$t/tsv" self page 7)/$(win_col "$t/tsv" self page 8)" = 3/3/13 ]
check "self-test: win_table finds nothing shared where the outputs differ" \
	[ "$(win_col "$t/tsv" self naive 5)/$(win_col "$t/tsv" self naive 8)" = 0/-1 ]
check "self-test: win_table counts keys that two of three clones took" \
	[ "$(win_col "$t/tsv" self page 9)/$(win_col "$t/tsv" self page 10)" = 3/2 ]
check "self-test: guid_le stores the first three fields little-endian" \
	[ "$(guid_le 00112233-4455-6677-8899-aabbccddeeff)" = 33221100554477668899aabbccddeeff ]
check "self-test: win_stats gives median, min, max" [ "$(printf '5\n1\n9\n' | win_stats)" = "5 1 9" ]
# none N D: N > 0 outputs, none of them (D) shared. some: at least one.
none() { [ "$1" -gt 0 ] && [ "$2" = 0 ]; }
some() { [ "$1" -gt 0 ]; }
check "self-test: none rejects one shared output" not none 3 1
check "self-test: none rejects an empty run" not none 0 0
check "self-test: some rejects zero" not some 0

need_guest
need_qemu
trap 'for d in "$VMDIR"/*/*/; do vm_stop "$d"; done' EXIT
: > "$VMDIR/window.tsv"
leak='-device virtio-rng-pci,leak=on,snapshot-load=on'
# run | vCPUs | VMM | CPU | extra QEMU arguments | clones | release after (ms) | what the guest does | what is asserted
runs="vmgenid|1|debian|max||2||fifo-page|window
vmgenid-held|1|debian|max||2|1500|hold=gpe fifo-rng|held
vmgenid-held-page|1|debian|max||2|1500|hold=gpe fifo-page|held
leak|1|patched|max|$leak|${WINDOW_LEAK_RESTORES:-20}||unbind triggers=2 pagelog fifo-page|zero
leak+vmgenid|1|patched|max|$leak|${WINDOW_LEAK_RESTORES:-20}||fifo-rng|zero
leak-held|1|patched|max|$leak|2|1500|unbind hold=msix fifo-rng|zero
leak-held-page|1|patched|max|$leak|2|1500|unbind hold=msix fifo-page|zero
leak-pm|1|patched|max|$leak|2||unbind pm fifo-rng|zero
leak-dma|1|patched|max|$leak,disable-legacy=on,iommu_platform=on|3||unbind triggers=2 pagelog fifo-rng|dma
leak-chain|1|patched|max|$leak|2|1000|unbind hold=msix stopped|chain
vmclock|1|patched|max|-device vmclock,snapshot-load=on|2||unbind|report
vmclock-nordrand|1|patched|max,rdrand=off,rdseed=off|-device vmclock,snapshot-load=on|2||unbind|report
vmclock-icount|1|patched|max,rdrand=off,rdseed=off|-device vmclock,snapshot-load=on -icount shift=5,sleep=off|2||unbind|same
vmgenid-2|2|debian|max||2|||window
leak+vmgenid-2|2|patched|max|$leak|5|||zero"
# WINDOW_RUNS: only these runs (make mutate, by hand).
if [ -n "${WINDOW_RUNS:-}" ]; then
	runs=$(echo "$runs" | while IFS='|' read -r r rest; do
		case " $WINDOW_RUNS " in *" $r "*) echo "$r|$rest" ;; esac
	done)
fi
echo "$runs" > "$VMDIR/runs"
while IFS='|' read -r run smp vmm cpu args n release words kind <&4; do
	d=$VMDIR/$run
	rm -rf "$d"
	export VMM=$vmm CPU=$cpu VM_DEVICES=$args MEM=256
	APPEND=
	[ $kind = dma ] && APPEND=swiotlb=force
	export APPEND
	window_initrd "$d" $words || { notok "$run: initramfs"; continue; }
	ready=
	case $words in *stopped*) ready='^SCENARIO stopped' ;; *hold=*) ready='^SCENARIO held' ;; esac
	if ! window_source "$d" "$smp" '^WIN READY' $ready; then
		notok "$run: boot, snapshot with the generators running"
		continue
	fi
	snap=$d/snap.bin names=
	if [ $kind = chain ]; then
		# A clone snapshotted at once, before it handled its restore
		# (the device's interrupt held, the generators stopped).
		_wg=$(new_guid)
		echo "$_wg" >> "$d/guids"
		SMP=$smp restore "$d/c0" "$_wg" "$d/initrd.cpio" "$snap" &&
			snapshot "$d/c0" "$d/snap2.bin" ||
			{ notok "$run: snapshot of a clone right after its restore"; continue; }
		vm_stop "$d/c0"
		snap=$d/snap2.bin
	fi
	k=1
	while [ $k -le "$n" ]; do
		window_clone "$d" c$k "$smp" "$snap" "$release"
		names="$names $d/c$k/win"
		k=$((k + 1))
	done
	rm -f "$d"/snap*.bin
	ok "$run: boot, snapshot with the generators running, restore $n clones"
	g0=$(sed -n 1p "$d/guids")
	check "$run: ground truth: the address in the SSDT holds the guid QEMU was given" \
		[ "$(win_fact "$d/src/win" guid)" = "$(guid_le "$g0")" ]
	# shellcheck disable=SC2086 # the clones' files
	win_table "$run" $names > "$d/tsv"
	cat "$d/tsv" >> "$VMDIR/window.tsv"
	# The expected generation after the restore: one more than before
	# it, +2 for a clone of a clone.
	before=$(sed -n 's/^SCENARIO generation \([0-9]*\) page .*/\1/p' "$d/src/win" | head -n 1)
	want=$((before + 1))
	[ $kind = chain ] && want=$((before + 2))
	bad= nogt= back= off=1
	[ $kind = chain ] && off=2
	k=1
	while [ $k -le "$n" ]; do
		w=$d/c$k/win
		[ "$(win_fact "$w" after)" = "$(guid_le "$(sed -n "$((k + off))p" "$d/guids")")" ] ||
			nogt="$nogt $k"
		[ "$(win_last "$w")" = "$want $want" ] || bad="$bad $k:$(win_last "$w" | tr ' ' /)"
		grep -q '^PAGE .*BACK' "$w" && back="$back $k"
		k=$((k + 1))
	done
	check "$run: ground truth: each clone's new guid is in guest memory${nogt:+ (not in:$nogt)}" [ -z "$nogt" ]
	check "$run: generation and page $want in every clone after the restore${bad:+ (clone:generation/page$bad)}" [ -z "$bad" ]
	case $words in *pagelog*)
		check "$run: the page never moved back in any clone${back:+ (back in$back)}" [ -z "$back" ] ;;
	esac
	col() { win_col "$d/tsv" "$run" "$1" "$2"; }
	gens=$(cut -f2 "$d/tsv" | tr '\n' ' ')
	case $kind in
	window | held)
		check "$run: naive generator: every output after the resume made by another clone too" \
			[ "$(col naive 3)" -gt 0 -a "$(col naive 5)" = "$(col naive 3)" ]
		for g in $gens; do
			# fifo-rng makes its outputs at once after the resume.
			case $g in naive | fifo-getrandom | fifo-kernel) continue ;; esac
			check "$run: $g: no output shared once it saw the kernel handle the restore ($(( $(col $g 3) - $(col $g 4) )) outputs)" \
				none $(( $(col $g 3) - $(col $g 4) )) "$(col $g 7)"
		done
		;;
	zero | chain)
		for g in $gens; do
			case $g in
			naive) ;;
			thread)	# it learns from read(), after the kernel's chain
				check "$run: $g: no output shared once it saw the kernel handle the restore ($(( $(col $g 3) - $(col $g 4) )) outputs)" \
					none $(( $(col $g 3) - $(col $g 4) )) "$(col $g 7)" ;;
			*)
				check "$run: $g: no output shared by any two clones from the first after the resume ($(col $g 3) outputs)" \
					none "$(col $g 3)" "$(col $g 5)" ;;
			esac
		done
		check "$run: page: no output after the resume made with the old generation (the device moved the page first)" \
			[ "$(col page 3)" -gt 0 -a "$(col page 4)" = 0 ]
		;;
	dma)
		for g in fifo-kernel fifo-getrandom getrandom uuid kernel; do
			check "$run: $g: no output shared by any two clones from the first after the resume ($(col $g 3) outputs)" \
				none "$(col $g 3)" "$(col $g 5)"
		done
		;;
	esac
	case $words in *fifo-page*)
		check "$run: fifo-page: the SCHED_FIFO client took no key another clone took ($(col fifo-page 9) keys)" \
			none "$(col fifo-page 9)" "$(col fifo-page 10)" ;;
	esac
	if [ $kind = same ]; then
		# What the documentation says of vmclock alone: the counter is
		# the same in every clone, and without RDSEED/RDRAND and with
		# cycle counters in step nothing else tells the clones apart.
		check "$run: getrandom() outputs after the reseed shared by the clones (vmclock's counter carries no entropy; $(col getrandom 7) of $(( $(col getrandom 3) - $(col getrandom 4) )))" \
			some "$(col getrandom 7)"
	fi
	if [ $kind = held ]; then
		case $words in *fifo-rng*)
			check "$run: contrast: the first getrandom() outputs after the resume, shared while the notification was held ($(col fifo-getrandom 6) of $(col fifo-getrandom 4))" \
				some "$(col fifo-getrandom 6)"
			check "$run: contrast: the first get_random_u64() outputs, shared while it was held ($(col fifo-kernel 6) of $(col fifo-kernel 4))" \
				some "$(col fifo-kernel 6)" ;;
		esac
		check "$run: contrast: the page client made outputs inside the window ($(col page 4))" \
			some "$(col page 4)"
	fi
	if [ $kind = chain ]; then
		echo "# $run: reseeds logged in the clones: $(sed -n 's/^SCENARIO reseeds //p' $names | tr '\n' ' ')" \
			"(1: the first clone had not handled its restore when it was snapshotted, 2: it had)"
	fi
	while IFS="$(printf '\t')" read -r _ g o i s si sa last keys ks; do
		echo "# $run: $g: $o outputs after the resume, $i inside the window, $s shared" \
			"($si inside, $sa after), last shared at $last us; keys $keys, $ks shared"
	done < "$d/tsv"
done 4<<EOF
$runs
EOF
exit $stage_rc
