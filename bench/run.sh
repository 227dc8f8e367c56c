#!/bin/sh
# The leeward benchmark: leeward against runc and crun, one run, one table.
#
#   make bench                      (= bench/run.sh)
#   BENCH_N=100 bench/run.sh        more iterations
#   BENCH_RUNTIMES="a=runc b=runc" bench/run.sh     harness self-check
#
# Environment:
#   BENCH_RUNTIMES  "name=command ..." (default "leeward=build/leeward
#                   runc=runc crun=crun"); the first one that works is A,
#                   every other one is a B of an A/B ratio. A command with
#                   a slash is relative to the repository.
#   BENCH_N         iterations per timed case (default 20)
#   BENCH_CASES     cases to run (default: all) among run lifecycle exec mem
#                   throughput preload limits seccomp landlock floor
#   BENCH_PRELOAD   containers already running for the preload case ("10 50")
#   BENCH_JOBS      parallelism of the throughput case ("2 8")
#   BENCH_TP_RUNS   containers per throughput round (default 2*BENCH_N, >= 16)
#   BENCH_TP_ROUNDS throughput rounds per runtime (default 3)
#   BENCH_MEM_N     detached containers for the memory case (default 10)
#   BENCH_TIMEOUT   seconds before a runtime command is killed (default 60;
#                   a throughput round gets 4 times that)
#   BENCH_WORK      scratch (default ${TMPDIR:-/tmp}/leeward-bench)
#   BENCH_RESULTS   output folder (default bench/results)
#
# Method: every sample is one runtime command run by bench/lwtime (C):
# wall time from CLOCK_MONOTONIC around posix_spawn..wait4, CPU time as
# user+sys from wait4's rusage (the command and every descendant it waited
# for; a container process that outlives the command is not counted).
# Runtimes take turns in ABBA order (A B, B A, A B, ...); every runtime has
# its own --root. Medians and p90 (nearest rank) over the samples that
# succeeded.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)

N=${BENCH_N:-20}
RUNTIMES=${BENCH_RUNTIMES:-"leeward=build/leeward runc=runc crun=crun"}
CASES=${BENCH_CASES:-"run lifecycle exec mem throughput preload limits seccomp landlock floor"}
PRELOAD=${BENCH_PRELOAD:-"10 50"}
JOBS=${BENCH_JOBS:-"2 8"}
TP_RUNS=${BENCH_TP_RUNS:-$((N * 2 < 16 ? 16 : N * 2))}
TP_ROUNDS=${BENCH_TP_ROUNDS:-3}
MEM_N=${BENCH_MEM_N:-10}
TIMEOUT=${BENCH_TIMEOUT:-60}
WORK=${BENCH_WORK:-${TMPDIR:-/tmp}/leeward-bench}
RESULTS=${BENCH_RESULTS:-$here/results}
CC=${CC:-cc}

log() { printf '%s\n' "bench: $*" >&2; }
die() { log "$*"; exit 1; }
has_case() { case " $CASES " in *" $1 "*) return 0 ;; esac; return 1; }

[ "$(id -u)" = 0 ] || die "run as root (runtimes need it for namespaces and cgroups)"
command -v jq >/dev/null || die "jq not found (apt-get install jq)"

mkdir -p "$WORK/bin" "$RESULTS"
umount "$WORK/root" 2>/dev/null || true
rm -rf "$WORK/root" "$WORK/pids" "$WORK/err"
mkdir -p "$WORK/root" "$WORK/pids" "$WORK/err"
# The runtimes' state (--root) on tmpfs, as their defaults /run/runc,
# /run/crun and /run/leeward are on any host with systemd.  Where $WORK is
# on a disk (/run and /tmp are ext4 on some of these machines) a state
# directory with two files costs ~1.2 ms to make there, 0.03 ms on tmpfs:
# a property of the disk that would drown what is being compared.
ROOT_TMPFS=
if [ "$(stat -f -c %T "$WORK/root")" != tmpfs ]; then
	mount -t tmpfs -o mode=0700 leeward-bench-state "$WORK/root" && ROOT_TMPFS=1 ||
		log "could not mount a tmpfs on $WORK/root: state stays on $(stat -f -c %T "$WORK/root")"
fi
RAW=$WORK/samples.jsonl
: >"$RAW"

# --- tools and bundles ----------------------------------------------------

for t in lwtime floor noop; do
	if [ ! -x "$WORK/bin/$t" ] || [ "$here/$t.c" -nt "$WORK/bin/$t" ]; then
		_static=
		[ $t = noop ] && _static="-static -nostdlib -fno-stack-protector"
		$CC -O2 $_static -Wall -Wextra -Werror -o "$WORK/bin/$t.tmp" "$here/$t.c" || die "building $t.c failed"
		mv "$WORK/bin/$t.tmp" "$WORK/bin/$t"
	fi
done
LWTIME=$WORK/bin/lwtime
FLOOR=$WORK/bin/floor
NOOP=$WORK/bin/noop

if [ -z "${LEEWARD:-}" ] && [ -x "$repo/build/leeward" ]; then
	LEEWARD=$repo/build/leeward
	export LEEWARD
fi
B=$("$here/mkbundle.sh" "$WORK/bundles") || die "making bundles failed"

# --- host ------------------------------------------------------------------

cgfs=$(stat -fc %T /sys/fs/cgroup 2>/dev/null || echo unknown)
if [ "$cgfs" = cgroup2fs ]; then
	cgmode=unified
elif [ -d /sys/fs/cgroup/unified ]; then
	cgmode=hybrid
else
	cgmode=legacy
fi

# --- runtimes -------------------------------------------------------------

ACTIVE=""       # names that passed the probe
ALL=""          # every configured name
NA_FILE=$WORK/na.txt
: >"$NA_FILE"
RTINFO=$WORK/runtimes.jsonl
: >"$RTINFO"

rt_bin() { eval "printf '%s' \"\$BIN_$1\""; }
rt_root() { printf '%s' "$WORK/root/$1"; }

# rt NAME ARGS...: run the runtime untimed (setup, teardown), killed after $TIMEOUT s.
rt() { _n=$1; shift; timeout -k 5 "$TIMEOUT" "$(rt_bin "$_n")" --root "$(rt_root "$_n")" "$@"; }

# quiet NAME ARGS...: untimed setup/teardown step, killed after $TIMEOUT s.
quiet() {
	_n=$1; shift
	rt "$_n" "$@" </dev/null >/dev/null 2>>"$WORK/err/$_n.setup"
}

for spec in $RUNTIMES; do
	name=${spec%%=*}
	cmd=${spec#*=}
	case $name in *[!A-Za-z0-9_]* | "") die "bad runtime name '$name' in BENCH_RUNTIMES" ;; esac
	case $cmd in
	*/*) case $cmd in /*) bin=$cmd ;; *) bin=$repo/$cmd ;; esac ;;
	*) bin=$(command -v "$cmd" || echo "") ;;
	esac
	ALL="$ALL $name"
	eval "BIN_$name=\$bin"
	version=""
	status=ok
	if [ -z "$bin" ] || [ ! -x "$bin" ]; then
		case $cmd in */*) status="n/a (not built)" ;; *) status="n/a (not installed)" ;; esac
	else
		version=$("$bin" --version 2>/dev/null | head -1 || true)
		mkdir -p "$(rt_root "$name")"
		errf=$WORK/err/$name.probe
		: >"$errf"
		prc=0
		timeout -k 5 "$TIMEOUT" "$bin" --root "$(rt_root "$name")" run --bundle "$B/true" "probe-$name" \
			</dev/null >/dev/null 2>"$errf" || prc=$?
		if [ "$prc" != 0 ]; then
			quiet "$name" delete -f "probe-$name" || true
			if [ "$cgmode" != unified ] && grep -qiE 'hybrid|cgroup.?v2|cgroupv2|unified' "$errf"; then
				status="n/a ($cgmode host)"
			elif [ "$prc" = 124 ]; then
				status="n/a (probe failed: run of /bin/true timed out after $TIMEOUT s)"
			elif [ -s "$errf" ]; then
				status="n/a (probe failed: $(tail -n 1 "$errf" | cut -c1-120))"
			else
				status="n/a (probe failed: exit $prc)"
			fi
		fi
	fi
	if [ "$status" = ok ]; then
		ACTIVE="$ACTIVE $name"
		log "$name: $bin ($version)"
	else
		log "$name: $status"
		echo "$name $status" >>"$NA_FILE"
	fi
	jq -nc --arg name "$name" --arg cmd "$cmd" --arg bin "$bin" --arg version "$version" \
		--arg status "$status" '{name:$name, cmd:$cmd, path:$bin, version:$version, status:$status}' >>"$RTINFO"
done
ACTIVE=${ACTIVE# }
[ -n "$ACTIVE" ] || log "no runtime works; only the floor is measured"

cleanup() {
	for name in $ACTIVE; do
		for id in $(rt "$name" list -q 2>/dev/null); do
			quiet "$name" delete -f "$id" || true
		done
	done
	[ -z "$ROOT_TMPFS" ] || umount "$WORK/root" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ABBA: iteration i runs the runtimes forwards when i is even, backwards when
# odd, so each runtime is first as often as last.
order() { # i names...
	_i=$1; shift
	if [ $((_i % 2)) -eq 0 ]; then
		echo "$@"
	else
		_r=""
		for _x in "$@"; do _r="$_x $_r"; done
		echo $_r
	fi
}

# sample NAME CASE CMD...: one timed run of CMD, recorded in $RAW. The first
# failure of each runtime and case is shown; every stderr is kept in
# $WORK/err/NAME.CASE.
sample() {
	_n=$1 _c=$2; shift 2
	_e=$WORK/err/$_n.$_c
	: >"$_e.last"
	"$LWTIME" run -t "$TIMEOUT" -o "$RAW" -e "$_e.last" -l "\"rt\":\"$_n\",\"case\":\"$_c\"" -- "$@"
	cat "$_e.last" >>"$_e"
	if ! tail -n 1 "$RAW" | grep -q '"rc":0}$' && [ ! -e "$_e.failed" ]; then
		: >"$_e.failed"
		log "$_n $_c failed: $(tail -n 1 "$RAW" | sed 's/.*"rc":\([0-9]*\)}$/exit \1/'): $(tail -n 3 "$_e.last" | tr '\n' ' ')"
	fi
}

# check_last NAME CASE ERRFILE: show the first failed par/mem record.
check_last() {
	if ! tail -n 1 "$RAW" | grep -q '"rc":0}$' && [ ! -e "$3.failed" ]; then
		: >"$3.failed"
		log "$1 $2 failed: $(tail -n 1 "$RAW" | grep -o '"failed":[0-9]*' || true): $(tail -n 3 "$3" 2>/dev/null | tr '\n' ' ')"
	fi
}

# wait_stopped NAME ID: until the container's process has exited (gone or a
# zombie), at most ~5 s.
wait_stopped() {
	_p=$(rt "$1" state "$2" 2>/dev/null | jq -r '.pid // 0' 2>/dev/null || echo 0)
	[ "${_p:-0}" -gt 0 ] || return 0
	_k=0
	while [ $_k -lt 500 ] && [ -e "/proc/$_p" ]; do
		case $(cut -d' ' -f3 "/proc/$_p/stat" 2>/dev/null) in Z | X | "") return 0 ;; esac
		sleep 0.01
		_k=$((_k + 1))
	done
}

na() { # NAME CASE REASON
	jq -nc --arg rt "$1" --arg case "$2" --arg na "$3" '{rt:$rt, case:$case, na:$na}' >>"$RAW"
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
case $load_start in 0.[0-4]*) ;; *) log "warning: load average $load_start: other work on this machine makes wall times noisy" ;; esac
t_start=$(date +%s)

# --- cases ----------------------------------------------------------------

# run /bin/true in the foreground.
if has_case run && [ -n "$ACTIVE" ]; then
	log "case run (N=$N)"
	i=0
	while [ $i -lt "$N" ]; do
		for n in $(order $i $ACTIVE); do
			sample "$n" run "$(rt_bin "$n")" --root "$(rt_root "$n")" run --bundle "$B/true" "run-$n-$i"
		done
		i=$((i + 1))
	done
fi

# The kernel's floor, in its own loop: inside the runtimes' ABBA turns it
# would always run just before the same runtime, and on a VM what ran just
# before a sample moves its wall time (idle vCPUs wake up slowly).
if has_case floor; then
	log "case floor (N=$N)"
	i=0
	while [ $i -lt "$N" ]; do
		for n in $(order $i floor floor_cg spawn); do
			case $n in
			floor) sample floor run "$FLOOR" "$B/rootfs" ;;
			floor_cg) sample floor_cg run "$FLOOR" -c "$B/rootfs" ;;
			spawn) sample spawn run "$NOOP" ;;
			esac
		done
		i=$((i + 1))
	done
fi

# create, start, state, delete: each step timed.
if has_case lifecycle && [ -n "$ACTIVE" ]; then
	log "case lifecycle (N=$N)"
	i=0
	while [ $i -lt "$N" ]; do
		for n in $(order $i $ACTIVE); do
			bin=$(rt_bin "$n") root=$(rt_root "$n") id=lc-$n-$i
			sample "$n" create "$bin" --root "$root" create --bundle "$B/true" "$id"
			sample "$n" start "$bin" --root "$root" start "$id"
			sample "$n" state "$bin" --root "$root" state "$id"
			# Plain delete, as a caller would, once /bin/true has exited
			# (waited for untimed: on a loaded machine it may not have).
			wait_stopped "$n" "$id"
			sample "$n" delete "$bin" --root "$root" delete "$id"
			quiet "$n" delete -f "$id" 2>/dev/null || true
		done
		i=$((i + 1))
	done
fi

# exec /bin/true into a running container.
if has_case exec && [ -n "$ACTIVE" ]; then
	log "case exec (N=$N)"
	for n in $ACTIVE; do
		quiet "$n" run -d --bundle "$B/sleep" "exec-$n" || log "$n: could not start the exec target"
	done
	i=0
	while [ $i -lt "$N" ]; do
		for n in $(order $i $ACTIVE); do
			sample "$n" exec "$(rt_bin "$n")" --root "$(rt_root "$n")" exec "exec-$n" /bin/true
		done
		i=$((i + 1))
	done
	for n in $ACTIVE; do quiet "$n" delete -f "exec-$n" || true; done
fi

# Memory left resident: MEM_N detached `sleep 1000`, Pss of their cgroups and
# of whatever else the runtime left behind, per container. One runtime at a
# time, so that leftovers are attributed unambiguously.
if has_case mem && [ -n "$ACTIVE" ]; then
	log "case mem (N=$MEM_N containers)"
	for n in $ACTIVE; do
		pd=$WORK/pids/$n
		rm -rf "$pd"
		mkdir -p "$pd"
		"$LWTIME" mem -t "$TIMEOUT" -n "$MEM_N" -d "$pd" -o "$RAW" -e "$WORK/err/$n.mem" \
			-l "\"rt\":\"$n\",\"case\":\"mem\"" -- \
			"$(rt_bin "$n")" --root "$(rt_root "$n")" run -d --pid-file "$pd/%d.pid" --bundle "$B/sleep" "mem-$n-%d"
		check_last "$n" mem "$WORK/err/$n.mem"
		j=0
		while [ $j -lt "$MEM_N" ]; do
			quiet "$n" delete -f "mem-$n-$j" || true
			j=$((j + 1))
		done
	done
fi

# Throughput: `run` of /bin/true, J at a time; rounds interleaved ABBA.
if has_case throughput && [ -n "$ACTIVE" ]; then
	for j in $JOBS; do
		log "case throughput x$j ($TP_ROUNDS rounds of $TP_RUNS)"
		r=0
		while [ $r -lt "$TP_ROUNDS" ]; do
			for n in $(order $r $ACTIVE); do
				"$LWTIME" par -t "$((TIMEOUT * 4))" -j "$j" -n "$TP_RUNS" -o "$RAW" -e "$WORK/err/$n.tp$j" \
					-l "\"rt\":\"$n\",\"case\":\"tp$j\"" -- \
					"$(rt_bin "$n")" --root "$(rt_root "$n")" run --bundle "$B/true" "tp$j-$n-$r-%d"
				check_last "$n" "tp$j" "$WORK/err/$n.tp$j"
			done
			r=$((r + 1))
		done
	done
fi

# run with K containers already running (K per runtime, each in its root).
if has_case preload && [ -n "$ACTIVE" ]; then
	for k in $PRELOAD; do
		log "case run with $k running (N=$N)"
		for n in $ACTIVE; do
			j=$(rt "$n" list -q 2>/dev/null | grep -c "^pre-$n-" || true)
			while [ "$j" -lt "$k" ]; do
				quiet "$n" run -d --bundle "$B/sleep" "pre-$n-$j" || log "$n: preload pre-$n-$j failed"
				j=$((j + 1))
			done
		done
		i=0
		while [ $i -lt "$N" ]; do
			for n in $(order $i $ACTIVE); do
				sample "$n" "run_$k" "$(rt_bin "$n")" --root "$(rt_root "$n")" run --bundle "$B/true" "pl$k-$n-$i"
			done
			i=$((i + 1))
		done
	done
	for n in $ACTIVE; do
		for id in $(rt "$n" list -q 2>/dev/null | grep "^pre-$n-"); do quiet "$n" delete -f "$id" || true; done
	done
fi

# run with a config feature: limits, seccomp, landlock.
feature_case() { # case bundle
	_c=$1 _b=$2
	log "case $_c (N=$N)"
	i=0
	while [ $i -lt "$N" ]; do
		for n in $(order $i $3); do
			sample "$n" "$_c" "$(rt_bin "$n")" --root "$(rt_root "$n")" run --bundle "$B/$_b" "$_c-$n-$i"
		done
		i=$((i + 1))
	done
}
if has_case limits && [ -n "$ACTIVE" ]; then
	feature_case limits limits "$ACTIVE"
fi
if has_case seccomp && [ -n "$ACTIVE" ]; then
	if [ -f "$B/seccomp/config.json" ]; then
		feature_case seccomp seccomp "$ACTIVE"
	else
		for n in $ACTIVE; do na "$n" seccomp "no seccomp.json"; done
	fi
fi
if has_case landlock && [ -n "$ACTIVE" ]; then
	# Landlock is a leeward feature: measured where `features` reports it.
	ll=""
	for n in $ACTIVE; do
		if "$(rt_bin "$n")" features 2>/dev/null | grep -qi landlock; then
			ll="$ll $n"
		else
			na "$n" landlock "n/a"
		fi
	done
	[ -z "$ll" ] || feature_case landlock landlock "$ll"
fi

t_end=$(date +%s)
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
log "measured in $((t_end - t_start)) s"

# --- results ------------------------------------------------------------

for n in $ALL; do
	case " $ACTIVE " in *" $n "*) ;; *)
		# the table cell gets the short form; the runtime list has it all
		reason=$(grep "^$n " "$NA_FILE" | cut -d' ' -f2- | sed 's/^n\/a (probe failed:.*/n\/a (probe failed)/')
		for c in run create start state delete exec rss mem $(for j in $JOBS; do echo "tp$j"; done) \
			$(for k in $PRELOAD; do echo "run_$k"; done) limits seccomp landlock; do
			na "$n" "$c" "$reason"
		done ;;
	esac
done

host=$(hostname 2>/dev/null || cat /proc/sys/kernel/hostname)
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
out=$RESULTS/$stamp-$host.json
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //' || true)
memkb=$(awk '/^MemTotal/ {print $2}' /proc/meminfo)
os=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-}")
# Read-only git: --no-optional-locks, so that the index is never rewritten.
commit=$(git --no-optional-locks -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git --no-optional-locks -C "$repo" status --porcelain --untracked-files=no 2>/dev/null)" ] || commit="$commit+dirty"

jq -n \
	--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg host "$host" \
	--arg kernel "$(uname -r)" --arg arch "$(uname -m)" --arg cpu "$cpu" \
	--argjson cpus "$(nproc)" --argjson mem_kb "${memkb:-0}" --arg os "$os" \
	--arg cgroup "$cgmode" --arg load_start "$load_start" --arg load_end "$load_end" --argjson n "$N" --arg commit "$commit" --arg runtimes "$RUNTIMES" \
	--arg cases "$CASES" --arg preload "$PRELOAD" --arg jobs "$JOBS" \
	--argjson tp_runs "$TP_RUNS" --argjson tp_rounds "$TP_ROUNDS" --argjson mem_n "$MEM_N" \
	--argjson seconds "$((t_end - t_start))" \
	--slurpfile rts "$RTINFO" --slurpfile samples "$RAW" \
	-f "$here/stats.jq" >"$out.tmp"
mv "$out.tmp" "$out"
cp "$out" "$RESULTS/latest.json"
"$here/report.sh" "$out" >"$RESULTS/latest.md"
log "wrote $out and $RESULTS/latest.md"
cat "$RESULTS/latest.md"
