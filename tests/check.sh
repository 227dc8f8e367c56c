#!/bin/bash
# check.sh [FILE.bats...]: the whole test suite, as `make check` and CI run
# it (bats files given: only those in the integration phase).
#
#   1. unit tests: each tests/unit/test_*.c binary is one test
#   2. the bats integration suite on this host (tests/run-integration.sh)
#   2b. the same integration suite with the ASan+UBSan build (build-asan/)
#   3. the VM lane, a pure cgroup v2 kernel (tests/vm/run-suite.sh), with
#      the files that depend on the cgroup version (LEEWARD_VM_FILES names
#      them); a missing lane or a VM that does not boot is a failure,
#      unless LEEWARD_SKIP_VM=1
#
# Each phase prints its duration (`# phase NAME: Ns`). LEEWARD_DEADLINE (epoch
# seconds, set by .ci/run) caps the VM lane's time limit.
#
# The last line is the combined total: `N passed, N failed, N skipped`.
# Exit status is non-zero when anything failed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
build=${BUILD:-build}
export LEEWARD=${LEEWARD:-$repo/$build/leeward}

total_p=0 total_f=0 total_s=0
summary=()

add() { # add PHASE PASSED FAILED SKIPPED
	total_p=$((total_p + $2)) total_f=$((total_f + $3)) total_s=$((total_s + $4))
	summary+=("$(printf '%-12s %s passed, %s failed, %s skipped' "$1:" "$2" "$3" "$4")")
}

# The counts from a `N passed, N failed[, N skipped]` line in FILE, or none.
counts_from() {
	tail -n 5 "$1" | sed -nE 's/^([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?$/\1 \2 \4/p' | tail -n1
}

log=$(mktemp /tmp/leeward-check.XXXXXX)
trap 'rm -f "$log"' EXIT

# phase NAME CMD...: run a suite that ends with `N passed, N failed[, N
# skipped]`, show its output and add its counts; a suite that exits non-zero
# counts at least one failure, one without a summary line counts as one.
phase() {
	local name=$1 rc c p f s t0=$SECONDS
	shift
	# (output to a file shown live, not a pipe: a stray process holding a
	# pipe open would hang the run)
	"$@" >"$log" 2>&1 </dev/null &
	local pid=$!
	tail -n +1 -s 0.2 -f --pid="$pid" "$log" &
	local tpid=$!
	wait "$pid"
	rc=$?
	wait "$tpid"
	echo "# phase $name: $((SECONDS - t0))s"
	c=$(counts_from "$log")
	if [ -n "$c" ]; then
		read -r p f s <<<"$c"
		[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
		add "$name" "$p" "$f" "${s:-0}"
	elif [ "$name" = vm ] && [ "$rc" -eq 0 ]; then
		add "$name" 1 0 0
	else
		echo "$name FAILED: $1 exited $rc without a summary line"
		add "$name" 0 1 0
	fi
}

# --- 1. unit tests ---
echo "=== unit tests"
p=0 f=0
shopt -s nullglob
for src in "$repo"/tests/unit/test_*.c; do
	name=$(basename "$src" .c)
	bin=$repo/$build/tests/$name
	if ! make -s -C "$repo" "$build/tests/$name"; then
		echo "not ok unit $name (does not build)"
		f=$((f + 1))
		continue
	fi
	if "$bin"; then
		echo "ok unit $name"
		p=$((p + 1))
	else
		echo "not ok unit $name (exit $?)"
		f=$((f + 1))
	fi
done
shopt -u nullglob
add unit "$p" "$f" 0

# --- 2. integration tests on this host ---
echo "=== integration tests (host, runtime $LEEWARD)"
phase integration "$here/run-integration.sh" "$@"

# --- 2b. the same suite with the ASan+UBSan build ---
# (not the podman/containerd drop-in files: they test the tools' paths,
# which the plain build covers)
echo "=== integration tests (host, ASan+UBSan build)"
if [ "${LEEWARD_SKIP_ASAN:-0}" = 1 ]; then
	echo "ASan phase skipped: LEEWARD_SKIP_ASAN=1"
	add asan 0 0 1
elif ! make -s -C "$repo" asan >/dev/null; then
	echo "not ok asan build"
	add asan 0 1 0
else
	asan_files=()
	if [ $# -gt 0 ]; then
		asan_files=("$@")
	else
		for f in "$here"/integration/*.bats; do
			case $(basename "$f") in podman.bats | containerd.bats) continue ;; esac
			asan_files+=("$f")
		done
	fi
	LEEWARD=$repo/build-asan/leeward ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		phase asan "$here/run-integration.sh" "${asan_files[@]}"
fi

# --- 3. the VM lane ---
echo "=== VM lane (pure cgroup v2)"
if [ "${LEEWARD_SKIP_VM:-0}" = 1 ]; then
	echo "VM lane skipped: LEEWARD_SKIP_VM=1"
	add vm 0 0 1
elif [ ! -x "$here/vm/run-suite.sh" ]; then
	echo "VM lane FAILED: tests/vm/run-suite.sh is missing or not executable (LEEWARD_SKIP_VM=1 skips the lane)"
	add vm 0 1 0
else
	# TCG emulates every instruction: the lane runs what depends on the
	# cgroup version (cgroups, exec, the lifecycle), not every file
	vm_files=("$@")
	if [ ${#vm_files[@]} -eq 0 ]; then
		for f in ${LEEWARD_VM_FILES:-cgroups exec run create start delete kill state dev namespaces hardening landlock}; do
			vm_files+=("tests/integration/$f.bats")
		done
	fi
	# CI has a fixed budget (.ci/run sets LEEWARD_DEADLINE, epoch seconds):
	# the lane gets what is left of it, less a margin for the summary.
	vm_timeout=${VM_SUITE_TIMEOUT:-2700}
	if [ -n "${LEEWARD_DEADLINE:-}" ]; then
		left=$((LEEWARD_DEADLINE - $(date +%s) - 120))
		[ "$left" -lt "$vm_timeout" ] && vm_timeout=$left
	fi
	if [ "$vm_timeout" -lt 300 ]; then
		echo "VM lane FAILED: only ${vm_timeout}s left before LEEWARD_DEADLINE, not enough to boot and run it"
		add vm 0 1 0
	else
		echo "# VM lane time limit: ${vm_timeout}s"
		VM_NO_BUILD=1 VM_SUITE_TIMEOUT=$vm_timeout \
			phase vm "$here/vm/run-suite.sh" "${vm_files[@]}"
	fi
fi

echo "=== summary"
printf '%s\n' "${summary[@]}"
echo "$total_p passed, $total_f failed, $total_s skipped"
[ "$total_f" -eq 0 ]
