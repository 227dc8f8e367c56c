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

# Each file runs as its own bats process under a time limit, its output
# going to a file (shown live), never to a pipe: a process a test leaves
# behind cannot hold the run open, and a hung test costs one file, not the
# suite. The limit is generous (BATS_FILE_BASE + BATS_FILE_PER_TEST seconds
# per test); a file that hits it is killed, its missing tests count as failed.
# After a file was killed its teardowns did not run: kill what is left in
# the tests' cgroups (/leeward-test-*, see helpers.bash) and remove them.
sweep_test_cgroups() {
	local d p n=0
	for d in $(find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d -name 'leeward-test-*' 2>/dev/null); do
		for p in $(cat "$d/cgroup.procs" 2>/dev/null); do
			kill -9 "$p" 2>/dev/null && n=$((n + 1))
		done
	done
	sleep 0.2
	for d in $(find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -type d -path '*leeward-test-*' 2>/dev/null | sort -r); do
		rmdir "$d" 2>/dev/null
	done
	echo "# swept the tests' cgroups: $n processes killed"
}

base=${BATS_FILE_BASE:-120}
per_test=${BATS_FILE_PER_TEST:-30}
start=$(date +%s)
passed=0 failed=0 skipped=0
: >"$work/tap"
for f in "${files[@]}"; do
	name=$(basename "$f" .bats)
	planned=$(bats --count "$f" 2>/dev/null) || planned=0
	limit=$((base + per_test * planned))
	out=$work/$name.tap
	t0=$(date +%s)
	timeout -k 10 "$limit" bats --tap "$f" >"$out" 2>&1 </dev/null &
	bpid=$!
	tail -n +1 -s 0.2 -f --pid="$bpid" "$out" &
	tpid=$!
	wait "$bpid"
	rc=$?
	wait "$tpid"
	p=$(grep -E '^ok [0-9]+ ' "$out" | grep -vcE ' # skip( |$)')
	s=$(grep -cE '^ok [0-9]+ .* # skip( |$)' "$out")
	fl=$(grep -cE '^not ok [0-9]+ ' "$out")
	sed -E "s/^(not ok|ok) [0-9]+ /\1 $name: /" "$out" | grep -E '^(not )?ok ' >>"$work/tap"
	ran=$((p + s + fl))
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "# $name.bats: killed after its limit of ${limit}s"
		echo "not ok $name: the file hit its time limit (${limit}s)" >>"$work/tap"
		[ "$(id -u)" = 0 ] && sweep_test_cgroups
	fi
	# A crash of bats or a timeout loses tests: count those as failed.
	if [ "$ran" -lt "$planned" ]; then
		echo "# $name.bats: bats ran $ran of $planned tests: the missing ones count as failed"
		fl=$((fl + planned - ran))
	elif [ "$rc" -ne 0 ] && [ "$fl" -eq 0 ]; then
		echo "# $name.bats: bats exited $rc without a failed test: counted as one failure"
		fl=1
	fi
	passed=$((passed + p)) skipped=$((skipped + s)) failed=$((failed + fl))
	echo "# $name.bats: $p passed, $fl failed, $s skipped in $(($(date +%s) - t0))s"
done

if [ "$failed" -gt 0 ]; then
	echo "# failed:"
	grep -E '^not ok ' "$work/tap" | sed 's/^/#   /'
fi
echo "# $(( $(date +%s) - start ))s"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
