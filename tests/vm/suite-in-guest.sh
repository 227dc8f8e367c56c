#!/bin/bash
# Run by run-suite.sh INSIDE the guest: the lane's own checks (unless
# VM_CHECK=0), then the suite given as arguments. A broken lane would make the
# suite's results lie, so it stops the run with one failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)

if [ "${VM_CHECK:-1}" != 0 ]; then
	out=$(env -u LEEWARD "$here/guest-check.sh" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# vm-check: /'
	if [ $rc != 0 ]; then
		echo "# the VM lane itself is broken (tests/vm/guest-check.sh); not running the suite"
		echo "0 passed, 1 failed"
		exit 1
	fi
fi
exec "$@"
