#!/bin/sh
# make demo: snapshot a running guest with a vmgenid device, restore clones,
# and show what /dev/sysgenid does in each.
set -u
H=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$H")
RESULTS=$BUILD/demo-results
export H REPO RESULTS
mkdir -p "$RESULTS"
rm -f "$RESULTS"/*
t0=$(date +%s)
GUEST_OK=0 sh "$H/stages/30-vmgenid-restore.sh"
rc=$?
echo "demo: $( [ $rc = 0 ] && echo "every step succeeded" || echo "FAILED") in $(( $(date +%s) - t0 ))s"
exit $rc
