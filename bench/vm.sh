#!/bin/sh
# The benchmark inside the VM lane (pure cgroup v2: crun runs there).
#
#   bench/vm.sh                 (BENCH_* variables are passed through,
#                               VM_* ones reach tests/vm/run.sh)
#
# Runs `tests/vm/run.sh -- sh -c 'bench/run.sh ...'`; the results JSON comes
# back over the VM's stdout (gzip + base64 between marker lines, so a serial
# console cannot mangle it) and lands in bench/results/<date>-<host>.json
# and bench/results/latest-vm.md (<host> is the guest's, leeward-vm).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
lane=${BENCH_VM_LANE:-$repo/tests/vm/run.sh}
RESULTS=${BENCH_RESULTS:-$here/results}

if [ ! -x "$lane" ]; then
	echo "bench/vm.sh: $lane is not there (yet); nothing run" >&2
	exit 77
fi

# The lane emulates the CPU (TCG): a runtime command takes 0.5-5 s there, so
# the defaults are small. Ratios and CPU are what to read; absolute times are
# not comparable with the host's. Any BENCH_* set by the caller wins.
: "${BENCH_N:=5}" "${BENCH_PRELOAD:=10}" "${BENCH_TP_RUNS:=8}" "${BENCH_TP_ROUNDS:=1}"
: "${BENCH_MEM_N:=5}" "${BENCH_TIMEOUT:=600}" "${VM_TIMEOUT:=3600}"
export BENCH_N BENCH_PRELOAD BENCH_TP_RUNS BENCH_TP_ROUNDS BENCH_MEM_N BENCH_TIMEOUT VM_TIMEOUT

q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

# BENCH_* settings for the inside, except where results go.
vars=""
for v in $(env | sed -n 's/^\(BENCH_[A-Z0-9_]*\)=.*/\1/p'); do
	case $v in BENCH_RESULTS | BENCH_WORK | BENCH_VM_LANE) continue ;; esac
	eval "val=\${$v}"
	vars="$vars $v=$(q "$val")"
done

inner="cd $(q "$repo") && env$vars BENCH_RESULTS=/tmp/leeward-bench-results BENCH_WORK=/tmp/leeward-bench \
bench/run.sh >/dev/null && echo @@BENCH-JSON@@ && gzip -c /tmp/leeward-bench-results/latest.json | base64 && echo @@BENCH-END@@"

mkdir -p "$RESULTS"
out=$(mktemp)
trap 'rm -f "$out" "$out.json" "$out.rc"' EXIT
echo "bench/vm.sh: $lane -- sh -c ..." >&2
# The lane's output goes to $out; the part before the results marker is also
# shown as it comes (bench/run.sh's progress).
{ "$lane" -- sh -c "$inner"; echo $? >"$out.rc"; } | tee "$out" |
	sed -u '/^@@BENCH-JSON@@/,$d' >&2
rc=$(cat "$out.rc" 2>/dev/null || echo 125)

sed -n '/^@@BENCH-JSON@@/,/^@@BENCH-END@@/p' "$out" | tr -d '\r' | sed '1d;$d' |
	base64 -d 2>/dev/null | gunzip -c >"$out.json" 2>/dev/null || true
if ! jq -e .cases "$out.json" >/dev/null 2>&1; then
	echo "bench/vm.sh: no results came back from the VM (lane exit $rc)" >&2
	exit 1
fi

host=$(jq -r .host "$out.json")
stamp=$(jq -r '.date | gsub(":"; "")' "$out.json")
dest=$RESULTS/$stamp-$host.json
jq '.lane = "vm"' "$out.json" >"$dest"
"$here/report.sh" "$dest" | sed '1s/$/ (VM lane)/' >"$RESULTS/latest-vm.md"
echo "bench/vm.sh: wrote $dest and $RESULTS/latest-vm.md" >&2
cat "$RESULTS/latest-vm.md"
