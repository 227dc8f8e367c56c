#!/usr/bin/env bats
# `delete`

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

@test "delete: a stopped container" {
	set_args true
	run lw run -d test_busybox
	assert_status 0
	wait_for_container 50 0.1 test_busybox stopped
	run lw delete test_busybox
	assert_status 0
	assert_no_leftovers test_busybox
	run lw state test_busybox
	assert_failed
}

@test "delete: a running container without --force fails and keeps it" {
	run lw run -d test_busybox
	assert_status 0
	run lw delete test_busybox
	assert_failed
	testcontainer test_busybox running
}

@test "delete --force: a running container" {
	run lw run -d test_busybox
	assert_status 0
	local pid
	pid=$(container_pid test_busybox)
	run lw delete --force test_busybox
	assert_status 0
	assert_no_leftovers test_busybox
	assert_pid_gone "$pid"
}

@test "delete -f: short form, with child processes" {
	set_args sh -c 'sleep 1000 & sleep 1000 & wait'
	run lw run -d test_busybox
	assert_status 0
	run lw delete -f test_busybox
	assert_status 0
	assert_no_leftovers test_busybox
}

@test "delete: a created container" {
	run lw create test_busybox
	assert_status 0
	run lw delete test_busybox
	assert_status 0
	assert_no_leftovers test_busybox
}

@test "delete: unknown container fails, --force on it succeeds" {
	run lw delete no_such_container
	assert_failed
	# runc 1.1.5 does not name the id: expected to fail there.
	assert_output_has "does not exist"
	assert_output_has "no_such_container"
	run lw delete --force no_such_container
	assert_status 0
}

@test "delete: a container whose init was killed from outside" {
	run lw run -d test_busybox
	assert_status 0
	kill -9 "$(container_pid test_busybox)"
	wait_for_container 50 0.1 test_busybox stopped
	run lw delete test_busybox
	assert_status 0
	assert_no_leftovers test_busybox
}
