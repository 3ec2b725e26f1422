#!/bin/sh
# Run a command, printing its name and how long it took.
# usage: timed.sh NAME CMD...
name=$1
shift
t0=$(date +%s)
echo "== $name"
"$@"
rc=$?
echo "== $name: $( [ $rc = 0 ] && echo ok || echo "FAILED ($rc)") in $(( $(date +%s) - t0 ))s"
exit $rc
