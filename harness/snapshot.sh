# Sourced: run guests in the background, snapshot and restore them over QMP.
# Needs VMLINUX; every guest gets a directory with console.log (ttyS0),
# results.log (ttyS1, the channel that survives a restore), cmd.sock (ttyS2,
# lines from the host: vm_say) and qmp.sock.

# vm_start DIR GUID INITRD [INCOMING]: start VMLINUX in the background with
# a vmgenid device, or none if GUID is "-", and VM_DEVICES (more QEMU
# arguments; qemu.sh: VMM, SMP, MEM, APPEND, default no "quiet").
vm_start() {
	_d=$1 _g=$2 _i=$3 _in=${4:-}
	mkdir -p "$_d"
	rm -f "$_d/console.log" "$_d/results.log" "$_d/qmp.sock" "$_d/cmd.sock"
	# shellcheck disable=SC2086 # VM_DEVICES is a list of words
	set -- ${VM_DEVICES:-}
	[ "$_g" != - ] && set -- "$@" -device "vmgenid,id=vmgenid0,guid=$_g"
	[ -n "$_in" ] && set -- "$@" -incoming "exec:cat $_in"
	CONSOLE=file APPEND=${APPEND:-} "$H/qemu.sh" "$_d" "$VMLINUX" "$_i" "$@" \
		</dev/null >"$_d/qemu.log" 2>&1 &
	echo $! > "$_d/pid"
	_n=0
	while [ ! -S "$_d/qmp.sock" ] && [ $_n -lt 100 ]; do sleep 0.1; _n=$((_n + 1)); done
}

# qmp DIR COMMAND-JSON...: run QMP commands, print the replies.
qmp() {
	_s=$1/qmp.sock
	shift
	{
		echo '{"execute":"qmp_capabilities"}'
		for _c in "$@"; do echo "$_c"; done
		sleep 0.3
	} | socat -t 2 - "UNIX-CONNECT:$_s" 2>/dev/null
}

# wait_for FILE PATTERN SECONDS: wait until a line of FILE matches.
wait_for() {
	_end=$(( $(date +%s) + $3 ))
	while [ "$(date +%s)" -le $_end ]; do
		tr -d '\r' < "$1" 2>/dev/null | grep -q -- "$2" && return 0
		sleep 0.2
	done
	return 1
}

# wait_migrated DIR SECONDS: wait until the migration of DIR's guest is done.
wait_migrated() {
	_end=$(( $(date +%s) + $2 ))
	while [ "$(date +%s)" -le $_end ]; do
		_r=$(qmp "$1" '{"execute":"query-migrate"}')
		case $_r in
		*'"status": "completed"'*) return 0 ;;
		*'"status": "failed"'*) echo "migration failed: $_r" >&2; return 1 ;;
		esac
		sleep 0.3
	done
	echo "migration of $1 did not complete in $2 s" >&2
	return 1
}

# snapshot DIR FILE: stop the guest and save its state to FILE.
snapshot() {
	rm -f "$2"
	qmp "$1" '{"execute":"stop"}' \
		"{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"exec:cat > $2\"}}" >/dev/null
	wait_migrated "$1" 120
}

# restore DIR GUID INITRD FILE: start a clone from FILE with GUID, running.
restore() {
	vm_start "$1" "$2" "$3" "$4"
	wait_migrated "$1" 120 || return 1
	qmp "$1" '{"execute":"cont"}' >/dev/null
}

# vm_stop DIR: end a guest.
vm_stop() {
	[ -f "$1/pid" ] || return 0
	qmp "$1" '{"execute":"quit"}' >/dev/null 2>&1
	_p=$(cat "$1/pid")
	_n=0
	while kill -0 "$_p" 2>/dev/null && [ $_n -lt 30 ]; do sleep 0.1; _n=$((_n + 1)); done
	kill -9 "$_p" 2>/dev/null
	rm -f "$1/pid"
}

# vm_say DIR LINE: send a line to the guest's /dev/ttyS2.
vm_say() { printf '%s\n' "$2" | socat -t 1 - "UNIX-CONNECT:$1/cmd.sock" >/dev/null; }

new_guid() { cat /proc/sys/kernel/random/uuid; }

# results DIR: the guest's results channel without CRs.
results() { tr -d '\r' < "$1/results.log" 2>/dev/null; }
