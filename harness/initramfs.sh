#!/bin/sh
# Build a busybox initramfs that runs one command and powers off.
# usage: initramfs.sh OUT.cpio CMD [FILE...]
#   FILEs land in /test, the command's working directory. The command's exit
#   status is printed as "@@EXIT n@@" on the console and on /dev/ttyS1, the
#   results channel, which survives a snapshot restore.
set -eu
out=$1 cmd=$2
shift 2
stage=$(mktemp -d)
chmod 755 "$stage"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/sbin" "$stage/proc" "$stage/sys" "$stage/dev" \
	"$stage/tmp" "$stage/test" "$stage/etc" "$stage/root"
bb=$(command -v busybox)
cp "$bb" "$stage/bin/busybox"
for a in $("$bb" --list); do
	[ "$a" = busybox ] || ln -s busybox "$stage/bin/$a"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' > "$stage/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$stage/etc/group"
for f in "$@"; do
	cp -a "$f" "$stage/test/"
done
printf '%s\n' "$cmd" > "$stage/cmd"
cat > "$stage/init" <<'INIT'
#!/bin/busybox sh
export PATH=/bin:/sbin:/test HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t tmpfs tmp /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
stty -F /dev/ttyS1 raw -echo 2>/dev/null
cd /test
sh /cmd
rc=$?
echo "@@EXIT $rc@@"
echo "@@EXIT $rc@@" > /dev/ttyS1
reboot -f
INIT
chmod +x "$stage/init"
(cd "$stage" && find . | cpio -o -H newc --quiet) > "$out"
