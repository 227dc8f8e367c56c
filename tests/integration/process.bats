#!/usr/bin/env bats
# config.process: user, groups, umask, cwd, env, args, capabilities,
# rlimits, noNewPrivileges, oomScoreAdj, personality, scheduler, ioPriority.

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

@test "process: user uid, gid and additional groups" {
	update_config '.process.user = {"uid": 1000, "gid": 1001, "additionalGids": [20, 30]}'
	set_args lwtest ids
	run lw run test_busybox
	assert_status 0
	assert_line_is "uid=1000"
	assert_line_is "euid=1000"
	assert_line_is "gid=1001"
	assert_line_is "egid=1001"
	[ "$(value groups | tr ',' '\n' | sort -n | tr '\n' ' ')" = "20 30 " ] ||
		[ "$(value groups | tr ',' '\n' | sort -n | tr '\n' ' ')" = "20 30 1001 " ] || fail "groups: $(value groups)"
}

@test "process: root with no additionalGids has no supplementary groups" {
	set_args lwtest ids
	run lw run test_busybox
	assert_status 0
	assert_line_is "uid=0"
	[ -z "$(value groups)" ] || [ "$(value groups)" = 0 ] || fail "groups: $(value groups)"
}

@test "process: umask" {
	update_config '.process.user.umask = 63'
	set_args lwtest umask
	run lw run test_busybox
	assert_status 0
	[ "$output" = "0077" ] || fail "umask $output"
}

@test "process: default umask is 0022" {
	set_args lwtest umask
	run lw run test_busybox
	assert_status 0
	[ "$output" = "0022" ] || fail "umask $output"
}

@test "process: cwd, created when missing" {
	update_config '.process.cwd = "/var/tmp/new/dir"'
	set_args lwtest cwd
	run lw run test_busybox
	assert_status 0
	[ "$output" = /var/tmp/new/dir ] || fail "cwd $output"
}

@test "process: env is exactly process.env (plus HOME)" {
	update_config '.process.env = ["PATH=/bin", "A=1", "B=two words", "EMPTY="]'
	set_args lwtest env
	run lw run test_busybox
	assert_status 0
	assert_line_is "PATH=/bin"
	assert_line_is "A=1"
	assert_line_is "B=two words"
	assert_line_is "EMPTY="
	local extra
	extra=$(grep -vE '^(PATH|A|B|EMPTY|HOME)=' <<<"$output" || true)
	[ -z "$extra" ] || fail "unexpected env: $extra"
	assert_line_is "HOME=/root"
}

@test "process: the host's environment does not leak in" {
	update_config '.process.env = ["PATH=/bin"]'
	set_args lwtest env
	LEEWARD_LEAK_CHECK=host-secret run lw run test_busybox
	assert_status 0
	assert_output_lacks "host-secret"
}

@test "process: args are passed verbatim, PATH lookup of args[0]" {
	set_args lwtest exit 7
	run lw run test_busybox
	assert_status 7
	set_args /bin/lwtest env
	update_config '.process.env = ["PATH=/bin", "X=a b  c"]'
	run lw run test_busybox
	assert_status 0
	assert_line_is "X=a b  c"
}

@test "process: the five capability sets of root" {
	# KILL(5) NET_BIND_SERVICE(10) AUDIT_WRITE(29)
	set_args lwtest caps
	run lw run test_busybox
	assert_status 0
	local want=0000000020000420
	[ "$(value bnd)" = $want ] || fail "bounding: $output"
	[ "$(value prm)" = $want ] || fail "permitted: $output"
	[ "$(value eff)" = $want ] || fail "effective: $output"
	[ "$(value inh)" = 0000000000000000 ] || fail "inheritable: $output"
	# ambient needs the cap in inheritable too (kernel rule), so it stays empty
	[ "$(value amb)" = 0000000000000000 ] || fail "ambient: $output"
}

@test "process: each capability set separately" {
	# CHOWN(0) DAC_OVERRIDE(1) KILL(5) SYS_ADMIN(21)
	update_config '.process.capabilities = {
	  "bounding": ["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_KILL","CAP_SYS_ADMIN"],
	  "permitted": ["CAP_CHOWN","CAP_KILL","CAP_SYS_ADMIN"],
	  "effective": ["CAP_CHOWN","CAP_SYS_ADMIN"],
	  "inheritable": ["CAP_CHOWN","CAP_KILL"],
	  "ambient": ["CAP_CHOWN"]}'
	set_args lwtest caps
	run lw run test_busybox
	assert_status 0
	[ "$(value bnd)" = 0000000000200023 ] || fail "bounding: $output"
	[ "$(value prm)" = 0000000000200021 ] || fail "permitted: $output"
	# uid 0 gets effective = permitted at execve (kernel rule for root)
	[ "$(value eff)" = 0000000000200021 ] || fail "effective: $output"
	[ "$(value inh)" = 0000000000000021 ] || fail "inheritable: $output"
	[ "$(value amb)" = 0000000000000001 ] || fail "ambient: $output"
}

@test "process: a non-root user keeps ambient capabilities" {
	update_config '.process.user = {"uid": 1000, "gid": 1000}
	  | .process.capabilities = {"bounding":["CAP_NET_BIND_SERVICE"],"permitted":["CAP_NET_BIND_SERVICE"],
	     "effective":["CAP_NET_BIND_SERVICE"],"inheritable":["CAP_NET_BIND_SERVICE"],"ambient":["CAP_NET_BIND_SERVICE"]}'
	set_args lwtest caps
	run lw run test_busybox
	assert_status 0
	[ "$(value eff)" = 0000000000000400 ] || fail "effective: $output"
	[ "$(value amb)" = 0000000000000400 ] || fail "ambient: $output"
}

@test "process: no capabilities at all" {
	update_config '.process.capabilities = {}'
	set_args lwtest caps
	run lw run test_busybox
	assert_status 0
	local s
	for s in bnd prm eff amb inh; do
		[ "$(value $s)" = 0000000000000000 ] || fail "$s: $output"
	done
}

@test "process: rlimits" {
	update_config '.process.rlimits = [
	  {"type":"RLIMIT_NOFILE","soft":100,"hard":200},
	  {"type":"RLIMIT_CORE","soft":0,"hard":0},
	  {"type":"RLIMIT_NPROC","soft":4096,"hard":8192}]'
	set_args sh -c 'lwtest rlimit NOFILE; lwtest rlimit CORE; lwtest rlimit NPROC'
	run lw run test_busybox
	assert_status 0
	[ "$(sed -n 1,2p <<<"$output" | tr '\n' ' ')" = "soft=100 hard=200 " ] || fail "NOFILE: $output"
	[ "$(sed -n 3,4p <<<"$output" | tr '\n' ' ')" = "soft=0 hard=0 " ] || fail "CORE: $output"
	[ "$(sed -n 5,6p <<<"$output" | tr '\n' ' ')" = "soft=4096 hard=8192 " ] || fail "NPROC: $output"
}

@test "process: an rlimit above the hard limit fails without CAP_SYS_RESOURCE" {
	requires root
	if grep -q '^CapEff:.*' /proc/self/status && [ $(( 0x$(awk '/^CapEff/ {print $2}' /proc/self/status) >> 24 & 1 )) -eq 1 ]; then
		skip "the runner has CAP_SYS_RESOURCE"
	fi
	local hard
	hard=$(ulimit -Hn)
	update_config '.process.rlimits = [{"type":"RLIMIT_NOFILE","soft":'"$((hard + 1))"',"hard":'"$((hard + 1))"'}]'
	run lw run test_busybox
	assert_failed
	# runc 1.1.5 says "rlimit type 7": expected to fail there.
	assert_output_has "RLIMIT_NOFILE"
	assert_no_leftovers test_busybox
}

@test "process: noNewPrivileges true and false" {
	set_args lwtest nnp
	run lw run test_busybox
	assert_status 0
	[ "$output" = 1 ] || fail "nnp: $output"
	update_config '.process.noNewPrivileges = false'
	run lw run test_busybox
	assert_status 0
	[ "$output" = 0 ] || fail "nnp: $output"
}

@test "process: oomScoreAdj" {
	update_config '.process.oomScoreAdj = 500'
	set_args lwtest oomscore
	run lw run test_busybox
	assert_status 0
	[ "$output" = 500 ] || fail "oom_score_adj $output"
}

@test "process: personality LINUX32" {
	# runc 1.1.5 ignores linux.personality (added in runc 1.2): expected to fail there.
	update_config '.linux.personality = {"domain": "LINUX32"}'
	set_args lwtest personality
	run lw run test_busybox
	assert_status 0
	[ "$output" = 0x8 ] || fail "personality $output"
}

@test "process: scheduler SCHED_BATCH with nice" {
	# runc 1.1.5 has no process.scheduler: expected to fail there.
	update_config '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 5}'
	set_args lwtest sched
	run lw run test_busybox
	assert_status 0
	assert_line_is "policy=SCHED_BATCH"
	assert_line_is "nice=5"
}

@test "process: ioPriority" {
	# runc 1.1.5 has no process.ioPriority: expected to fail there.
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_IDLE", "priority": 7}'
	set_args lwtest ioprio
	run lw run test_busybox
	assert_status 0
	assert_line_is "class=IOPRIO_CLASS_IDLE"
	assert_line_is "priority=7"
}

@test "process: seccomp is off unless configured" {
	set_args lwtest seccomp
	run lw run test_busybox
	assert_status 0
	assert_line_is "seccomp=0"
}

@test "process: a minimal seccomp profile is applied (filter mode)" {
	update_config '.linux.seccomp = {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}'
	set_args sh -c 'lwtest seccomp; lwtest mkdir /tmp/x'
	run lw run test_busybox
	assert_status 1
	assert_line_is "seccomp=2"
	assert_line_is "EPERM"
}
