#!/bin/bash
# run-integration.sh [FILE.bats...]: run the bats integration suite (all of
# tests/integration/*.bats, or the given files) against $LEEWARD (default
# build/leeward; LEEWARD=runc checks the tests themselves against runc).
#
# Shows bats' TAP output, then the failed tests again, and ends with exactly
#   N passed, N failed, N skipped
# Exit status: 0 when nothing failed, 1 otherwise.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
export LEEWARD=${LEEWARD:-$repo/build/leeward}
export BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-120}

if [ $# -gt 0 ]; then
	files=("$@")
else
	files=("$here"/integration/*.bats)
fi

fail_early() {
	echo "run-integration: $*" >&2
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
}

command -v bats >/dev/null || fail_early "bats is not installed (make deps)"
command -v jq >/dev/null || fail_early "jq is not installed (make deps)"
runtime=$LEEWARD
[[ $runtime == */* ]] || runtime=$(command -v "$runtime" || true)
[ -n "$runtime" ] && [ -x "$runtime" ] || fail_early "runtime '$LEEWARD' not found or not executable (make)"
# The in-container helper (prebuilt in the VM lane, where make may be absent).
if [ ! -x "$repo/build/lwtest" ] || [ "$repo/tests/helper/lwtest.c" -nt "$repo/build/lwtest" ]; then
	make -s -C "$repo" build/lwtest >/dev/null || fail_early "cannot build build/lwtest"
fi

# One busybox rootfs for the whole run; each test copies it.
work=$(mktemp -d /tmp/leeward-it.XXXXXX)
trap 'rm -rf "$work"' EXIT
export LW_ROOTFS_CACHE=$work/rootfs
"$repo/contrib/mkrootfs.sh" "$LW_ROOTFS_CACHE" || fail_early "contrib/mkrootfs.sh failed"
touch "$LW_ROOTFS_CACHE/.done"

echo "# runtime: $runtime ($("$runtime" --version 2>/dev/null | head -n1))"
echo "# cgroups: $( [ -e /sys/fs/cgroup/cgroup.controllers ] && echo v2 || { [ -d /sys/fs/cgroup/unified ] && echo hybrid || echo v1; })${LEEWARD_VM:+, VM lane}"

start=$(date +%s)
bats --tap "${files[@]}" 2>&1 | tee "$work/tap"
bats_rc=${PIPESTATUS[0]}

passed=$(grep -E '^ok [0-9]+ ' "$work/tap" | grep -vcE ' # skip( |$)')
skipped=$(grep -cE '^ok [0-9]+ .* # skip( |$)' "$work/tap")
failed=$(grep -cE '^not ok [0-9]+ ' "$work/tap")
planned=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$work/tap" | head -n1)
ran=$((passed + skipped + failed))
# A crash of bats or a timeout loses tests: count those as failed.
if [ -n "$planned" ] && [ "$ran" -lt "$planned" ]; then
	echo "# bats ran $ran of $planned tests: the missing ones count as failed"
	failed=$((failed + planned - ran))
elif [ "$bats_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
	echo "# bats exited $bats_rc without a failed test: counted as one failure"
	failed=1
fi

if [ "$failed" -gt 0 ]; then
	echo "# failed:"
	grep -E '^not ok [0-9]+ ' "$work/tap" | sed 's/^/#   /'
fi
echo "# $(( $(date +%s) - start ))s"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
