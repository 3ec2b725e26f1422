#!/bin/sh
# all nine SYSGENID/VMGENID y/m/n pairs and ACPI=n, PTP_1588_CLOCK_VMCLOCK=y
# and =m without vmgenid, HW_RANDOM_VIRTIO=y with SYSGENID=y, =m and =n:
# neither vmgenid nor virtio-rng refers to sysgenid, random.c has the VM
# fork event exactly when vmgenid, ptp_vmclock or virtio-rng is configured,
# sysgenid subscribes then, ptp_vmclock and virtio-rng register restore
# sources; a built-in virtio-rng with a modular sysgenid stays built in;
# that m/m links is the debug stage's check (its kernel is that
# configuration)
. "$H/gate.sh"
beside
# matrix SYSGENID VMGENID ACPI [VMCLOCK [HW_RANDOM_VIRTIO]]: gate.config,
# overridden by a fragment for the combination (the survival check keeps
# each override honest).
matrix() {
	_f=$X/matrix.config
	_c=${4:-n} _r=${5:-n}
	_kvs="SYSGENID=$1 VMGENID=$2 ACPI=$3 PTP_1588_CLOCK_VMCLOCK=$_c HW_RANDOM_VIRTIO=$_r"
	[ "$_c" != n ] && _kvs="$_kvs NET=y POSIX_TIMERS=y PTP_1588_CLOCK=y"
	for _kv in $_kvs; do
		case $_kv in
		*=n) echo "# CONFIG_${_kv%=n} is not set" ;;
		*) echo "CONFIG_$_kv" ;;
		esac
	done > "$_f"
	[ "$1" = n ] && echo "# CONFIG_SYSGENID_KUNIT_TEST is not set" >> "$_f"
	cfg "$X" tinyconfig "$CFG/gate.config" "$_f" || return 1
	# One make for the row (each make spends about 5 s before it compiles).
	_t="drivers/misc/ drivers/virt/ drivers/char/random.o"
	[ "$_c" != n ] && _t="$_t drivers/ptp/"
	[ "$_r" != n ] && _t="$_t drivers/char/hw_random/virtio-rng.o"
	kb "$X" $_t || return 1
	[ "$2" != n ] && { nm "$X/drivers/virt/vmgenid.o" | grep -q sysgenid && return 1; }
	if [ "$_c" != n ]; then
		nm "$X/drivers/ptp/ptp_vmclock.o" | grep -q 'U register_random_vmfork_source$' ||
			return 1
	fi
	if [ "$_r" != n ]; then
		nm "$X/drivers/char/hw_random/virtio-rng.o" | grep -q sysgenid && return 1
		nm "$X/drivers/char/hw_random/virtio-rng.o" | grep -q 'U register_random_vmfork_source$' ||
			return 1
	fi
	_fork=0
	[ "$2" != n ] || [ "$_c" != n ] || [ "$_r" != n ] && _fork=1
	if [ $_fork = 1 ]; then
		nm "$X/drivers/char/random.o" | grep -q ' T random_vmfork_notify$' || return 1
	else
		! nm "$X/drivers/char/random.o" | grep -q random_vmfork || return 1
	fi
	if [ "$1" != n ]; then
		_u=$(nm "$X/drivers/misc/sysgenid.o" | grep -c 'U register_random_vmfork_notifier$')
		[ "$_u" = $_fork ] || return 1
	fi
	return 0
}
for p in "y n" "y m" "y y" "m n" "m m" "m y" "n y" "n m" "n n"; do
	set -- $p
	check "Kconfig matrix: SYSGENID=$1 VMGENID=$2" matrix "$1" "$2" y
done
check "Kconfig matrix: SYSGENID=y VMGENID=y ACPI=n" matrix y y n
# vmclock alone provides the VM fork event (its driver selects it).
check "Kconfig matrix: SYSGENID=y VMGENID=n PTP_1588_CLOCK_VMCLOCK=y" matrix y n y y
check "Kconfig matrix: SYSGENID=m VMGENID=n PTP_1588_CLOCK_VMCLOCK=m" matrix m n y m
# virtio-rng alone provides it too, with sysgenid built in, modular or not
# there (the survival check keeps HW_RANDOM_VIRTIO=y).
check "Kconfig matrix: SYSGENID=y VMGENID=n HW_RANDOM_VIRTIO=y" matrix y n y n y
check "Kconfig matrix: SYSGENID=m VMGENID=n HW_RANDOM_VIRTIO=y" matrix m n y n y
check "Kconfig matrix: SYSGENID=n VMGENID=n HW_RANDOM_VIRTIO=y" matrix n n y n y
# That m/m links (vmlinux and modules, modpost resolving the VM fork
# symbols) is the debug stage's check: its kernel is that configuration.
# The survival check must be able to say no: a line no configuration of
# the matrix has.
echo '# CONFIG_VIRT_DRIVERS is not set' > "$X/planted.config"
check "self-test: the survival check reports a lost option" \
	not "$H/kconfig-check.sh" "$G" "$X" "$X/planted.config" 2>>"$log"
exit $stage_rc
