# Sourced (after snapshot.sh): the restore window, measured. A guest runs
# "snaprng window" (three generators, see harness/guest/snaprng.c) from
# boot through a snapshot; clones restored from it with new guids report
# what each generator handed out after the vCPUs resumed.

# guid_le GUID: the 16 bytes QEMU's vmgenid device stores for GUID, as hex
# (the first three fields little-endian, as the Microsoft spec has it).
guid_le() {
	echo "$1" | tr -d '-' | sed 's/^\(..\)\(..\)\(..\)\(..\)\(..\)\(..\)\(..\)\(..\)/\4\3\2\1\6\5\8\7/'
}

# window_clones DIR SMP N SNAPRNG: boot a guest with SMP vCPUs, snapshot it while
# the generators run, restore N clones (DIR/c1 ... DIR/cN) one after the
# other, each with a new guid, and keep their results. Writes DIR/guids
# (source first). Fails if a step does.
window_clones() {
	_wd=$1 _smp=$2 _wn=$3 _wbin=$4
	mkdir -p "$_wd"
	"$H/initramfs.sh" "$_wd/initrd.cpio" \
		"snaprng window ${WINDOW_CAP:-1000} ${WINDOW_PACE_US:-200} > /dev/ttyS1 2>&1" \
		"$_wbin" || return 1
	_g=$(new_guid)
	echo "$_g" > "$_wd/guids"
	SMP=$_smp vm_start "$_wd/src" "$_g" "$_wd/initrd.cpio"
	if ! wait_for "$_wd/src/results.log" '^WIN READY' 90; then
		echo "window: the source guest ($_smp vCPUs) did not start the generators" >&2
		vm_stop "$_wd/src"
		return 1
	fi
	sleep 1		# the generators run for a while before the snapshot
	snapshot "$_wd/src" "$_wd/snap.bin" || return 1
	vm_stop "$_wd/src"
	_k=1
	while [ $_k -le "$_wn" ]; do
		_g=$(new_guid)
		echo "$_g" >> "$_wd/guids"
		SMP=$_smp restore "$_wd/c$_k" "$_g" "$_wd/initrd.cpio" "$_wd/snap.bin" || return 1
		wait_for "$_wd/c$_k/results.log" '^WIN DONE' 90 ||
			echo "window: clone $_k ($_smp vCPUs) did not finish" >&2
		vm_stop "$_wd/c$_k"
		results "$_wd/c$_k" > "$_wd/c$_k/win"
		_k=$((_k + 1))
	done
	rm -f "$_wd/snap.bin"
}

# win_fact FILE KEY: the value of "WIN KEY value".
win_fact() { sed -n "s/^WIN $2 //p" "$1" | head -n 1; }

# win_gen FILE NAME FIELD: a field (seen, wake, outs) of "GEN NAME ...",
# times in microseconds.
win_gen() {
	awk -v n="$2" -v f="$3" '$1 == "GEN" && $2 == n {
		for (i = 3; i < NF; i += 2) if ($i == f) {
			v = $(i + 1)
			if (f != "outs" && v >= 0) v = sprintf("%.0f", v / 1000)
			print v
		}
	}' "$1"
}

# win_dups A B NAME [SEEN]: how many outputs of generator NAME that clone
# A made after the resume clone B made too; with SEEN (0 or 1), only A's
# outputs made before (0) or after (1) the generator saw the new generation.
win_dups() {
	awk -v n="$3" -v s="${4:-}" '
		FNR == 1 { f++ }
		$1 != "O" || $2 != n { next }
		f == 1 { a[$4] = $3; next }
		($4 in a) && (s == "" || a[$4] == s) { d++; delete a[$4] }
		END { print d + 0 }' "$1" "$2"
}

# win_count FILE NAME [SEEN]: outputs of NAME after the resume (with SEEN:
# made before (0) or after (1) it saw the new generation).
win_count() {
	awk -v n="$2" -v s="${3:-}" '$1 == "O" && $2 == n && (s == "" || $3 == s) { c++ }
		END { print c + 0 }' "$1"
}

min2() { [ "$1" -le "$2" ] && echo "$1" || echo "$2"; }

# win_stats: median, min and max of the numbers on stdin, one per line.
win_stats() {
	sort -n | awk '{ v[NR] = $1 } END {
		if (!NR) { print "- - -"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		print m, v[1], v[NR] }'
}
