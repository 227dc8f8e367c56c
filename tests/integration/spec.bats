#!/usr/bin/env bats
# `spec`: the default config.json.

load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
}

@test "spec: writes config.json in the cwd, a valid runtime-spec config" {
	run "$LEEWARD" spec
	assert_status 0
	[ -f config.json ] || fail "no config.json"
	jq -e . config.json >/dev/null || fail "not JSON"
	validate_schema config-schema.json "$BATS_TEST_TMPDIR/config.json"
}

@test "spec: runc's defaults" {
	"$LEEWARD" spec
	run jq -c . config.json
	jq -e '.ociVersion | test("^1\\.")' config.json >/dev/null || fail "ociVersion"
	jq -e '.root.path == "rootfs"' config.json >/dev/null || fail "root.path: $output"
	jq -e '.process.args == ["sh"]' config.json >/dev/null || fail "args: $output"
	jq -e '.process.terminal == true' config.json >/dev/null || fail "terminal: $output"
	jq -e '.process.cwd == "/"' config.json >/dev/null || fail "cwd: $output"
	jq -e '.process.noNewPrivileges == true' config.json >/dev/null || fail "nnp: $output"
	jq -e '.process.capabilities.bounding | sort == ["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"]' config.json >/dev/null ||
		fail "caps: $output"
	jq -e '[.linux.namespaces[].type] | contains(["pid","network","ipc","uts","mount"])' config.json >/dev/null ||
		fail "namespaces: $output"
	jq -e '[.linux.namespaces[].type] | index("user") | not' config.json >/dev/null || fail "user ns in root spec"
	jq -e '[.mounts[].destination] | contains(["/proc","/dev","/dev/pts","/dev/shm","/dev/mqueue","/sys"])' config.json >/dev/null ||
		fail "mounts: $output"
	jq -e '.linux.maskedPaths | index("/proc/kcore")' config.json >/dev/null || fail "maskedPaths"
	jq -e '.linux.readonlyPaths | index("/proc/sys")' config.json >/dev/null || fail "readonlyPaths"
}

@test "spec: refuses to overwrite config.json" {
	echo '{"keep":"me"}' >config.json
	run "$LEEWARD" spec
	assert_failed
	assert_output_has "config.json"
	[ "$(jq -r .keep config.json)" = me ] || fail "config.json overwritten"
}

@test "spec --bundle: writes into the bundle dir" {
	mkdir b
	run "$LEEWARD" spec --bundle b
	assert_status 0
	[ -f b/config.json ] || fail "no b/config.json"
	[ ! -e config.json ] || fail "wrote into the cwd"
	run "$LEEWARD" spec -b "$BATS_TEST_TMPDIR/b2"
	assert_failed
}

@test "spec --rootless: user namespace with the caller's ids, no network ns" {
	run "$LEEWARD" spec --rootless
	assert_status 0
	validate_schema config-schema.json "$BATS_TEST_TMPDIR/config.json"
	jq -e '[.linux.namespaces[].type] | index("user")' config.json >/dev/null || fail "no user ns"
	jq -e '[.linux.namespaces[].type] | index("network") | not' config.json >/dev/null || fail "network ns in rootless spec"
	jq -e --argjson u "$(id -u)" '.linux.uidMappings == [{"containerID":0,"hostID":$u,"size":1}]' config.json >/dev/null ||
		fail "uidMappings: $(jq -c .linux.uidMappings config.json)"
	jq -e --argjson g "$(id -g)" '.linux.gidMappings == [{"containerID":0,"hostID":$g,"size":1}]' config.json >/dev/null ||
		fail "gidMappings: $(jq -c .linux.gidMappings config.json)"
	jq -e '.linux.resources == null' config.json >/dev/null || fail "resources in a rootless spec"
}

@test "spec: the result runs (with a rootfs and no terminal)" {
	requires root
	"$LEEWARD" spec
	ROOT=$BATS_TEST_TMPDIR/state BUNDLE=$BATS_TEST_TMPDIR
	cp -a "$(rootfs_cache)" rootfs
	jq '.process.terminal = false | .process.args = ["true"]' config.json >c && mv c config.json
	run timeout 30 "$LEEWARD" --root "$ROOT" run spec_test
	assert_status 0
	CGROUP_PATH="" assert_no_leftovers spec_test
}
