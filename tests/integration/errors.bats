#!/usr/bin/env bats
# Bad input: every failure exits non-zero, says what failed, and leaves
# nothing behind.

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

# create_fails ID: `create ID` fails with a message and leaves nothing.
create_fails() {
	run lw create "$1"
	assert_failed
	assert_no_leftovers "$1"
}

@test "errors: malformed config.json" {
	echo '{"ociVersion": "1.0.2", "process": {' >config.json
	create_fails test_busybox
	# runc 1.1.5 says only "unexpected EOF": expected to fail there.
	assert_output_has "config.json"
}

@test "errors: config.json missing" {
	rm config.json
	create_fails test_busybox
	assert_output_has "config.json"
}

@test "errors: a field of the wrong type is named" {
	update_config '.process.args = "sh"'
	create_fails test_busybox
	assert_output_has "args"
	setup_bundle
	update_config '.process.user.uid = "root"'
	create_fails test_busybox
	assert_output_has "uid"
	setup_bundle
	update_config '.linux.namespaces = {"type": "pid"}'
	create_fails test_busybox
	assert_output_has "namespaces"
}

@test "errors: missing rootfs" {
	rm -rf rootfs
	create_fails test_busybox
	assert_output_has "rootfs"
}

@test "errors: invalid ids" {
	local id
	for id in ../x x/y . .. "a b" 'a;b'; do
		run lw create "$id"
		assert_failed
		[ ! -e "$BATS_TEST_TMPDIR/x" ] || fail "id '$id' escaped the root"
	done
	[ -z "$(ls -A "$ROOT")" ] || fail "state left in root: $(ls -A "$ROOT")"
}

@test "errors: empty id" {
	run lw create ""
	assert_failed
	run lw state ""
	assert_failed
	[ -z "$(ls -A "$ROOT")" ] || fail "state left in root: $(ls -A "$ROOT")"
}

@test "errors: id too long" {
	local id
	id=$(printf 'a%.0s' {1..1024})
	run lw create "$id"
	assert_failed
	[ -z "$(ls -A "$ROOT")" ] || fail "state left in root: $(ls -A "$ROOT")"
}

@test "errors: duplicate create" {
	run lw create test_busybox
	assert_status 0
	run lw create test_busybox
	assert_failed
	assert_output_has "already exists"
	# runc 1.1.5 does not name the id: expected to fail there.
	assert_output_has "test_busybox"
	testcontainer test_busybox created
}

@test "errors: start on a running container" {
	run lw run -d test_busybox
	assert_status 0
	run lw start test_busybox
	assert_failed
	testcontainer test_busybox running
}

@test "errors: delete a running container without --force" {
	run lw run -d test_busybox
	assert_status 0
	run lw delete test_busybox
	assert_failed
	assert_output_has "running"
	testcontainer test_busybox running
}

@test "errors: process.args missing or empty" {
	update_config 'del(.process.args)'
	create_fails test_busybox
	assert_output_has "args"
	update_config '.process.args = []'
	create_fails test_busybox
	assert_output_has "args"
}

@test "errors: the executable does not exist" {
	set_args /no/such/binary
	run lw run test_busybox
	assert_failed
	assert_output_has "/no/such/binary"
	assert_no_leftovers test_busybox
}

@test "errors: the executable is not in PATH" {
	set_args no-such-binary
	run lw run test_busybox
	assert_failed
	assert_output_has "no-such-binary"
	assert_no_leftovers test_busybox
}

@test "errors: the executable is not executable" {
	echo "not a program" >rootfs/bin/notexec
	chmod 0644 rootfs/bin/notexec
	set_args /bin/notexec
	run lw run test_busybox
	assert_failed
	assert_output_has "notexec"
	assert_no_leftovers test_busybox
}

@test "errors: unknown namespace type" {
	update_config '.linux.namespaces += [{"type": "bogus"}]'
	create_fails test_busybox
	assert_output_has "bogus"
}

@test "errors: unknown capability is ignored with a warning that names it" {
	# runc contract: configs list capabilities newer than the kernel (e.g.
	# CAP_BPF on old kernels); they are skipped with a warning, not fatal.
	update_config '.process.capabilities.bounding += ["CAP_NO_SUCH"]'
	set_args true
	run lw run test_busybox
	assert_status 0
	assert_output_has "CAP_NO_SUCH"
}

@test "errors: unknown rlimit" {
	update_config '.process.rlimits += [{"type": "RLIMIT_NO_SUCH", "soft": 1, "hard": 1}]'
	create_fails test_busybox
	assert_output_has "RLIMIT_NO_SUCH"
}

@test "errors: a mount that cannot be made names its destination" {
	update_config '.mounts += [{"destination": "/mnt/x", "type": "bind", "source": "/no/such/source", "options": ["bind"]}]'
	create_fails test_busybox
	assert_output_has "/no/such/source"
}

@test "errors: cwd must be absolute" {
	update_config '.process.cwd = "relative/dir"'
	create_fails test_busybox
	assert_output_has_i "cwd"
}

@test "errors: unsupported ociVersion major" {
	# runc 1.1.5 does not check ociVersion: expected to fail there.
	update_config '.ociVersion = "2.0.0"'
	create_fails test_busybox
	assert_output_has "ociVersion"
}

@test "errors: --bundle that does not exist" {
	run lw create --bundle "$BATS_TEST_TMPDIR/no-such-bundle" test_busybox
	assert_failed
	assert_output_has "no-such-bundle"
	assert_no_leftovers test_busybox
}

@test "errors: a cgroup that cannot be created fails create and cleans up" {
	requires root
	update_config '.linux.cgroupsPath = "/leeward-test-bad/\u0000/x" | .linux.resources.memory.limit = 1'
	run lw create test_busybox
	assert_failed
	assert_no_leftovers test_busybox
}
