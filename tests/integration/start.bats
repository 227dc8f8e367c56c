#!/usr/bin/env bats
# `start`

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

@test "start: runs a created container" {
	run lw create test_busybox
	assert_status 0
	run lw start test_busybox
	assert_status 0
	testcontainer test_busybox running
}

@test "start: a container that exits becomes stopped" {
	set_args true
	run lw create test_busybox
	assert_status 0
	run lw start test_busybox
	assert_status 0
	wait_for_container 50 0.1 test_busybox stopped
	run lw delete test_busybox
	assert_status 0
	assert_no_leftovers test_busybox
}

@test "start: a running container cannot be started again" {
	run lw run -d test_busybox
	assert_status 0
	run lw start test_busybox
	assert_failed
	testcontainer test_busybox running
}

@test "start: a stopped container cannot be started" {
	set_args true
	run lw run -d test_busybox
	assert_status 0
	wait_for_container 50 0.1 test_busybox stopped
	run lw start test_busybox
	assert_failed
}

@test "start: unknown container fails" {
	run lw start no_such_container
	assert_failed
	# containerd maps "does not exist" to NotFound.  runc 1.1.5 does not
	# name the id: expected to fail there (leeward names what failed).
	assert_output_has "does not exist"
	assert_output_has "no_such_container"
}

@test "start: a missing executable fails create with the name of it" {
	set_args /bin/no-such-binary
	run lw create test_busybox
	if [ "$status" -eq 0 ]; then
		# runc reports it at start
		run lw start test_busybox
	fi
	assert_failed
	assert_output_has "no-such-binary"
}
