# Samples (bench/lwtime records) -> the results JSON of bench/run.sh.
# Called with jq -n and: $samples $rts (slurped), $date $host $kernel $arch
# $cpu $cpus $mem_kb $os $cgroup $load_start $load_end $commit $n $runtimes $cases $preload $jobs $tp_runs
# $tp_rounds $mem_n $seconds.

# Nearest-rank percentile of a non-empty array of numbers.
def pct($p): sort as $s | ($s | length) as $l
	| $s[([(($p * $l) | ceil) - 1, 0] | max)];
def r1: . * 10 | round / 10;
def r2: . * 100 | round / 100;
def ms: . / 1000000;
def div($a; $b): if $a == null or $b == null or $b == 0 then null else $a / $b | r2 end;

# Case table: id, label, kind. "rss" is derived from the run samples.
def case_list:
	[ {id: "run", label: "run /bin/true", kind: "time"},
	  {id: "create", label: "create", kind: "time"},
	  {id: "start", label: "start", kind: "time"},
	  {id: "state", label: "state", kind: "time"},
	  {id: "delete", label: "delete", kind: "time"},
	  {id: "exec", label: "exec /bin/true (running container)", kind: "time"},
	  {id: "rss", label: "peak RSS of `run` (ru_maxrss)", kind: "rss", from: "run"},
	  {id: "mem", label: "memory left per running container (Pss)", kind: "mem"} ]
	+ [ $jobs | split(" ")[] | select(. != "")
	    | {id: "tp\(.)", label: "throughput, \(.) in parallel", kind: "rate"} ]
	+ [ $preload | split(" ")[] | select(. != "")
	    | {id: "run_\(.)", label: "run with \(.) running", kind: "time"} ]
	+ [ {id: "limits", label: "run with memory+pids limits", kind: "time"},
	    {id: "seccomp", label: "run with seccomp (podman profile)", kind: "time"},
	    {id: "landlock", label: "run with Landlock", kind: "time"} ];

def time_stats:
	(map(select(.rc == 0))) as $ok
	| {n: length, failed: (map(select(.rc != 0)) | length)}
	+ if ($ok | length) == 0 then {} else {
		wall_ms: {median: ($ok | map(.wall_ns | ms) | pct(0.5) | r2),
			  p90: ($ok | map(.wall_ns | ms) | pct(0.9) | r2),
			  min: ($ok | map(.wall_ns | ms) | min | r2)},
		cpu_ms: {median: ($ok | map(.cpu_us / 1000) | pct(0.5) | r2),
			 p90: ($ok | map(.cpu_us / 1000) | pct(0.9) | r2),
			 user_median: ($ok | map(.user_us / 1000) | pct(0.5) | r2),
			 sys_median: ($ok | map(.sys_us / 1000) | pct(0.5) | r2)},
		maxrss_kb: {median: ($ok | map(.maxrss_kb) | pct(0.5)),
			    max: ($ok | map(.maxrss_kb) | max)} } end;

def rss_stats:
	(map(select(.rc == 0))) as $ok
	| {n: ($ok | length)}
	+ if ($ok | length) == 0 then {} else {
		maxrss_kb: {median: ($ok | map(.maxrss_kb) | pct(0.5)),
			    p90: ($ok | map(.maxrss_kb) | pct(0.9)),
			    max: ($ok | map(.maxrss_kb) | max)} } end;

def rate_stats:
	(map(select(.failed == 0))) as $ok
	| {rounds: length, failed_rounds: (map(select(.failed != 0)) | length),
	   jobs: (.[0].jobs), runs_per_round: (.[0].runs)}
	+ if ($ok | length) == 0 then {} else {
		per_s: {median: ($ok | map(.per_s) | pct(0.5) | r1),
			min: ($ok | map(.per_s) | min | r1),
			max: ($ok | map(.per_s) | max | r1)},
		cpu_ms_per_run: ($ok | map(.cpu_us / 1000 / .runs) | pct(0.5) | r2),
		wall_ms: {median: ($ok | map(.wall_ns | ms) | pct(0.5) | r1)} } end;

def mem_stats:
	.[0] | {containers, started, failed,
		pss_per_container_kb, overhead_pss_per_container_kb,
		pss_kb, rss_kb, init_pss_kb, init_procs, cgroup_other_pss_kb,
		cgroup_other_procs, outside_pss_kb, outside_procs, other_comms,
		run_d_wall_ms: (.wall_ns | ms | r2), run_d_maxrss_kb: .maxrss_kb}
	| if .failed > 0 or .started < .containers then . + {error: "\(.failed) of \(.containers) runs failed"} else . end;

($samples | map(select(.na == null))) as $meas
| ($samples | map(select(.na != null))) as $nas
| ($rts | map(select(.status == "ok") | .name)) as $active
| {
	date: $date, host: $host,
	machine: {kernel: $kernel, arch: $arch, cpu: $cpu, cpus: $cpus, mem_kb: $mem_kb,
		  os: $os, cgroup: $cgroup, loadavg_start: $load_start, loadavg_end: $load_end},
	config: {commit: $commit, n: $n, runtimes: $runtimes, cases: $cases, preload: $preload, jobs: $jobs,
		 tp_runs: $tp_runs, tp_rounds: $tp_rounds, mem_n: $mem_n},
	seconds: $seconds,
	baseline: ($active[0] // null),
	runtimes: $rts,
	floor: {
		floor: ($meas | map(select(.rt == "floor" and .case == "run")) | if length > 0 then time_stats else null end),
		floor_cgroup: ($meas | map(select(.rt == "floor_cg" and .case == "run")) | if length > 0 then time_stats else null end),
		spawn: ($meas | map(select(.rt == "spawn" and .case == "run")) | if length > 0 then time_stats else null end)
	},
	cases: [ case_list[] as $c
		| {id: $c.id, label: $c.label, kind: $c.kind,
		   results: ([ $rts[].name as $rt
			| ($nas | map(select(.rt == $rt and .case == $c.id)) | .[0]) as $na
			| ($meas | map(select(.rt == $rt and .case == ($c.from // $c.id)))) as $s
			| {key: $rt, value: (
				if $na != null then {na: $na.na}
				elif ($s | length) == 0 then null
				elif $c.kind == "time" then ($s | time_stats)
				elif $c.kind == "rss" then ($s | rss_stats)
				elif $c.kind == "rate" then ($s | rate_stats)
				else ($s | mem_stats) end)}
			| select(.value != null) ] | from_entries)}
		# cases this run did not measure for any working runtime are left out
		| select(.results | to_entries | any(.key as $k | $active | index($k)))
		# A/B of the medians, A = the baseline (first working runtime)
		| .results as $res | .kind as $kind
		| .ratios = ([ $active[1:][] as $b
			| ($res[$active[0]]) as $x | ($res[$b]) as $y
			| select($x != null and $y != null and $x.na == null and $y.na == null)
			| {key: $b, value: (
				if $kind == "time" then {wall: div($x.wall_ms.median; $y.wall_ms.median),
							 cpu: div($x.cpu_ms.median; $y.cpu_ms.median)}
				elif $kind == "rss" then {maxrss: div($x.maxrss_kb.median; $y.maxrss_kb.median)}
				elif $kind == "rate" then {per_s: div($x.per_s.median; $y.per_s.median),
							   cpu: div($x.cpu_ms_per_run; $y.cpu_ms_per_run)}
				else {pss: div($x.pss_per_container_kb; $y.pss_per_container_kb)} end)} ]
			| from_entries) ],
	samples: $meas
  }
