#!/usr/bin/env bats
# linux.namespaces: new ones, joined ones (by path), duplicates.

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

host_ns() {
	readlink "/proc/self/ns/$1"
}

@test "namespaces: each listed type is new, the others are the host's" {
	update_config '.linux.namespaces += [{"type":"cgroup"}]'
	set_args lwtest ns
	run lw run test_busybox
	assert_status 0
	local n
	for n in pid net ipc uts mnt cgroup; do
		[ -n "$(value "$n")" ] || fail "no $n in: $output"
		[ "$(value "$n")" != "$(host_ns "$n")" ] || fail "$n is the host's"
	done
	[ "$(value user)" = "$(host_ns user)" ] || fail "user ns is new without being asked"
}

@test "namespaces: without a network namespace the host's is shared" {
	update_config '.linux.namespaces -= [{"type":"network"}]'
	set_args lwtest ns
	run lw run test_busybox
	assert_status 0
	[ "$(value net)" = "$(host_ns net)" ] || fail "net: $(value net) vs $(host_ns net)"
}

@test "namespaces: in a new pid namespace the process is pid 1" {
	set_args lwtest pid
	run lw run test_busybox
	assert_status 0
	assert_line_is "pid=1"
}

@test "namespaces: joined by path from a running container" {
	update_config '.linux.namespaces += [{"type":"cgroup"}]'
	run lw run -d test_a
	assert_status 0
	local pid n
	pid=$(container_pid test_a)
	update_config '.linux.cgroupsPath = "'"$CGROUP_PATH"'-b"
	  | .linux.namespaces = [
	    {"type":"network","path":"/proc/'"$pid"'/ns/net"},
	    {"type":"ipc","path":"/proc/'"$pid"'/ns/ipc"},
	    {"type":"uts","path":"/proc/'"$pid"'/ns/uts"},
	    {"type":"cgroup","path":"/proc/'"$pid"'/ns/cgroup"},
	    {"type":"pid","path":"/proc/'"$pid"'/ns/pid"},
	    {"type":"mount"}]'
	set_args lwtest ns
	run lw run test_b
	assert_status 0
	for n in net ipc uts cgroup pid; do
		[ "$(value "$n")" = "$(readlink "/proc/$pid/ns/$n")" ] || fail "$n not joined: $(value "$n")"
	done
	[ "$(value mnt)" != "$(readlink "/proc/$pid/ns/mnt")" ] || fail "mnt joined though new was asked"
	# test_a shares the rootfs: it must go before leftovers of test_b are looked for
	lw delete -f test_a
	LW_SHARED_ROOTFS=1 CGROUP_PATH=$CGROUP_PATH-b assert_no_leftovers test_b
}

@test "namespaces: joined uts keeps the other container's hostname" {
	update_config '.hostname = "first"'
	run lw run -d test_a
	assert_status 0
	local pid
	pid=$(container_pid test_a)
	update_config 'del(.hostname) | .linux.cgroupsPath = "'"$CGROUP_PATH"'-b"
	  | .linux.namespaces |= map(if .type == "uts" then .path = "/proc/'"$pid"'/ns/uts" else . end)'
	set_args lwtest hostname
	run lw run test_b
	assert_status 0
	assert_line_is "hostname=first"
	lw delete -f test_a
	LW_SHARED_ROOTFS=1 CGROUP_PATH=$CGROUP_PATH-b assert_no_leftovers test_b
}

@test "namespaces: joining a path that is not a namespace fails" {
	update_config '.linux.namespaces |= map(if .type == "network" then .path = "'"$BUNDLE"'/config.json" else . end)'
	run lw create test_busybox
	assert_failed
	# runc 1.1.5 says only "setns ... Invalid argument": expected to fail there.
	assert_output_has "config.json"
	assert_no_leftovers test_busybox
}

@test "namespaces: a path of the wrong namespace type fails" {
	update_config '.linux.namespaces |= map(if .type == "network" then .path = "/proc/self/ns/ipc" else . end)'
	run lw create test_busybox
	assert_failed
	assert_no_leftovers test_busybox
}

@test "namespaces: a duplicated type is rejected" {
	update_config '.linux.namespaces += [{"type":"network"}]'
	run lw create test_busybox
	assert_failed
	assert_output_has "network"
	assert_no_leftovers test_busybox
}

@test "namespaces: new user namespace with mappings" {
	requires root userns
	userns_config 100000
	set_args sh -c 'cat /proc/self/uid_map /proc/self/gid_map; lwtest ns'
	run lw run test_busybox
	assert_status 0
	assert_line_matches "^ +0 +100000 +65536$"
	[ "$(value user)" != "$(host_ns user)" ] || fail "user ns is the host's"
}

@test "namespaces: user namespace, the host sees the mapped uid" {
	requires root userns
	userns_config 100000
	run lw run -d test_busybox
	assert_status 0
	local pid
	pid=$(container_pid test_busybox)
	[ "$(stat -c %u "/proc/$pid")" = 100000 ] || fail "host uid of the process: $(stat -c %u "/proc/$pid")"
}

@test "namespaces: time namespace with offsets" {
	# runc 1.1.5 has no time namespace support: expected to fail there.
	requires timens
	update_config '.linux.namespaces += [{"type":"time"}]
	  | .linux.timeOffsets = {"monotonic":{"secs":86400,"nanosecs":0},"boottime":{"secs":172800,"nanosecs":0}}'
	set_args sh -c 'cat /proc/uptime; lwtest ns'
	run lw run test_busybox
	assert_status 0
	local up
	up=$(head -n1 <<<"$output" | cut -d. -f1)
	[ "$up" -ge 172800 ] || fail "boottime offset not applied: uptime $up"
	[ "$(value time)" != "$(host_ns time)" ] || fail "time ns is the host's"
}
