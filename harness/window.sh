# Sourced (after snapshot.sh): the restore window, measured. A guest runs
# harness/guest/window-scenario.sh, which starts "snaprng window" (the
# generators, see harness/guest/snaprng.c) at boot; it is snapshotted while
# they run, and clones restored from the snapshot report what each
# generator handed out after the vCPUs resumed.

# guid_le GUID: the 16 bytes QEMU's vmgenid device stores for GUID, as hex
# (the first three fields little-endian, as the Microsoft spec has it).
guid_le() {
	echo "$1" | tr -d '-' | sed 's/^\(..\)\(..\)\(..\)\(..\)\(..\)\(..\)\(..\)\(..\)/\4\3\2\1\6\5\8\7/'
}

# window_initrd DIR WORDS...: the run's initramfs, with what the guest needs.
window_initrd() {
	_wd=$1
	shift
	mkdir -p "$_wd"
	"$H/initramfs.sh" "$_wd/initrd.cpio" "sh ./window-scenario.sh $*" \
		"$H/guest/window-scenario.sh" "$P/bin/snaprng" "$P/bin/sysgenid" "$P/bin/rngprobe.ko"
}

# window_source DIR SMP READY...: boot the source guest and snapshot it to
# DIR/snap.bin once its results show every READY (patterns) and the
# generators ran for a second. Writes the guid to DIR/guids.
window_source() {
	_wd=$1 _ws=$2
	shift 2
	_wg=$(new_guid)
	echo "$_wg" > "$_wd/guids"
	SMP=$_ws vm_start "$_wd/src" "$_wg" "$_wd/initrd.cpio"
	for _wr; do
		wait_for "$_wd/src/results.log" "$_wr" 120 && continue
		echo "window: the source guest ($_ws vCPUs) did not get to '$_wr'" >&2
		vm_stop "$_wd/src"
		return 1
	done
	set -- "$_wd"
	sleep 1		# the generators run for a while before the snapshot
	snapshot "$1/src" "$1/snap.bin" || return 1
	vm_stop "$1/src"
	results "$1/src" > "$1/src/win"
}

# window_clone DIR NAME SMP SNAP RELEASE: restore a clone of SNAP with a new
# guid as DIR/NAME; with RELEASE (milliseconds), tell the guest after that
# long that the held notification may go through. Waits for its last line.
window_clone() {
	_wg=$(new_guid)
	echo "$_wg" >> "$1/guids"
	SMP=$3 restore "$1/$2" "$_wg" "$1/initrd.cpio" "$4" || return 1
	if [ -n "$5" ]; then
		sleep "$(echo "$5" | awk '{ print $1 / 1000 }')"
		vm_say "$1/$2" release
	fi
	wait_for "$1/$2/results.log" '^SCENARIO generation' 120 ||
		echo "window: clone $2 ($3 vCPUs) did not finish" >&2
	vm_stop "$1/$2"
	results "$1/$2" > "$1/$2/win"
}

# win_fact FILE KEY: the value of "WIN KEY value".
win_fact() { sed -n "s/^WIN $2 //p" "$1" | head -n 1; }

# win_last FILE: the clone's last "SCENARIO generation G page P", as "G P".
win_last() { sed -n 's/^SCENARIO generation \([0-9]*\) page \([0-9]*\)$/\1 \2/p' "$1" | tail -n 1; }

# win_table RUN FILE...: one row per generator over the clones' files:
# run, generator, outputs after the resume, of them made before the
# generator saw the change (inside the window), outputs another clone made
# too, of those inside the window, of those after it, time of the last
# shared output (us after the resume, -1: none), keys taken after the
# resume, keys another clone took too. Tab-separated.
win_table() {
	_run=$1
	shift
	awk -v run="$_run" '
		FNR == 1 { f++ }
		$1 == "O" {
			n++; G[n] = $2; S[n] = $3; T[n] = $4; V[n] = $5
			k = $2 SUBSEP $5
			if (!((k, f) in in_file)) { in_file[k, f] = 1; files[k]++ }
			gens[$2] = 1
		}
		$1 == "K" {
			m++; KG[m] = $2; KV[m] = $4
			k = $2 SUBSEP $4
			if (!((k, f) in kin_file)) { kin_file[k, f] = 1; kfiles[k]++ }
			gens[$2] = 1
		}
		END {
			for (i = 1; i <= n; i++) {
				g = G[i]; outs[g]++
				if (S[i] == 0) inside[g]++
				if (files[g, V[i]] < 2) continue
				shared[g]++
				if (S[i] == 0) sh_in[g]++; else sh_after[g]++
				if (!(g in last) || T[i] > last[g]) last[g] = T[i]
			}
			for (i = 1; i <= m; i++) {
				keys[KG[i]]++
				if (kfiles[KG[i], KV[i]] > 1) kshared[KG[i]]++
			}
			for (g in gens)
				printf "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\t%d\t%d\n", run, g, outs[g],
				       inside[g], shared[g], sh_in[g], sh_after[g],
				       (g in last) ? last[g] : -1, keys[g], kshared[g]
		}' "$@" | sort -t "$(printf '\t')" -k2,2
}

# win_col TSV RUN GEN COLUMN: one figure of win_table's output (columns as
# numbered there, from 3: outputs, inside, shared, shared inside, shared
# after, last shared, keys, keys shared); empty if the generator did not run.
win_col() { awk -F '\t' -v r="$2" -v g="$3" -v c="$4" '$1 == r && $2 == g { print $c }' "$1"; }

# win_cell RUN GEN (with tsv set): one cell of win_matrix.
win_cell() {
	awk -F '\t' -v r="$1" -v g="$2" '$1 == r && $2 == g {
		printf "%d/%d", $5, $3; if ($8 >= 0) printf " %.0fms", $8 / 1000; f = 1 }
		END { if (!f) printf "-" }' "$tsv"
}

# win_matrix TSV WIDTH RUN...: the table of win_table rows side by side,
# a generator per line, a run per column: "shared/outputs" and the time of
# the last shared output in ms; "-" where the generator did not run.
win_matrix() {
	_wt=$1 _ww=$2
	shift 2
	printf '  %-15s' ""
	for _wr; do printf " %-${_ww}s" "$_wr"; done
	echo
	for _wgen in getrandom vdso uuid kernel page fifo-page fifo-getrandom fifo-kernel vmclock thread naive; do
		grep -q "	$_wgen	" "$_wt" 2>/dev/null || continue
		printf '  %-15s' "$_wgen"
		for _wr; do printf " %-${_ww}s" "$(tsv=$_wt win_cell "$_wr" "$_wgen")"; done
		echo
	done
}

# win_stats: median, min and max of the numbers on stdin, one per line.
win_stats() {
	sort -n | awk '{ v[NR] = $1 } END {
		if (!NR) { print "- - -"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		print m, v[1], v[NR] }'
}
