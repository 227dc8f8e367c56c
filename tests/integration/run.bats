#!/usr/bin/env bats
# `run`: create + start in one, foreground and detached.

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

@test "run: foreground exit code 0" {
	set_args lwtest exit 0
	run lw run test_busybox
	assert_status 0
	assert_no_leftovers test_busybox
}

@test "run: foreground exit code is the process's" {
	set_args lwtest exit 42
	run lw run test_busybox
	assert_status 42
	assert_no_leftovers test_busybox
}

@test "run: a process killed by a signal exits 128+N" {
	# Not pid 1 of a pid namespace: that one cannot be killed by itself.
	update_config '.linux.namespaces -= [{"type":"pid"}]'
	set_args lwtest kill-self 9
	run lw run test_busybox
	assert_status 137
	set_args lwtest kill-self 15
	run lw run test_busybox
	assert_status 143
	assert_no_leftovers test_busybox
}

@test "run: stdout and stderr reach the caller" {
	set_args sh -c 'echo to-stdout; echo to-stderr >&2'
	run --separate-stderr lw run test_busybox
	assert_status 0
	[ "$output" = "to-stdout" ] || fail "stdout: '$output'"
	[ "$stderr" = "to-stderr" ] || fail "stderr: '$stderr'"
}

@test "run: stdin reaches the process" {
	set_args sh -c 'read line; echo "got:$line"; cat'
	run lw run test_busybox <<<$'hello\nworld'
	assert_status 0
	assert_line_is "got:hello"
	assert_line_is "world"
}

@test "run: the process sees its args, env and cwd" {
	update_config '.process.env += ["FOO=bar baz"] | .process.cwd = "/tmp"'
	set_args sh -c 'echo "args:$0:$1"; echo "foo:$FOO"; pwd' first second
	run lw run test_busybox
	assert_status 0
	assert_line_is "args:first:second"
	assert_line_is "foo:bar baz"
	assert_line_is "/tmp"
}

@test "run: the foreground runtime forwards signals to the process" {
	# SIGUSR1 and SIGTERM sent to the runtime reach the container's process.
	set_args lwtest wait-signal /ready
	lw_bg run test_busybox >"$BATS_TEST_TMPDIR/out" 2>&1
	local rt=$!
	wait_for_file "$BUNDLE/rootfs/ready"
	kill -USR1 "$rt"
	local rc=0
	wait "$rt" || rc=$?
	[ "$rc" -eq $((100 + 10)) ] || fail "runtime exited $rc, expected 110; $(cat "$BATS_TEST_TMPDIR/out")"
	grep -qx 'signal=USR1' "$BATS_TEST_TMPDIR/out" || fail "$(cat "$BATS_TEST_TMPDIR/out")"

	rm -f "$BUNDLE/rootfs/ready"
	lw_bg run test_busybox2 >"$BATS_TEST_TMPDIR/out" 2>&1
	rt=$!
	wait_for_file "$BUNDLE/rootfs/ready"
	kill -TERM "$rt"
	rc=0
	wait "$rt" || rc=$?
	[ "$rc" -eq $((100 + 15)) ] || fail "runtime exited $rc, expected 115; $(cat "$BATS_TEST_TMPDIR/out")"

	# signal 34 (RTMIN) too: musl's sigfillset leaves it out, and a runtime
	# that did not block it died of it instead of passing it on
	rm -f "$BUNDLE/rootfs/ready"
	lw_bg run test_busybox3 >"$BATS_TEST_TMPDIR/out" 2>&1
	rt=$!
	wait_for_file "$BUNDLE/rootfs/ready"
	kill -34 "$rt"
	rc=0
	wait "$rt" || rc=$?
	[ "$rc" -eq $((100 + 34)) ] || fail "runtime exited $rc, expected 134; $(cat "$BATS_TEST_TMPDIR/out")"
	grep -qx 'signo=34' "$BATS_TEST_TMPDIR/out" || fail "$(cat "$BATS_TEST_TMPDIR/out")"
	assert_no_leftovers test_busybox
	assert_no_leftovers test_busybox2
	assert_no_leftovers test_busybox3
}

# runc does not hold the container while `run` waits in the foreground:
# state, exec, kill and delete from another shell work (leeward once kept
# the state dir locked, and `state` hung until the container exited).
@test "run: a foreground container can be inspected, exec'd into and killed from elsewhere" {
	set_args lwtest wait-signal /ready
	lw_bg run test_busybox >"$BATS_TEST_TMPDIR/out" 2>&1
	local rt=$! rc=0
	wait_for_file "$BUNDLE/rootfs/ready"
	run lw state test_busybox
	assert_status 0
	[ "$(jq -r .status <<<"$output")" = running ] || fail "$output"
	run lw exec test_busybox lwtest pid
	assert_status 0
	assert_output_has "ppid=0"
	run lw kill test_busybox USR2
	assert_status 0
	wait "$rt" || rc=$?
	[ "$rc" -eq $((100 + 12)) ] || fail "runtime exited $rc, expected 112; $(cat "$BATS_TEST_TMPDIR/out")"
	assert_no_leftovers test_busybox
}

@test "run: delete -f from elsewhere ends a foreground run, poststop runs once" {
	update_config '.hooks.poststop = [{"path": "/bin/sh", "args": ["sh", "-c", "echo stop >>'"$BATS_TEST_TMPDIR"'/poststop"]}]'
	set_args lwtest wait-signal /ready
	lw_bg run test_busybox >"$BATS_TEST_TMPDIR/out" 2>&1
	local rt=$! rc=0
	wait_for_file "$BUNDLE/rootfs/ready"
	run lw delete -f test_busybox
	assert_status 0
	wait "$rt" || rc=$?
	[ "$rc" -eq 137 ] || fail "runtime exited $rc, expected 137; $(cat "$BATS_TEST_TMPDIR/out")"
	[ "$(cat "$BATS_TEST_TMPDIR/poststop")" = stop ] || fail "poststop: $(cat "$BATS_TEST_TMPDIR/poststop")"
	assert_no_leftovers test_busybox
}

@test "run --detach: returns at once, container keeps running" {
	run lw run --detach test_busybox
	assert_status 0
	testcontainer test_busybox running
	local pid
	pid=$(container_pid test_busybox)
	[ "$pid" -gt 0 ] && kill -0 "$pid" || fail "pid '$pid' is not alive"
	grep -q '^sleep' "/proc/$pid/comm" || fail "pid $pid is $(cat "/proc/$pid/comm"), not the process"
}

@test "run -d: short form of --detach" {
	run lw run -d test_busybox
	assert_status 0
	testcontainer test_busybox running
}

@test "run --pid-file: holds the process's host pid" {
	run lw run -d --pid-file "$BATS_TEST_TMPDIR/pid" test_busybox
	assert_status 0
	local pid
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	[[ $pid =~ ^[0-9]+$ ]] || fail "pid file holds '$pid'"
	[ "$pid" = "$(container_pid test_busybox)" ] || fail "pid file $pid != state pid"
}

@test "run --pid-file: a relative path is relative to the cwd" {
	mkdir "$BATS_TEST_TMPDIR/wd"
	cd "$BATS_TEST_TMPDIR/wd"
	run lw run -d --bundle "$BUNDLE" --pid-file pid.txt test_busybox
	assert_status 0
	[ "$(cat "$BATS_TEST_TMPDIR/wd/pid.txt")" = "$(container_pid test_busybox)" ] || fail "pid file wrong"
}

@test "run: without --keep a stopped container is deleted" {
	set_args true
	run lw run test_busybox
	assert_status 0
	run lw state test_busybox
	assert_failed
	assert_no_leftovers test_busybox
}

@test "run --keep: the stopped container stays until delete" {
	set_args lwtest exit 3
	run lw run --keep test_busybox
	assert_status 3
	testcontainer test_busybox stopped
	run lw delete test_busybox
	assert_status 0
	assert_no_leftovers test_busybox
}

@test "run --bundle: bundle given by path, cwd elsewhere" {
	set_args lwtest cwd
	cd /
	run lw run --bundle "$BUNDLE" test_busybox
	assert_status 0
	[ "$output" = "/" ] || fail "output '$output'"
}

@test "run -b: short form of --bundle" {
	set_args true
	cd /
	run lw run -b "$BUNDLE" test_busybox
	assert_status 0
}

@test "run --no-pivot: works and gives the same root" {
	set_args sh -c 'lwtest cwd; ls /bin/lwtest'
	run lw run --no-pivot test_busybox
	assert_status 0
	assert_line_is "/"
	assert_line_is "/bin/lwtest"
}

@test "run: a new session keyring per container; --no-new-keyring keeps the caller's" {
	set_args lwtest keyring
	run lw run test_busybox
	assert_status 0
	[ "$(value name)" = "_ses.test_busybox" ] || fail "session keyring: $output"
	run lw run --no-new-keyring test_busybox
	assert_status 0
	[ "$(value name)" != "_ses.test_busybox" ] || fail "--no-new-keyring made a new keyring: $output"
}

@test "run --preserve-fds: passes fds 3.. to the process" {
	echo a >"$BATS_TEST_TMPDIR/fd-a"
	echo b >"$BATS_TEST_TMPDIR/fd-b"
	set_args lwtest fds
	run timeout 30 "$LEEWARD" --root "$ROOT" run --preserve-fds 2 test_busybox \
		3<"$BATS_TEST_TMPDIR/fd-a" 4<"$BATS_TEST_TMPDIR/fd-b" 5</
	assert_status 0
	assert_line_is "3=$BATS_TEST_TMPDIR/fd-a"
	assert_line_is "4=$BATS_TEST_TMPDIR/fd-b"
	# fd 5 was not asked for
	[ "$(grep -c '=' <<<"$output")" -eq 2 ] || fail "unexpected fds: $output"
}

@test "run: LISTEN_FDS passes socket-activation fds and env" {
	echo a >"$BATS_TEST_TMPDIR/fd-a"
	set_args sh -c 'lwtest fds; echo LISTEN_FDS=$LISTEN_FDS'
	# LISTEN_PID must be the runtime's own pid (sd_listen_fds semantics)
	run sh -c 'LISTEN_FDS=1 LISTEN_PID=$$ exec "$@"' sh "$LEEWARD" --root "$ROOT" run test_busybox \
		3<"$BATS_TEST_TMPDIR/fd-a"
	assert_status 0
	assert_line_is "3=$BATS_TEST_TMPDIR/fd-a"
	assert_line_is "LISTEN_FDS=1"
}

@test "run: missing container id fails" {
	run lw run
	assert_failed
}
