#!/usr/bin/env bats
# `list`: table, --format json, -q.

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

@test "list: empty root" {
	run lw list
	assert_status 0
	[ "$(wc -l <<<"$output")" -eq 1 ] || fail "expected only a header: $output"
	assert_output_matches '^ID +PID +STATUS +BUNDLE +CREATED +OWNER'
	run lw list --format json
	assert_status 0
	jq -e '(. // []) | length == 0' <<<"$output" >/dev/null || fail "json: $output"
	run lw list -q
	assert_status 0
	[ -z "$output" ] || fail "-q: $output"
}

@test "list: table of containers" {
	run lw run -d test_a
	assert_status 0
	update_config '.linux.cgroupsPath = "'"$CGROUP_PATH"'-b"'
	run lw create test_b
	assert_status 0
	run lw list
	assert_status 0
	assert_output_matches '^ID +PID +STATUS +BUNDLE +CREATED +OWNER'
	local pa pb
	pa=$(container_pid test_a)
	pb=$(container_pid test_b)
	assert_line_matches "^test_a +$pa +running +$BUNDLE +[0-9]{4}-[0-9]{2}-[0-9]{2}T[^ ]+ +root"
	assert_line_matches "^test_b +$pb +created +$BUNDLE +"
	run lw delete -f test_b
	# test_a shares the bundle: it goes first, or its processes count
	lw delete -f test_a
	LW_SHARED_ROOTFS=1 CGROUP_PATH=$CGROUP_PATH-b assert_no_leftovers test_b
}

@test "list --format json" {
	run lw run -d test_a
	assert_status 0
	run lw list --format json
	assert_status 0
	jq -e 'length == 1' <<<"$output" >/dev/null || fail "$output"
	jq -e '.[0] | .id == "test_a" and .status == "running" and .bundle == "'"$BUNDLE"'" and .pid > 0 and (.created | length > 0) and .owner == "root"' \
		<<<"$output" >/dev/null || fail "$output"
	run lw list -f json
	assert_status 0
	jq -e '.[0].id == "test_a"' <<<"$output" >/dev/null || fail "-f json: $output"
}

@test "list -q: ids only" {
	run lw run -d test_a
	assert_status 0
	update_config '.linux.cgroupsPath = "'"$CGROUP_PATH"'-b"'
	run lw create test_b
	assert_status 0
	run lw list -q
	assert_status 0
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "test_a test_b " ] || fail "-q: $output"
	run lw delete -f test_b
	# test_a shares the bundle: it goes first, or its processes count
	lw delete -f test_a
	LW_SHARED_ROOTFS=1 CGROUP_PATH=$CGROUP_PATH-b assert_no_leftovers test_b
}

@test "list: stopped containers are listed as stopped" {
	set_args true
	run lw run -d test_a
	assert_status 0
	wait_for_container 50 0.1 test_a stopped
	run lw list --format json
	assert_status 0
	jq -e '.[0].status == "stopped"' <<<"$output" >/dev/null || fail "$output"
}

@test "list: unknown format fails" {
	run lw list --format yaml
	assert_failed
}

@test "list: a root that does not exist is empty, not an error" {
	run "$LEEWARD" --root "$BATS_TEST_TMPDIR/no-such-root" list -q
	assert_status 0
	[ -z "$output" ] || fail "$output"
}
