#!/usr/bin/env bats
# OCI hooks: prestart, createRuntime, createContainer, startContainer,
# poststart, poststop.

load helpers

setup() {
	setup_bundle
	OUT=$BATS_TEST_TMPDIR/hooks
	mkdir -p "$OUT"
	# in-container hooks write through this mount
	update_config '.mounts += [{"destination":"/hooks","type":"bind","source":"'"$OUT"'","options":["bind"]}]'
}

teardown() {
	teardown_bundle
}

# hook NAME [DIR]: a hook that saves its stdin (the state) in DIR/NAME.json
# and appends NAME to DIR/order.
hook() {
	local dir=${2:-$OUT}
	printf '{"path":"/bin/sh","args":["sh","-c","cat >%s/%s.json; echo %s >>%s/order"]}' "$dir" "$1" "$1" "$dir"
}

add_all_hooks() {
	update_config '.hooks = {
	  "prestart": ['"$(hook prestart)"'],
	  "createRuntime": ['"$(hook createRuntime)"'],
	  "createContainer": ['"$(hook createContainer)"'],
	  "startContainer": ['"$(hook startContainer /hooks)"'],
	  "poststart": ['"$(hook poststart)"'],
	  "poststop": ['"$(hook poststop)"']}'
}

@test "hooks: each kind runs once, in order, at its time" {
	# runc 1.1.5 runs poststart hooks already at create: expected to fail there.
	add_all_hooks
	run lw create test_busybox
	assert_status 0
	[ "$(cat "$OUT/order" | tr '\n' ' ')" = "prestart createRuntime createContainer " ] ||
		fail "after create: $(cat "$OUT/order")"
	run lw start test_busybox
	assert_status 0
	wait_for_file "$OUT/poststart.json"
	[ "$(cat "$OUT/order" | tr '\n' ' ')" = "prestart createRuntime createContainer startContainer poststart " ] ||
		fail "after start: $(cat "$OUT/order")"
	run lw delete --force test_busybox
	assert_status 0
	[ "$(cat "$OUT/order" | tr '\n' ' ')" = "prestart createRuntime createContainer startContainer poststart poststop " ] ||
		fail "after delete: $(cat "$OUT/order")"
}

@test "hooks: state JSON on stdin" {
	add_all_hooks
	run lw create test_busybox
	assert_status 0
	local pid h
	pid=$(container_pid test_busybox)
	run lw start test_busybox
	assert_status 0
	wait_for_file "$OUT/poststart.json"
	run lw delete --force test_busybox
	assert_status 0
	for h in prestart createRuntime createContainer startContainer poststart poststop; do
		jq -e --arg b "$BUNDLE" '.id == "test_busybox" and .bundle == $b and (.ociVersion | length > 0)' \
			"$OUT/$h.json" >/dev/null || fail "$h state: $(cat "$OUT/$h.json")"
	done
	# the host pid; runc 1.1.5 passes the in-container pid (1) to
	# createContainer and startContainer: expected to fail there.
	for h in prestart createRuntime createContainer startContainer poststart; do
		jq -e --argjson p "$pid" '.pid == $p' "$OUT/$h.json" >/dev/null || fail "$h pid: $(cat "$OUT/$h.json")"
	done
	jq -e '.status == "running"' "$OUT/poststart.json" >/dev/null || fail "poststart status: $(cat "$OUT/poststart.json")"
	jq -e '.status == "stopped"' "$OUT/poststop.json" >/dev/null || fail "poststop status: $(cat "$OUT/poststop.json")"
	jq -e '.status == "creating"' "$OUT/createRuntime.json" >/dev/null || fail "createRuntime status: $(cat "$OUT/createRuntime.json")"
}

@test "hooks: args and env" {
	update_config '.hooks.createRuntime = [{"path":"/bin/sh",
	  "args":["sh","-c","echo \"$0 $1 $FOO\" >'"$OUT"'/args; env >'"$OUT"'/env","first","second"],
	  "env":["FOO=bar","PATH=/usr/bin:/bin"]}]'
	run lw create test_busybox
	assert_status 0
	[ "$(cat "$OUT/args")" = "first second bar" ] || fail "args: $(cat "$OUT/args")"
	! grep -q '^BATS_' "$OUT/env" || fail "the runtime's environment leaked into the hook"
}

@test "hooks: startContainer runs inside the container" {
	# /bin/lwtest exists only in the container's rootfs
	update_config '.hooks.startContainer = [{"path":"/bin/lwtest","args":["lwtest","ns"]}]
	  | .hooks.startContainer[0].args = ["sh","-c","/bin/lwtest ns >/hooks/ns"] | .hooks.startContainer[0].path = "/bin/sh"'
	run lw run -d test_busybox
	assert_status 0
	wait_for_file "$OUT/ns"
	local pid
	pid=$(container_pid test_busybox)
	local n
	for n in mnt pid net uts ipc; do
		grep -qxF "$n=$(readlink "/proc/$pid/ns/$n")" "$OUT/ns" || fail "not in the container $n ns (pid $pid: $(readlink "/proc/$pid/ns/$n")): $(cat "$OUT/ns")"
	done
}

@test "hooks: a failing prestart hook fails create and leaves nothing" {
	update_config '.hooks.prestart = [{"path":"/bin/sh","args":["sh","-c","echo hook-said-no >&2; exit 3"]}]'
	run lw create test_busybox
	assert_failed
	assert_no_leftovers test_busybox
}

@test "hooks: a failing createRuntime hook fails create" {
	update_config '.hooks.createRuntime = [{"path":"/bin/false"}]'
	run lw create test_busybox
	assert_failed
	assert_no_leftovers test_busybox
}

@test "hooks: a failing createContainer hook fails create" {
	update_config '.hooks.createContainer = [{"path":"/bin/false"}]'
	run lw create test_busybox
	assert_failed
	assert_no_leftovers test_busybox
}

@test "hooks: a missing hook binary fails create and names it" {
	update_config '.hooks.prestart = [{"path":"/no/such/hook"}]'
	run lw create test_busybox
	assert_failed
	assert_output_has "/no/such/hook"
	assert_no_leftovers test_busybox
}

@test "hooks: timeout kills a slow hook and fails create" {
	update_config '.hooks.prestart = [{"path":"/bin/sleep","args":["sleep","20"],"timeout":1}]'
	local t0=$SECONDS
	run lw create test_busybox
	assert_failed
	[ $((SECONDS - t0)) -lt 10 ] || fail "timeout not honoured ($((SECONDS - t0))s)"
	assert_no_leftovers test_busybox
	! pgrep -f '^sleep 20$' >/dev/null || fail "the hook process survived"
}

@test "hooks: a failing poststop hook only warns" {
	# runtime-spec: warn, and the remaining hooks still run.  runc 1.1.5
	# stops at the failing hook: expected to fail there.
	update_config '.hooks.poststop = [{"path":"/bin/false"},'"$(hook poststop)"']'
	set_args true
	run lw run test_busybox
	assert_status 0
	[ -e "$OUT/poststop.json" ] || fail "later poststop hooks did not run"
	assert_no_leftovers test_busybox
}

@test "hooks: several hooks of a kind run in order" {
	update_config '.hooks.createRuntime = [
	  {"path":"/bin/sh","args":["sh","-c","echo one >>'"$OUT"'/order"]},
	  {"path":"/bin/sh","args":["sh","-c","echo two >>'"$OUT"'/order"]},
	  {"path":"/bin/sh","args":["sh","-c","echo three >>'"$OUT"'/order"]}]'
	run lw create test_busybox
	assert_status 0
	[ "$(tr '\n' ' ' <"$OUT/order")" = "one two three " ] || fail "order: $(cat "$OUT/order")"
}

# A hook gets stdin (the state), stdout, stderr and nothing else: no fd of
# the runtime (state dir, sync socket, cgroup dirs, the container's pty)
# whether or not it is close-on-exec (with musl, leeward closes them one by
# one: there is no closefrom for posix_spawn).
@test "hooks: a hook inherits only stdio" {
	# (ls lists its own directory fd too: 3)
	local cmd='exec ls /proc/self/fd >"$0"'
	jq --arg c "$cmd" --arg o "$OUT" '.hooks = {
	  "prestart": [{"path": "/bin/sh", "args": ["sh", "-c", $c, ($o + "/prestart")]}],
	  "createContainer": [{"path": "/bin/sh", "args": ["sh", "-c", $c, ($o + "/createContainer")]}],
	  "poststart": [{"path": "/bin/sh", "args": ["sh", "-c", $c, ($o + "/poststart")]}]}' \
		"$BUNDLE/config.json" >"$BUNDLE/config.new" && mv "$BUNDLE/config.new" "$BUNDLE/config.json"
	set_args true
	# an fd the caller leaked to the runtime (not close-on-exec) stops here
	run lw run test_busybox 5</dev/null
	assert_status 0
	local h
	for h in prestart createContainer poststart; do
		[ "$(tr '\n' ' ' <"$OUT/$h")" = "0 1 2 3 " ] || fail "$h hook fds: '$(cat "$OUT/$h")'"
	done
}
