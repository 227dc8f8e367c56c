#!/bin/bash
# The VM lane: run the integration suite (tests/run-integration.sh) inside a
# pure cgroup v2 VM (see tests/vm/README.md).
#
#   tests/vm/run-suite.sh [FILE.bats...]
#
# Builds what is needed on the host (leeward via make unless VM_NO_BUILD=1,
# the kernel cache, the initrd), boots the VM, checks the lane itself
# (guest-check.sh: pure v2, all controllers, no hidden initramfs mounts, ...;
# VM_CHECK=0 skips it), then runs the suite with LEEWARD_VM=1. Exit status and
# the closing "N passed, N failed" line are the suite's.
# Knobs: VM_SUITE_TIMEOUT (seconds, default 4800), and those of run.sh.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export LEEWARD=${LEEWARD:-$repo/build/leeward}

fail() {
	echo "vm/run-suite: $*" >&2
	echo "0 passed, 1 failed"
	exit 1
}

if [ "${VM_NO_BUILD:-0}" != 1 ]; then
	make -s -C "$repo" all >&2 || fail "make failed"
fi
kdir=$("$here/fetch-kernel.sh") || {
	# No apt (offline): a cached kernel will do.
	[ -e "${LEEWARD_VM_CACHE:-$here/.cache}/kernel/current/.done" ] || fail "fetch-kernel.sh failed"
	kdir=$(readlink -f "${LEEWARD_VM_CACHE:-$here/.cache}/kernel/current")
}
"$here/build-initrd.sh" "$kdir" >/dev/null || fail "build-initrd.sh failed"

if [ -x "$repo/tests/run-integration.sh" ]; then
	suite=(tests/run-integration.sh "$@")
else
	echo "vm/run-suite: no tests/run-integration.sh; running the lane's own checks" >&2
	suite=(tests/vm/guest-check.sh)
	VM_CHECK=0
fi

cd "$repo" || fail "cd $repo"
start=$(date +%s)
VM_ENV="${VM_ENV:-} VM_CHECK" VM_CHECK=${VM_CHECK:-1} \
	"$here/run.sh" --timeout "${VM_SUITE_TIMEOUT:-4800}" -- tests/vm/suite-in-guest.sh "${suite[@]}"
rc=$?
echo "# vm/run-suite: exit $rc after $(($(date +%s) - start))s" >&2
exit $rc
