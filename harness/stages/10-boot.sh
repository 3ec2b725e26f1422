#!/bin/sh
# the runner: output, exit status, static host binary, timeout
. "$H/lib.sh"
need_guest
mkdir -p "$VMDIR"

vm 'cat /proc/version'
check "guest boots and runs a command" grep -q "^Linux version" "$VMDIR/console.log"

vm 'exit 3'
check "guest command's exit status comes back (3)" [ $? = 3 ]

printf '#include <stdio.h>\nint main(void) { puts("hello from the host"); return 7; }\n' > "$VMDIR/hello.c"
cc -static -O2 -o "$VMDIR/hello" "$VMDIR/hello.c"
vm ./hello "$VMDIR/hello"
rc=$?
check "static host binary runs in the guest (exit 7)" [ $rc = 7 ]
check "its output reaches the console" grep -q "hello from the host" "$VMDIR/console.log"

TIMEOUT=20 vm 'sleep 1000'
check "a guest that never ends is killed (124)" [ $? = 124 ]
exit $stage_rc
