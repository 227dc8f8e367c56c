#!/usr/bin/env bats
# `kill`: signal names, numbers, SIG prefix, --all.

load helpers

setup() {
	setup_bundle
	set_args lwtest wait-signal /ready
}

teardown() {
	teardown_bundle
}

# start_waiter: a detached container whose process reports the first signal.
start_waiter() {
	rm -f "$BUNDLE/rootfs/ready"
	lw run -d test_busybox >"$BATS_TEST_TMPDIR/out" 2>&1 </dev/null || fail "run -d failed: $(cat "$BATS_TEST_TMPDIR/out")"
	wait_for_file "$BUNDLE/rootfs/ready"
}

# expect_signal NAME: the process got NAME and the container stopped.
expect_signal() {
	wait_for_container 50 0.1 test_busybox stopped
	grep -qx "signal=$1" "$BATS_TEST_TMPDIR/out" || fail "expected signal=$1, got: $(cat "$BATS_TEST_TMPDIR/out")"
	lw delete test_busybox || fail "delete failed"
}

@test "kill: default signal is SIGTERM" {
	start_waiter
	run lw kill test_busybox
	assert_status 0
	expect_signal TERM
}

@test "kill: by name, by number, with SIG prefix, lower case" {
	local sig
	for sig in USR1 10 SIGUSR1 usr1 sigusr1; do
		start_waiter
		run lw kill test_busybox "$sig"
		assert_status 0
		expect_signal USR1
	done
	start_waiter
	run lw kill test_busybox HUP
	assert_status 0
	expect_signal HUP
	start_waiter
	run lw kill test_busybox 12
	assert_status 0
	expect_signal USR2
}

# runc's (and glibc's, and docker's) real-time numbering: RTMIN is 34
@test "kill: RTMIN+N and RTMAX-N are numbered as runc does" {
	local spec want
	for spec in RTMIN:34 RTMIN+3:37 SIGRTMIN+3:37 RTMAX-1:63; do
		start_waiter
		run lw kill test_busybox "${spec%%:*}"
		assert_status 0
		wait_for_container 50 0.1 test_busybox stopped
		want=${spec##*:}
		grep -qx "signo=$want" "$BATS_TEST_TMPDIR/out" || fail "${spec%%:*}: expected signo=$want, got: $(cat "$BATS_TEST_TMPDIR/out")"
		lw delete test_busybox || fail "delete failed"
	done
}

@test "kill: SIGKILL stops the container" {
	start_waiter
	run lw kill test_busybox KILL
	assert_status 0
	wait_for_container 50 0.1 test_busybox stopped
	run lw delete test_busybox
	assert_status 0
	assert_no_leftovers test_busybox
}

@test "kill: unknown signal name or number fails" {
	start_waiter
	run lw kill test_busybox NOSUCHSIG
	assert_failed
	run lw kill test_busybox 4242
	assert_failed
	testcontainer test_busybox running
}

@test "kill --all: every process of the container" {
	set_args sh -c 'sleep 1000 & sleep 1000 & touch /ready; wait'
	lw run -d test_busybox </dev/null >/dev/null 2>&1
	wait_for_file "$BUNDLE/rootfs/ready"
	local pid
	pid=$(container_pid test_busybox)
	[ "$(pgrep -c -P "$pid")" -ge 2 ] || fail "children not running"
	run lw kill --all test_busybox KILL
	assert_status 0
	wait_for_container 50 0.1 test_busybox stopped
	run lw delete test_busybox
	assert_status 0
	assert_no_leftovers test_busybox
}

@test "kill: a stopped container cannot be signalled" {
	set_args true
	lw run -d test_busybox </dev/null >/dev/null 2>&1
	wait_for_container 50 0.1 test_busybox stopped
	run lw kill test_busybox KILL
	assert_failed
}

@test "kill: unknown container fails" {
	run lw kill no_such_container KILL
	assert_failed
	# runc 1.1.5 does not name the id: expected to fail there.
	assert_output_has "does not exist"
	assert_output_has "no_such_container"
}
