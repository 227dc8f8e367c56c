# Results JSON (bench/run.sh) -> Markdown. Used by bench/report.sh.

# Numbers below 100 with one decimal ("5.0"), larger ones whole.
def fmt: if . == null then "?" elif (. | type) == "number" then
	(if . >= 100 then (. + 0.5 | floor | tostring)
	 else (. * 10 | round) as $x | "\($x / 10 | floor).\($x % 10)" end)
	else tostring end;
def fmt2: if . == null then "?" else (. * 100 | round / 100 | tostring) end;
def ratio($a; $b): if $a == null or $b == null or $b == 0 then "–" else ($a / $b) | fmt2 end;
def mb: . / 1024 | fmt;
# A difference with its sign: "+0.4", "-0.2".
def sfmt: if . == null then "?" elif . < 0 then "-" + (-. | fmt) else "+" + fmt end;

def fails: if (.failed // 0) > 0 then " (\(.failed) failed)" elif (.failed_rounds // 0) > 0 then " (\(.failed_rounds) rounds failed)" else "" end;

# The two cells (main figure, CPU/second figure) of a result.
def cells($kind):
	if . == null then ["–", "–"]
	elif .na != null then [.na, ""]
	elif $kind == "time" then
		if .wall_ms == null then ["fail (\(.failed)/\(.n))", ""]
		else ["\(.wall_ms.median | fmt) / \(.wall_ms.p90 | fmt)\(fails)",
		      "\(.cpu_ms.median | fmt) / \(.cpu_ms.p90 | fmt)"] end
	elif $kind == "rss" then
		if .maxrss_kb == null then ["fail", ""]
		else ["\(.maxrss_kb.median | mb) / \(.maxrss_kb.p90 | mb) MB", ""] end
	elif $kind == "rate" then
		if .per_s == null then ["fail (\(.failed_rounds)/\(.rounds) rounds)", ""]
		else ["\(.per_s.median | fmt)/s (\(.per_s.min | fmt)–\(.per_s.max | fmt))\(fails)",
		      "\(.cpu_ms_per_run | fmt) per run"] end
	else # mem
		if .error != null then [.error, ""]
		else ["\(.pss_per_container_kb | fmt) kB",
		      "\(.overhead_pss_per_container_kb | fmt) kB, \(.outside_procs + .cgroup_other_procs) procs"] end
	end;

# A/B of the main figure and of CPU.
def ratios($kind; $a; $b):
	if $a == null or $b == null or $a.na != null or $b.na != null then ["–", "–"]
	elif $kind == "time" then [ratio($a.wall_ms.median; $b.wall_ms.median), ratio($a.cpu_ms.median; $b.cpu_ms.median)]
	elif $kind == "rss" then [ratio($a.maxrss_kb.median; $b.maxrss_kb.median), "–"]
	elif $kind == "rate" then [ratio($a.per_s.median; $b.per_s.median), ratio($a.cpu_ms_per_run; $b.cpu_ms_per_run)]
	else [ratio($a.pss_per_container_kb; $b.pss_per_container_kb), "–"] end;

def row: "| " + join(" | ") + " |";

. as $r
| ($r.runtimes | map(.name)) as $names
| $r.baseline as $a
| ($r.runtimes | map(select(.status == "ok" and .name != $a) | .name)) as $bs
| [
  "# leeward benchmark — \($r.date)",
  "",
  "- leeward commit \($r.config.commit // "?")",
  "- host: `\($r.host)`, \($r.machine.os), kernel \($r.machine.kernel) \($r.machine.arch)",
  "- CPU: \($r.machine.cpu), \($r.machine.cpus) cores, \($r.machine.mem_kb / 1048576 * 10 | round / 10) GiB RAM; cgroups: \($r.machine.cgroup); load average \($r.machine.loadavg_start // "?") at the start, \($r.machine.loadavg_end // "?") at the end",
  ("- N = \($r.config.n) samples per timed case, ABBA order"
   + (if any($r.cases[]; .kind == "rate") then "; throughput: \($r.config.tp_rounds) rounds of \($r.config.tp_runs) containers" else "" end)
   + (if any($r.cases[]; .kind == "mem") then "; memory: \($r.config.mem_n) containers" else "" end)
   + "; \($r.seconds) s of measuring"),
  "- runtimes:",
  ($r.runtimes[] | "  - **\(.name)**: `\(.cmd)`" + (if .version != "" then " (\(.version))" else "" end)
	+ (if .status != "ok" then " — \(.status)" else "" end)
	+ (if .name == $a then " — A" else "" end)),
  "",
  "Times in ms, median / p90 (nearest rank). Wall: CLOCK_MONOTONIC around spawn..wait4 of the runtime command. CPU: user+sys of the runtime command and every process it waited for (the container process that outlives `create`/`run -d` is not counted). A/B: A's median over B's (below 1: A is faster or smaller; for throughput, above 1: A does more per second).",
  "",
  ( ["case"] + [ $names[] | ("\(.) wall", "\(.) CPU") ] + [ $bs[] | ("\($a)/\(.) wall", "\($a)/\(.) CPU") ] | row ),
  ( ["---"] + [ $names[] | ("---:", "---:") ] + [ $bs[] | ("---:", "---:") ] | row ),
  ( $r.cases[] as $c
    | ( [$c.label] + [ $names[] as $n | ($c.results[$n] | cells($c.kind))[] ]
        + [ $bs[] as $b | ratios($c.kind; $c.results[$a]; $c.results[$b])[] ] | row ) ),
  "",
  "Peak RSS: ru_maxrss of the `run` command (max over it and the processes it waited for), median / p90. Memory per container: Pss (from smaps_rollup) of every process in the containers' cgroups plus every process the runtime left behind, over \($r.config.mem_n) detached `sleep 1000` containers, divided by \($r.config.mem_n); the second figure is the part that is not the container's own process, and how many such processes there were.",
  "",
  ( if $r.floor.floor != null or $r.floor.floor_cgroup != null then
    ( "## Kernel floor",
      "",
      "`bench/floor.c`: clone3(NEWUSER|NEWPID|NEWNS|NEWNET|NEWIPC|NEWUTS), uid/gid maps from the parent, rootfs private + bind, /proc, pivot_root, execve /bin/true; the parent waits. `+cgroup`: also CLONE_INTO_CGROUP into a fresh cgroup made and removed around the run. Measured in its own loop (the two variants in ABBA order) after the `run` case; the ratios divide each runtime's `run` medians by the floor's.",
      "",
      ( ["", "wall", "CPU"] + [ $r.runtimes[] | select(.status == "ok") | "\(.name) run / floor (wall, CPU)" ] | row ),
      ( ["---", "---:", "---:"] + [ $r.runtimes[] | select(.status == "ok") | "---:" ] | row ),
      ( [ ["floor", $r.floor.floor], ["floor +cgroup", $r.floor.floor_cgroup] ][]
        | select(.[1] != null) | .[0] as $lbl | .[1] as $f
        | ( [$lbl] + ($f | cells("time"))
            + [ $r.runtimes[] | select(.status == "ok") | .name as $n
                | ($r.cases[] | select(.id == "run") | .results[$n]) as $x
                | if $x == null or $x.wall_ms == null or $f.wall_ms == null then "–"
                  else "\(ratio($x.wall_ms.median; $f.wall_ms.median)), \(ratio($x.cpu_ms.median; $f.cpu_ms.median))" end ]
          | row ) ),
      "" )
    else empty end ),
  ( if $r.floor.spawn != null and $r.floor.spawn.wall_ms != null then
    ( $r.floor.spawn as $s
      | "Process floor (`bench/noop.c`: a static binary that returns at once, spawned and reaped like every sample): \($s.wall_ms.median | fmt) / \($s.wall_ms.p90 | fmt) ms wall, \($s.cpu_ms.median | fmt) / \($s.cpu_ms.p90 | fmt) ms CPU. `start`, `state` and `delete` each pay it once; above it, median wall (CPU): "
        + ([ $r.runtimes[] | select(.status == "ok") | .name as $n
             | [ $r.cases[] | select(.id == "start" or .id == "state" or .id == "delete")
                 | .id as $id | .results[$n]
                 | select(. != null and .wall_ms != null)
                 | "\($id) \(.wall_ms.median - $s.wall_ms.median | sfmt) (\(.cpu_ms.median - $s.cpu_ms.median | sfmt))" ]
             | select(length > 0) | "\($n) " + join(", ") ] | join("; ")) + ".",
      "" )
    else empty end )
  ] | .[]
