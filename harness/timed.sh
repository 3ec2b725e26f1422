#!/bin/sh
# Run a command, printing its name and how long it took: wall and CPU
# seconds (user + system of the processes it waited for).
# usage: timed.sh NAME CMD...
# env: DONE  a file: "EXIT-STATUS WALL CPU" go there (check.sh's stages),
#            and the closing line is left to the caller
name=$1
shift
t0=$(date +%s)
echo "== $name"
"$@"
rc=$?
dt=$(( $(date +%s) - t0 ))
# times (in this shell, not a pipe's subshell): the shell's own, then its
# children's user and system time, as 1m2.34s
t=$(mktemp)
times > "$t"
cpu=$(awk 'NR == 2 { gsub(/[ms]/, " "); printf "%d", $1 * 60 + $2 + $3 * 60 + $4 + 0.5 }' "$t")
rm -f "$t"
if [ -n "${DONE:-}" ]; then
	echo "$rc $dt $cpu" > "$DONE"
else
	echo "== $name: $( [ $rc = 0 ] && echo ok || echo "FAILED ($rc)") in ${dt}s, CPU ${cpu}s"
fi
exit $rc
