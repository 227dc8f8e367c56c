#!/usr/bin/env bats
# cgroups: every linux.resources field read back from the host's cgroup
# files (v1/hybrid and pure v2), the effects of the limits (OOM, pids,
# devices), update, pause/resume, ps, kill --all, events, delete, errors
# and the cgroup namespace.
#
# v1-only tests skip on a pure v2 host (the VM lane), v2-only tests skip on
# v1/hybrid hosts, each with the reason.

load helpers

setup() {
	requires root lwtest
	setup_bundle
	BG_PID=
	HOLD_PID=
	FROZEN_BY_HAND=
}

teardown() {
	[ -n "${BG_PID:-}" ] && kill "$BG_PID" 2>/dev/null
	[ -n "${HOLD_PID:-}" ] && kill -9 "$HOLD_PID" 2>/dev/null
	# thaw what a test froze by hand so teardown can remove it
	[ -n "${FROZEN_BY_HAND:-}" ] && {
		echo THAWED >"/sys/fs/cgroup/freezer$CGROUP_PATH/freezer.state"
		echo 0 >"/sys/fs/cgroup$CGROUP_PATH/cgroup.freeze"
	} 2>/dev/null
	teardown_bundle
}

# cgfile CTRL FILE: FILE of the test's cgroup (v2: the unified directory;
# v1/hybrid: the directory in CTRL's hierarchy).
cgfile() {
	if [ "$(cgroup_mode)" = v2 ]; then
		echo "/sys/fs/cgroup$CGROUP_PATH/$2"
	else
		echo "/sys/fs/cgroup/$1$CGROUP_PATH/$2"
	fi
}

# assert_cg CTRL FILE EXPECTED: the file holds EXPECTED (whole content).
assert_cg() {
	local f v
	f=$(cgfile "$1" "$2")
	[ -e "$f" ] || fail "$f does not exist"
	v=$(cat "$f") || fail "cannot read $f"
	[ "$v" = "$3" ] || fail "$f is '$v', expected '$3'"
}

# The process cgroup: where the container's processes are tracked.
cg_procs() {
	if [ "$(cgroup_mode)" = v2 ]; then
		cat "/sys/fs/cgroup$CGROUP_PATH/cgroup.procs"
	else
		cat "/sys/fs/cgroup/pids$CGROUP_PATH/cgroup.procs"
	fi
}

# Every directory of $CGROUP_PATH that exists, in any hierarchy.
existing_cgroup_dirs() {
	local d
	for d in $(cgroup_dirs); do
		[ -d "$d" ] && echo "$d"
	done
	return 0
}

create_cg() {
	run lw create test_cg
	assert_status 0
	testcontainer test_cg created
}

# A block device (MAJ:MIN of a whole disk) for blkio/io tests, or skip.
block_device() {
	local d
	for d in /sys/block/*; do
		case ${d##*/} in loop* | ram* | zram* | nbd*) continue ;; esac
		[ -r "$d/dev" ] && { cat "$d/dev"; return 0; }
	done
	for d in /sys/block/loop*; do
		[ -r "$d/dev" ] && { cat "$d/dev"; return 0; }
	done
	skip "no block device on this host"
}

# the create failed, and left no state and no cgroup behind
assert_create_left_nothing() {
	[ ! -e "$ROOT/test_cg" ] || fail "state dir $ROOT/test_cg left behind"
	run lw state test_cg
	[ "$status" -ne 0 ] || fail "state test_cg still works after a failed create"
	local left
	left=$(existing_cgroup_dirs)
	[ -z "$left" ] || fail "cgroup dirs left behind: $left"
}

# --- values read back: v1 / hybrid ------------------------------------------

@test "cgroups v1: memory limit, reservation, swap, swappiness" {
	requires v1 cgroup_memory
	update_config '.linux.resources.memory = {"limit": 67108864, "reservation": 33554432, "swappiness": 10}'
	if [ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ]; then
		update_config '.linux.resources.memory.swap = 134217728'
	fi
	create_cg
	assert_cg memory memory.limit_in_bytes 67108864
	assert_cg memory memory.soft_limit_in_bytes 33554432
	assert_cg memory memory.swappiness 10
	if [ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ]; then
		# v1: swap is memory+swap (memsw)
		assert_cg memory memory.memsw.limit_in_bytes 134217728
	fi
}

@test "cgroups v1: cpu shares, quota, period, burst" {
	requires v1 cgroup_cpu
	update_config '.linux.resources.cpu = {"shares": 2048, "quota": 50000, "period": 100000}'
	[ -e /sys/fs/cgroup/cpu/cpu.cfs_burst_us ] && update_config '.linux.resources.cpu.burst = 20000'
	create_cg
	assert_cg cpu cpu.shares 2048
	assert_cg cpu cpu.cfs_quota_us 50000
	assert_cg cpu cpu.cfs_period_us 100000
	[ -e /sys/fs/cgroup/cpu/cpu.cfs_burst_us ] && assert_cg cpu cpu.cfs_burst_us 20000
	true
}

@test "cgroups v1: cpu.idle" {
	requires v1 cgroup_cpu
	[ -e /sys/fs/cgroup/cpu/cpu.idle ] || skip "this kernel has no v1 cpu.idle"
	update_config '.linux.resources.cpu = {"idle": 1}'
	create_cg
	assert_cg cpu cpu.idle 1
}

@test "cgroups v1: cpuset cpus and mems" {
	requires v1 cgroup_cpuset
	update_config '.linux.resources.cpu = {"cpus": "0", "mems": "0"}'
	create_cg
	assert_cg cpuset cpuset.cpus 0
	assert_cg cpuset cpuset.mems 0
}

@test "cgroups v1: pids limit" {
	requires v1 cgroup_pids
	update_config '.linux.resources.pids = {"limit": 42}'
	create_cg
	assert_cg pids pids.max 42
}

@test "cgroups v1: blkio weight and throttles" {
	requires v1 cgroup_blkio
	local dev
	dev=$(block_device)
	local maj=${dev%:*} min=${dev#*:}
	update_config '.linux.resources.blockIO = {"weight": 500,
	  "throttleReadBpsDevice": [{"major": '"$maj"', "minor": '"$min"', "rate": 1048576}],
	  "throttleWriteBpsDevice": [{"major": '"$maj"', "minor": '"$min"', "rate": 2097152}],
	  "throttleReadIOPSDevice": [{"major": '"$maj"', "minor": '"$min"', "rate": 300}],
	  "throttleWriteIOPSDevice": [{"major": '"$maj"', "minor": '"$min"', "rate": 400}]}'
	run lw create test_cg
	if [ "$status" -ne 0 ] && [ "$LEEWARD_NAME" = runc ]; then
		# runc 1.1.5 writes blkio.weight only (CFQ), gone from this kernel
		assert_output_has "blkio.weight"
		skip "runc 1.1.5 knows no blkio.bfq.weight"
	fi
	assert_status 0
	local d=/sys/fs/cgroup/blkio$CGROUP_PATH
	if [ -e "$d/blkio.weight" ]; then
		assert_cg blkio blkio.weight 500
	else
		run cat "$d/blkio.bfq.weight"
		# "default 500" (newer kernels) or "500"
		assert_output_matches "(^|default )500$"
	fi
	assert_cg blkio blkio.throttle.read_bps_device "$dev 1048576"
	assert_cg blkio blkio.throttle.write_bps_device "$dev 2097152"
	assert_cg blkio blkio.throttle.read_iops_device "$dev 300"
	assert_cg blkio blkio.throttle.write_iops_device "$dev 400"
}

@test "cgroups v1: devices.list holds the rules" {
	requires v1 cgroup_devices
	update_config '.linux.resources.devices += [
	  {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"}]'
	create_cg
	run cat "/sys/fs/cgroup/devices$CGROUP_PATH/devices.list"
	assert_status 0
	assert_line_is "c 10:229 rw"
	# not everything is allowed; the default devices are
	assert_output_lacks "a *:* rwm"
	assert_line_is "c 1:3 rwm"
	assert_line_is "c 1:5 rwm"
	if grep -qE '^c 1:11 ' <<<"$output"; then
		fail "c 1:11 (kmsg) allowed: $output"
	fi
}

# leeward does not join named v1 hierarchies (name=systemd): the host's
# tree there is not the container's to see, not even read-only.
@test "cgroups v1: a named hierarchy the container has no cgroup in is not mounted" {
	requires v1
	grep -q ':name=systemd:/$' /proc/self/cgroup || skip "the test shell is not at the root of a name=systemd hierarchy"
	update_config '.mounts += [{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["ro", "nosuid", "noexec", "nodev"]}]'
	set_args sh -c 'ls /sys/fs/cgroup; grep " /sys/fs/cgroup" /proc/self/mountinfo'
	run lw run test_cg
	assert_status 0
	assert_output_lacks "systemd"
	assert_output_has "pids"
}

@test "cgroups v1: unified keys are refused on a host without v2 controllers" {
	requires v1
	update_config '.linux.resources.unified = {"memory.high": "50000000"}'
	run lw create test_cg
	assert_failed
	# the field, not only a path that happens to contain the word
	# (runc 1.1.5: "cannot use unified on cgroup v1")
	if [ "$LEEWARD_NAME" = runc ]; then
		assert_output_has "use unified"
	else
		assert_output_has "linux.resources.unified"
	fi
	assert_create_left_nothing
}

# --- values read back: pure v2 ---------------------------------------------

@test "cgroups v2: memory.max, memory.low, memory.swap.max (limit+swap)" {
	requires v2 cgroup_memory
	update_config '.linux.resources.memory = {"limit": 67108864, "reservation": 33554432, "swap": 100663296}'
	create_cg
	assert_cg memory memory.max 67108864
	assert_cg memory memory.low 33554432
	# OCI swap is memory+swap: swap.max = 96M - 64M
	assert_cg memory memory.swap.max 33554432
}

@test "cgroups v2: swap equal to the limit means no swap, -1 unlimited" {
	requires v2 cgroup_memory
	update_config '.linux.resources.memory = {"limit": 67108864, "swap": 67108864}'
	create_cg
	assert_cg memory memory.swap.max 0
	lw delete test_cg
	update_config '.linux.resources.memory = {"limit": 67108864, "swap": -1}'
	create_cg
	assert_cg memory memory.max 67108864
	assert_cg memory memory.swap.max max
}

@test "cgroups v2: cpu.weight from shares (1024 -> 100), cpu.max, cpu.max.burst" {
	requires v2 cgroup_cpu
	update_config '.linux.resources.cpu = {"shares": 1024, "quota": 50000, "period": 100000, "burst": 20000}'
	create_cg
	assert_cg cpu cpu.weight 100
	assert_cg cpu cpu.max "50000 100000"
	assert_cg cpu cpu.max.burst 20000
	lw delete test_cg
	# the quadratic mapping of runc/crun: 2 -> 1, 2048 -> 174, 262144 -> 10000
	local s w
	for s in 2:1 2048:174 262144:10000; do
		update_config ".linux.resources.cpu = {\"shares\": ${s%:*}}"
		create_cg
		assert_cg cpu cpu.weight "${s#*:}"
		lw delete test_cg
	done
}

@test "cgroups v2: cpu.idle" {
	requires v2 cgroup_cpu
	update_config '.linux.resources.cpu = {"idle": 1}'
	create_cg
	assert_cg cpu cpu.idle 1
}

@test "cgroups v2: cpuset.cpus and cpuset.mems" {
	requires v2 cgroup_cpuset
	update_config '.linux.resources.cpu = {"cpus": "0", "mems": "0"}'
	create_cg
	assert_cg cpuset cpuset.cpus 0
	assert_cg cpuset cpuset.mems 0
}

@test "cgroups v2: pids.max" {
	requires v2 cgroup_pids
	update_config '.linux.resources.pids = {"limit": 42}'
	create_cg
	assert_cg pids pids.max 42
}

@test "cgroups v2: io.weight (or io.bfq.weight) and io.max" {
	requires v2 cgroup_io
	local dev
	dev=$(block_device)
	local maj=${dev%:*} min=${dev#*:}
	update_config '.linux.resources.blockIO = {"weight": 500,
	  "throttleReadBpsDevice": [{"major": '"$maj"', "minor": '"$min"', "rate": 1048576}],
	  "throttleWriteIOPSDevice": [{"major": '"$maj"', "minor": '"$min"', "rate": 400}]}'
	create_cg
	local d=/sys/fs/cgroup$CGROUP_PATH
	if [ -e "$d/io.bfq.weight" ]; then
		run cat "$d/io.bfq.weight"
		assert_output_matches "default 500"
	else
		# blkio 10..1000 -> io 1..10000
		run cat "$d/io.weight"
		assert_output_matches "default 4950"
	fi
	run cat "$d/io.max"
	assert_line_matches "^$dev rbps=1048576 wbps=max riops=max wiops=400$"
}

@test "cgroups v2: hugetlb.<size>.max" {
	requires v2 cgroup_hugetlb
	[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2MB huge pages"
	update_config '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]'
	create_cg
	assert_cg hugetlb hugetlb.2MB.max 4194304
}

@test "cgroups v2: unified keys are written as given" {
	requires v2 cgroup_memory cgroup_pids
	update_config '.linux.resources.unified = {"memory.high": "50003968", "pids.max": "17"}'
	create_cg
	assert_cg memory memory.high 50003968
	assert_cg pids pids.max 17
}

@test "cgroups v2: an unknown unified key fails create, naming it" {
	requires v2
	update_config '.linux.resources.unified = {"memory.no_such_file": "1"}'
	run lw create test_cg
	assert_failed
	assert_output_has "memory.no_such_file"
	assert_create_left_nothing
}

@test "cgroups v2: device rules are enforced with eBPF (no devices.list)" {
	requires v2
	add_kmsg
	set_args lwtest open /dev/kmsg w
	run lw run test_cg
	assert_status 1
	assert_line_is "EPERM"
	[ ! -e "/sys/fs/cgroup$CGROUP_PATH/devices.list" ] || fail "devices.list on v2?"
}

# --- effects ----------------------------------------------------------------

# /dev/kmsg (c 1:11) in the container: not among the devices runc (and
# leeward) allow by default.  Bind-mounted from the host, not listed in
# linux.devices (runc allows those rwm in the cgroup).  Opened write-only,
# so dmesg_restrict plays no part: only the device cgroup decides.
add_kmsg() {
	update_config '.mounts += [{"destination": "/dev/kmsg", "type": "bind", "source": "/dev/kmsg", "options": ["bind"]}]'
}

@test "cgroups: device rules: denied by default (EPERM), allowed by a rule, denied again" {
	add_kmsg
	set_args sh -c 'lwtest open /dev/kmsg w; lwtest open /dev/zero r'
	run lw run test_cg
	[ "$(sed -n 1p <<<"$output")" = EPERM ] || fail "/dev/kmsg was not denied: $output"
	[ "$(sed -n 2p <<<"$output")" = ok ] || fail "/dev/zero was denied: $output"
	update_config '.linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "w"}]'
	run lw run test_cg
	[ "$(sed -n 1p <<<"$output")" = ok ] || fail "/dev/kmsg allowed but not opened: $output"
	# a later deny wins over the earlier allow
	update_config '.linux.resources.devices += [{"allow": false, "type": "c", "major": 1, "minor": 11, "access": "rwm"}]'
	run lw run test_cg
	[ "$(sed -n 1p <<<"$output")" = EPERM ] || fail "/dev/kmsg denied again but opened: $output"
}

@test "cgroups: a deny of /dev/null is overridden by the default devices (as runc)" {
	# runc appends its default allowed devices (/dev/null among them) after
	# linux.resources.devices, so this deny has no effect
	update_config '.linux.resources.devices += [{"allow": false, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]'
	set_args lwtest open /dev/null rw
	run lw run test_cg
	assert_status 0
	assert_line_is "ok"
}

@test "cgroups: a memory limit OOM-kills an allocating process; events reports oom" {
	requires cgroup_memory
	update_config '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	if [ "$(cgroup_mode)" != v2 ] && [ ! -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ]; then
		update_config 'del(.linux.resources.memory.swap)'
	fi
	run lw run -d test_cg
	assert_status 0
	"$LEEWARD" --root "$ROOT" events --interval 1s test_cg >"$BATS_TEST_TMPDIR/events" 2>&1 3>&- &
	BG_PID=$!
	sleep 1
	# dd's 64M buffer, filled from /dev/zero, does not fit in 32M
	run lw exec test_cg dd if=/dev/zero of=/dev/null bs=64M count=1
	assert_status 137
	local i
	for ((i = 0; i < 100; i++)); do
		grep -q '"type":"oom"' "$BATS_TEST_TMPDIR/events" && break
		sleep 0.1
	done
	grep -q '"type":"oom"' "$BATS_TEST_TMPDIR/events" ||
		fail "no oom event: $(cat "$BATS_TEST_TMPDIR/events")"
	grep '"type":"oom"' "$BATS_TEST_TMPDIR/events" | head -n1 | jq -e '.id == "test_cg"' >/dev/null ||
		fail "oom event without the id: $(cat "$BATS_TEST_TMPDIR/events")"
	# the container itself survives its child's OOM
	testcontainer test_cg running
}

@test "cgroups: events --stats prints one stats object" {
	update_config '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 50}'
	run lw run -d test_cg
	assert_status 0
	run lw events --stats test_cg
	assert_status 0
	local j=$output
	jq -e '.type == "stats" and .id == "test_cg"' <<<"$j" >/dev/null || fail "shape: $j"
	jq -e '.data.pids.current >= 1' <<<"$j" >/dev/null || fail "pids.current: $j"
	jq -e '.data.pids.limit == 50' <<<"$j" >/dev/null || fail "pids.limit: $j"
	jq -e '.data.memory.usage.limit == 67108864' <<<"$j" >/dev/null || fail "memory.usage.limit: $j"
	jq -e '.data.memory.usage.usage > 0' <<<"$j" >/dev/null || fail "memory.usage.usage: $j"
	jq -e '.data.cpu.usage.total | type == "number"' <<<"$j" >/dev/null || fail "cpu.usage.total: $j"
	# exactly one JSON value
	[ "$(jq -s length <<<"$j")" = 1 ] || fail "more than one object: $j"
}

# On v1 the init is forked by a helper that moved only itself into the
# container's hierarchies (runtime/spawn.c): no cgroup.procs write, no RCU
# grace period. The result must be the same as an attach.
@test "cgroups: the init starts in every hierarchy, the runtime stays in its own" {
	set_args sleep 30
	local mine
	mine=$(grep -v ':name=' /proc/self/cgroup)
	lw_bg run test_cg
	BG_PID=$!
	wait_for_container 100 0.05 test_cg running
	local pid lines l
	pid=$(lw state test_cg | jq -r .pid)
	lines=$(grep -v ':name=' "/proc/$pid/cgroup")
	[ -n "$lines" ] || fail "no cgroups for pid $pid"
	while IFS= read -r l; do
		[ "${l#*:*:}" = "$CGROUP_PATH" ] || fail "init $pid: '$l', expected $CGROUP_PATH in every hierarchy: $lines"
	done <<<"$lines"
	# the foreground runtime (and this shell) never moved
	[ "$(grep -v ':name=' "/proc/$BG_PID/cgroup")" = "$mine" ] ||
		fail "the runtime moved: $(cat "/proc/$BG_PID/cgroup")"
	[ "$(grep -v ':name=' /proc/self/cgroup)" = "$mine" ] || fail "the test shell moved"
	# an exec'd process joins the same way
	run lw exec test_cg cat /proc/self/cgroup
	assert_status 0
	while IFS= read -r l; do
		case $l in *:name=*) continue ;; esac
		[ "${l#*:*:}" = / ] || [ "${l#*:*:}" = "$CGROUP_PATH" ] ||
			fail "exec: '$l': $output"
	done <<<"$output"
	lw kill test_cg KILL
}

@test "cgroups: exec --cgroup puts the process in a sub-cgroup of the unified tree, the v1 ones whole" {
	set_args sleep 300
	run lw run -d test_cg
	assert_status 0
	local uni
	if [ "$(cgroup_mode)" = v2 ]; then
		uni=/sys/fs/cgroup$CGROUP_PATH
	else
		[ -d "/sys/fs/cgroup/unified$CGROUP_PATH" ] || skip "no unified cgroup for the container on this host"
		uni=/sys/fs/cgroup/unified$CGROUP_PATH
	fi
	mkdir "$uni/sub"
	run lw exec --cgroup sub test_cg cat /proc/self/cgroup
	assert_status 0
	local l
	while IFS= read -r l; do
		case $l in
		0::*) [ "${l#0::}" = "$CGROUP_PATH/sub" ] || fail "unified: '$l'" ;;
		*:name=*) ;;
		*) [ "${l#*:*:}" = "$CGROUP_PATH" ] || fail "v1: '$l'" ;;
		esac
	done <<<"$output"
	assert_output_matches "0::[^ ]*/sub"
	run lw exec --cgroup ../escape test_cg true
	assert_failed
	assert_output_has "--cgroup"
	run lw exec --cgroup nosuch test_cg true
	assert_failed
	assert_output_has "nosuch"
	lw kill test_cg KILL
}

@test "cgroups: a pids limit of 1 still starts the init (the spawn helper steps back)" {
	# the v1 helper counts against pids.max while it forks: at 1 that
	# fails with EAGAIN and the runtime forks and attaches the usual way
	update_config '.linux.resources.pids = {"limit": 1}'
	set_args lwtest pid
	run lw run test_cg
	assert_status 0
	assert_output_has "pid=1"
	assert_no_leftovers test_cg
}

@test "cgroups: a pids limit makes fork fail" {
	update_config '.linux.resources.pids = {"limit": 4}'
	set_args sh -c 'i=0; while [ $i -lt 10 ]; do sleep 30 & i=$((i+1)); done; echo spawned $i'
	run lw run test_cg
	assert_output_matches "fork|Resource temporarily unavailable"
	assert_output_lacks "spawned 10"
}

@test "cgroups: update changes live limits (flags and -r FILE)" {
	update_config '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 20}
	  | .linux.resources.cpu = {"shares": 1024, "quota": 10000, "period": 100000}'
	run lw run -d test_cg
	assert_status 0
	run lw update --memory 104857600 --pids-limit 42 --cpu-quota 20000 --cpu-period 100000 --cpu-share 2048 test_cg
	assert_status 0
	assert_cg pids pids.max 42
	if [ "$(cgroup_mode)" = v2 ]; then
		assert_cg memory memory.max 104857600
		assert_cg cpu cpu.max "20000 100000"
		assert_cg cpu cpu.weight 174
	else
		assert_cg memory memory.limit_in_bytes 104857600
		assert_cg cpu cpu.cfs_quota_us 20000
		assert_cg cpu cpu.shares 2048
	fi
	cat >"$BATS_TEST_TMPDIR/res.json" <<-'EOF'
	{"memory": {"limit": 134217728}, "pids": {"limit": 77}, "cpu": {"shares": 512, "quota": 30000, "period": 100000}}
	EOF
	run lw update -r "$BATS_TEST_TMPDIR/res.json" test_cg
	assert_status 0
	assert_cg pids pids.max 77
	if [ "$(cgroup_mode)" = v2 ]; then
		assert_cg memory memory.max 134217728
		assert_cg cpu cpu.max "30000 100000"
		assert_cg cpu cpu.weight 59
	else
		assert_cg memory memory.limit_in_bytes 134217728
		assert_cg cpu cpu.cfs_quota_us 30000
		assert_cg cpu cpu.shares 512
	fi
	# the container still runs, and the new pids limit is live
	testcontainer test_cg running
}

@test "cgroups: update with a value the kernel rejects fails and names it" {
	run lw run -d test_cg
	assert_status 0
	run lw update --cpuset-cpus 4095 test_cg
	assert_failed
	assert_output_has "cpus"
	testcontainer test_cg running
}

@test "cgroups: pause freezes, resume thaws" {
	set_args sh -c 'i=0; while :; do i=$((i+1)); echo $i >/counter; sleep 0.1; done'
	run lw run -d test_cg
	assert_status 0
	wait_for_file "$BUNDLE/rootfs/counter"
	sleep 0.3
	run lw pause test_cg
	assert_status 0
	testcontainer test_cg paused
	if [ "$(cgroup_mode)" = v2 ]; then
		assert_cg x cgroup.freeze 1
	else
		assert_cg freezer freezer.state FROZEN
	fi
	local a b
	a=$(cat "$BUNDLE/rootfs/counter")
	sleep 1
	b=$(cat "$BUNDLE/rootfs/counter")
	[ "$a" = "$b" ] || fail "counter advanced while paused: $a -> $b"
	run lw resume test_cg
	assert_status 0
	testcontainer test_cg running
	sleep 1
	b=$(cat "$BUNDLE/rootfs/counter")
	[ "$b" -gt "$a" ] || fail "counter did not advance after resume: $a -> $b"
	# resume of a running container fails, as runc
	run lw resume test_cg
	assert_failed
}

@test "cgroups: ps lists the container's processes (table and json)" {
	run lw run -d test_cg
	assert_status 0
	local pid
	pid=$(container_pid test_cg)
	run lw ps test_cg
	assert_status 0
	assert_line_matches '^UID +PID +PPID'
	assert_line_matches "^[^ ]+ +$pid .*sleep"
	run lw ps --format json test_cg
	assert_status 0
	jq -e --argjson p "$pid" 'type == "array" and index($p) != null' <<<"$output" >/dev/null ||
		fail "ps json: $output"
	# ps of a container that does not exist fails
	run lw ps nosuch
	assert_failed
}

@test "cgroups: kill --all signals every process in the cgroup" {
	# no pid namespace: killing init would not take the others with it
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	set_args sh -c 'sleep 1000 & sleep 1000 & echo ready >/ready; wait'
	run lw run -d test_cg
	assert_status 0
	wait_for_file "$BUNDLE/rootfs/ready"
	[ "$(cg_procs | wc -l)" -ge 3 ] || fail "expected 3 processes: $(cg_procs)"
	run lw kill --all test_cg KILL
	assert_status 0
	local i
	for ((i = 0; i < 50; i++)); do
		[ -z "$(cg_procs)" ] && break
		sleep 0.1
	done
	[ -z "$(cg_procs)" ] || fail "processes left in the cgroup: $(cg_procs)"
	wait_for_container 50 0.1 test_cg stopped
}

@test "cgroups: delete leaves no cgroup directory in any hierarchy" {
	update_config '.linux.resources.memory = {"limit": 67108864} | .linux.resources.pids = {"limit": 50}
	  | .linux.resources.cpu = {"shares": 512}'
	create_cg
	[ -n "$(existing_cgroup_dirs)" ] || fail "create made no cgroup directory"
	if [ "$(cgroup_mode)" != v2 ]; then
		local c
		for c in memory pids cpu devices freezer; do
			[ -d "/sys/fs/cgroup/$c" ] || continue
			[ -d "/sys/fs/cgroup/$c$CGROUP_PATH" ] || fail "no $c cgroup"
		done
	fi
	run lw delete test_cg
	assert_status 0
	run existing_cgroup_dirs
	[ -z "$output" ] || fail "left behind: $output"
	# and after a foreground run (which deletes the container itself)
	set_args true
	run lw run test_cg
	assert_status 0
	run existing_cgroup_dirs
	[ -z "$output" ] || fail "left behind after run: $output"
	# and delete --force of a running one
	run lw run -d test_cg
	run lw delete --force test_cg
	assert_status 0
	run existing_cgroup_dirs
	[ -z "$output" ] || fail "left behind after delete --force: $output"
}

# --- errors -----------------------------------------------------------------

@test "cgroups: a cpuset the kernel rejects fails create, naming the field" {
	update_config '.linux.resources.cpu = {"cpus": "4095"}'
	run lw create test_cg
	assert_failed
	assert_output_has "cpus"
	assert_create_left_nothing
}

@test "cgroups: an invalid memory limit fails create" {
	# -1 is "unlimited"; -2 is nothing (runc: the kernel refuses it)
	update_config '.linux.resources.memory = {"limit": -2}'
	run lw create test_cg
	assert_failed
	assert_output_has "memory"
	assert_create_left_nothing
}

@test "cgroups: a cgroupsPath with .. is refused" {
	# cleaned, this is $CGROUP_PATH itself, so nothing can escape
	update_config ".linux.cgroupsPath = \"$CGROUP_PATH/../..$CGROUP_PATH\""
	run lw create test_cg
	assert_failed
	assert_output_has "cgroupsPath"
	assert_create_left_nothing
}

@test "cgroups: an existing non-empty cgroup is refused" {
	local d dirs
	if [ "$(cgroup_mode)" = v2 ]; then
		dirs=/sys/fs/cgroup$CGROUP_PATH
	else
		dirs="/sys/fs/cgroup/pids$CGROUP_PATH"
		[ -d /sys/fs/cgroup/unified ] && dirs+=" /sys/fs/cgroup/unified$CGROUP_PATH"
	fi
	sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	HOLD_PID=$!
	for d in $dirs; do
		mkdir -p "$d"
		echo "$HOLD_PID" >"$d/cgroup.procs"
	done
	run lw create test_cg
	assert_failed
	assert_output_matches "cgroup"
	[ ! -e "$ROOT/test_cg" ] || fail "state dir left behind"
	# the runtime did not touch the process it does not own
	kill -0 "$HOLD_PID" || fail "the process in the existing cgroup was killed"
	{ kill -9 "$HOLD_PID" && wait "$HOLD_PID"; } 2>/dev/null || true
	HOLD_PID=
}

@test "cgroups: an existing frozen cgroup is refused" {
	FROZEN_BY_HAND=1
	if [ "$(cgroup_mode)" = v2 ]; then
		mkdir -p "/sys/fs/cgroup$CGROUP_PATH"
		echo 1 >"/sys/fs/cgroup$CGROUP_PATH/cgroup.freeze"
	else
		requires cgroup_freezer
		mkdir -p "/sys/fs/cgroup/freezer$CGROUP_PATH"
		echo FROZEN >"/sys/fs/cgroup/freezer$CGROUP_PATH/freezer.state"
	fi
	run lw create test_cg
	assert_failed
	assert_output_matches "[Ff]rozen"
	[ ! -e "$ROOT/test_cg" ] || fail "state dir left behind"
	run lw state test_cg
	[ "$status" -ne 0 ] || fail "state works after a failed create"
}

# --- cgroup namespace -------------------------------------------------------

@test "cgroups: in a cgroup namespace the container's cgroup is its root" {
	update_config '.linux.namespaces += [{"type": "cgroup"}]'
	set_args lwtest cgroup
	run lw run test_cg
	assert_status 0
	assert_line_is "0::/"
	assert_output_lacks "leeward-test"
	assert_output_lacks ".."
	# an exec'd process is in the same namespace and cgroup
	set_args sleep 3600
	run lw run -d test_cg
	assert_status 0
	run lw exec test_cg lwtest cgroup
	assert_status 0
	assert_line_is "0::/"
	assert_output_lacks ".."
}
