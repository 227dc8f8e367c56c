#!/usr/bin/env bats
# `state`: the runtime-spec state JSON.

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

@test "state: fields of a created container" {
	run lw create test_busybox
	assert_status 0
	run lw state test_busybox
	assert_status 0
	jq -e . <<<"$output" >/dev/null || fail "not JSON: $output"
	[ "$(jq -r .id <<<"$output")" = test_busybox ] || fail "id: $output"
	[ "$(jq -r .status <<<"$output")" = created ] || fail "status: $output"
	[ "$(jq -r .bundle <<<"$output")" = "$BUNDLE" ] || fail "bundle: $output"
	jq -e '.pid > 0' <<<"$output" >/dev/null || fail "pid: $output"
	jq -e '.ociVersion | test("^1\\.")' <<<"$output" >/dev/null || fail "ociVersion: $output"
}

@test "state: conforms to the runtime-spec state schema" {
	run lw create test_busybox
	assert_status 0
	lw state test_busybox >"$BATS_TEST_TMPDIR/state.json"
	validate_schema state-schema.json "$BATS_TEST_TMPDIR/state.json"
}

@test "state: runc's extra fields (rootfs, created, owner)" {
	run lw create test_busybox
	assert_status 0
	run lw state test_busybox
	assert_status 0
	[ "$(jq -r .rootfs <<<"$output")" = "$BUNDLE/rootfs" ] || fail "rootfs: $output"
	jq -e '.created | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+)$")' <<<"$output" >/dev/null ||
		fail "created is not RFC 3339: $output"
	jq -e 'has("owner")' <<<"$output" >/dev/null || fail "no owner: $output"
}

@test "state: annotations from config.json" {
	update_config '.annotations = {"org.example.key": "value-1"}'
	run lw create test_busybox
	assert_status 0
	[ "$(state_field test_busybox '.annotations["org.example.key"]')" = value-1 ] ||
		fail "annotations: $(lw state test_busybox)"
}

@test "state: annotations are kept in state.json (state and list do not parse the config)" {
	requires leeward
	update_config '.annotations = {"org.example.key": "value \"2\"", "b": ""}'
	run lw create test_busybox
	assert_status 0
	# the saved config copy is what `state` used to parse: without it the
	# annotations must still be there
	echo '{ broken' >"$ROOT/test_busybox/config.json"
	run lw state test_busybox
	assert_status 0
	[ "$(jq -r '.annotations["org.example.key"]' <<<"$output")" = 'value "2"' ] || fail "state: $output"
	[ "$(jq -r '.annotations.b' <<<"$output")" = "" ] || fail "state: $output"
	run lw list --format json
	assert_status 0
	[ "$(jq -r '.[0].annotations["org.example.key"]' <<<"$output")" = 'value "2"' ] || fail "list: $output"
}

@test "state: created -> running -> stopped" {
	set_args lwtest wait-signal /ready
	run lw create test_busybox
	assert_status 0
	testcontainer test_busybox created
	run lw start test_busybox
	assert_status 0
	testcontainer test_busybox running
	wait_for_file "$BUNDLE/rootfs/ready"
	run lw kill test_busybox USR1
	assert_status 0
	wait_for_container 50 0.1 test_busybox stopped
	run lw state test_busybox
	assert_status 0
	# a stopped container has no live pid: 0 or absent
	jq -e '(.pid // 0) == 0' <<<"$output" >/dev/null || fail "stopped pid: $output"
}

@test "state: unknown container fails and names it" {
	run lw state no_such_container
	assert_failed
	# containerd maps "does not exist" to NotFound.  runc 1.1.5 does not
	# name the id: expected to fail there (leeward names what failed).
	assert_output_has "does not exist"
	assert_output_has "no_such_container"
}

@test "state: a container whose init died outside the runtime is stopped" {
	run lw run -d test_busybox
	assert_status 0
	kill -9 "$(container_pid test_busybox)"
	wait_for_container 50 0.1 test_busybox stopped
}
