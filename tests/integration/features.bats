#!/usr/bin/env bats
# `features`: the runtime-spec features document.

load helpers

@test "features: JSON with versions, hooks, mount options" {
	run "$LEEWARD" features
	assert_status 0
	jq -e . <<<"$output" >/dev/null || fail "not JSON: $output"
	jq -e '.ociVersionMin | test("^1\\.0\\.")' <<<"$output" >/dev/null || fail "ociVersionMin: $output"
	jq -e '.ociVersionMax | test("^1\\.")' <<<"$output" >/dev/null || fail "ociVersionMax: $output"
	local h
	for h in prestart createRuntime createContainer startContainer poststart poststop; do
		jq -e --arg h "$h" '.hooks | index($h)' <<<"$output" >/dev/null || fail "hooks lack $h"
	done
	for h in ro rw bind rbind nosuid nodev noexec private rprivate shared rshared slave rslave; do
		jq -e --arg h "$h" '.mountOptions | index($h)' <<<"$output" >/dev/null || fail "mountOptions lack $h"
	done
}

@test "features: linux namespaces, capabilities, cgroup, seccomp" {
	run "$LEEWARD" features
	assert_status 0
	local n
	for n in cgroup ipc mount network pid user uts; do
		jq -e --arg n "$n" '.linux.namespaces | index($n)' <<<"$output" >/dev/null || fail "namespaces lack $n"
	done
	for n in CAP_CHOWN CAP_SYS_ADMIN CAP_NET_ADMIN CAP_KILL CAP_BPF CAP_CHECKPOINT_RESTORE; do
		jq -e --arg n "$n" '.linux.capabilities | index($n)' <<<"$output" >/dev/null || fail "capabilities lack $n"
	done
	jq -e '.linux.cgroup.v2 == true' <<<"$output" >/dev/null || fail "cgroup.v2: $output"
	jq -e '.linux.cgroup.v1 == true' <<<"$output" >/dev/null || fail "cgroup.v1: $output"
	jq -e '.linux.seccomp.enabled == true' <<<"$output" >/dev/null || fail "seccomp: $output"
	jq -e '.linux.seccomp.actions | index("SCMP_ACT_NOTIFY")' <<<"$output" >/dev/null || fail "seccomp actions: $output"
}

@test "features: time namespace is listed when the kernel has it" {
	# runc 1.1.5 does not support time namespaces: expected to fail there.
	requires timens
	run "$LEEWARD" features
	assert_status 0
	jq -e '.linux.namespaces | index("time")' <<<"$output" >/dev/null || fail "namespaces lack time: $output"
}

@test "features: conforms to the runtime-spec features schema" {
	"$LEEWARD" features >"$BATS_TEST_TMPDIR/features.json"
	validate_schema features-schema.json "$BATS_TEST_TMPDIR/features.json"
}
