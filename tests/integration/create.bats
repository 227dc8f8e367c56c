#!/usr/bin/env bats
# `create` then `start`: the two-step life cycle and the exec fifo.

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

@test "create: container is created, its process waits, start runs it" {
	run lw create test_busybox
	assert_status 0
	testcontainer test_busybox created
	local pid
	pid=$(container_pid test_busybox)
	[ "$pid" -gt 0 ] && kill -0 "$pid" || fail "created container has no live pid ($pid)"
	# the user process has not been executed yet
	! grep -q '^sleep' "/proc/$pid/comm" || fail "process ran before start"

	run lw start test_busybox
	assert_status 0
	testcontainer test_busybox running
	[ "$(container_pid test_busybox)" = "$pid" ] || fail "pid changed on start"
	grep -q '^sleep' "/proc/$pid/comm" || fail "pid $pid is $(cat "/proc/$pid/comm") after start"
}

@test "create: the process's stdio is the stdio of create" {
	set_args sh -c 'echo out-line; echo err-line >&2'
	lw create test_busybox >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" </dev/null
	run lw start test_busybox
	assert_status 0
	wait_for_container 50 0.1 test_busybox stopped
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = "out-line" ] || fail "stdout: $(cat "$BATS_TEST_TMPDIR/out")"
	grep -qx "err-line" "$BATS_TEST_TMPDIR/err" || fail "stderr: $(cat "$BATS_TEST_TMPDIR/err")"
}

@test "create --pid-file: holds the init pid" {
	run lw create --pid-file "$BATS_TEST_TMPDIR/pid" test_busybox
	assert_status 0
	[ "$(cat "$BATS_TEST_TMPDIR/pid")" = "$(container_pid test_busybox)" ] || fail "pid file wrong"
}

@test "create --bundle: absolute bundle path recorded in state" {
	cd /
	run lw create --bundle "$BUNDLE" test_busybox
	assert_status 0
	[ "$(state_field test_busybox .bundle)" = "$BUNDLE" ] || fail "bundle in state: $(state_field test_busybox .bundle)"
}

@test "create: delete before start leaves nothing" {
	run lw create test_busybox
	assert_status 0
	local pid
	pid=$(container_pid test_busybox)
	run lw delete test_busybox
	assert_status 0
	assert_no_leftovers test_busybox
	# gone, or a zombie waiting for its new parent (pid 1) to reap it
	assert_pid_gone "$pid"
}

@test "create: kill of a created container stops it" {
	run lw create test_busybox
	assert_status 0
	run lw kill test_busybox KILL
	assert_status 0
	wait_for_container 50 0.1 test_busybox stopped
}

@test "create --no-pivot" {
	run lw create --no-pivot test_busybox
	assert_status 0
	run lw start test_busybox
	assert_status 0
	testcontainer test_busybox running
}

@test "create: the same id twice fails and the first stays intact" {
	run lw create test_busybox
	assert_status 0
	local pid
	pid=$(container_pid test_busybox)
	run lw create test_busybox
	assert_failed
	testcontainer test_busybox created
	[ "$(container_pid test_busybox)" = "$pid" ] || fail "first container changed"
}

@test "create: the cgroup exists while the container does, holds the init" {
	requires root
	run lw create test_busybox
	assert_status 0
	local pid found=0 d
	pid=$(container_pid test_busybox)
	for d in $(cgroup_dirs); do
		[ -d "$d" ] || continue
		found=1
		if [ -e "$d/cgroup.procs" ] && [ -n "$(cat "$d/cgroup.procs")" ]; then
			grep -qx "$pid" "$d/cgroup.procs" || fail "$d/cgroup.procs lacks $pid"
		fi
	done
	[ "$found" = 1 ] || fail "no cgroup dir for $CGROUP_PATH"
	grep -qF ":$CGROUP_PATH" "/proc/$pid/cgroup" || fail "init not in $CGROUP_PATH: $(cat "/proc/$pid/cgroup")"
}

@test "create: two containers in one root" {
	run lw create test_a
	assert_status 0
	update_config '.linux.cgroupsPath = "'"$CGROUP_PATH"'-b"'
	run lw create test_b
	assert_status 0
	testcontainer test_a created
	testcontainer test_b created
	run lw delete --force test_b
	assert_status 0
	# test_a shares the bundle: it goes first, or its processes count
	lw delete -f test_a
	LW_SHARED_ROOTFS=1 CGROUP_PATH=$CGROUP_PATH-b assert_no_leftovers test_b
}
