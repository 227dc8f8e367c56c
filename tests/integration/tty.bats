#!/usr/bin/env bats
# process.terminal: the --console-socket protocol and run -t on a tty.

load helpers

setup() {
	requires lwtest
	setup_bundle
	update_config '.process.terminal = true'
	SOCK=$BATS_TEST_TMPDIR/console.sock
}

teardown() {
	[ -n "${RECV_PID:-}" ] && kill "$RECV_PID" 2>/dev/null
	teardown_bundle
}

# start_receiver: `lwtest recvtty` on $SOCK, its output in $BATS_TEST_TMPDIR/tty.
start_receiver() {
	"$LWTEST" recvtty "$SOCK" >"$BATS_TEST_TMPDIR/tty" 2>&1 3>&- &
	RECV_PID=$!
	wait_for_file "$SOCK"
}

@test "tty: run -d --console-socket hands over the pty master" {
	start_receiver
	set_args lwtest tty
	run lw run -d --console-socket "$SOCK" test_busybox
	assert_status 0
	wait "$RECV_PID" || true
	RECV_PID=
	run cat "$BATS_TEST_TMPDIR/tty"
	assert_line_is "pty=ok"
	# stdin, stdout, stderr are the pty slave
	assert_output_matches "0=/dev/pts/[0-9]+"
	assert_output_matches "1=/dev/pts/[0-9]+"
	assert_output_matches "2=/dev/pts/[0-9]+"
	assert_output_has "pgrp_is_fg=1"
}

@test "tty: create --console-socket, then start" {
	start_receiver
	set_args sh -c 'lwtest stat /dev/console; lwtest tty'
	run lw create --console-socket "$SOCK" test_busybox
	assert_status 0
	run lw start test_busybox
	assert_status 0
	wait "$RECV_PID" || true
	RECV_PID=
	run cat "$BATS_TEST_TMPDIR/tty"
	assert_line_is "pty=ok"
	# /dev/console is the pty slave (char 136:N)
	assert_output_matches "type=char"
	assert_output_matches "major=136"
}

@test "tty: relative --console-socket path" {
	SOCK=$BUNDLE/console.sock
	start_receiver
	set_args true
	# relative to the cwd, which is the bundle here (runc resolves it
	# after changing into the bundle)
	cd "$BUNDLE"
	run lw run -d --console-socket console.sock test_busybox
	assert_status 0
	wait "$RECV_PID" || true
	RECV_PID=
	grep -qx "pty=ok" "$BATS_TEST_TMPDIR/tty" || fail "$(cat "$BATS_TEST_TMPDIR/tty")"
}

@test "tty: terminal=true without --console-socket fails when detached" {
	run lw create test_busybox
	assert_failed
	assert_output_has "console"
	assert_no_leftovers test_busybox
	run lw run -d test_busybox
	assert_failed
	assert_no_leftovers test_busybox
}

@test "tty: --console-socket with terminal=false fails" {
	update_config '.process.terminal = false'
	start_receiver
	run lw create --console-socket "$SOCK" test_busybox
	assert_failed
	assert_no_leftovers test_busybox
}

@test "tty: a console socket nobody listens on fails create" {
	run lw create --console-socket "$BATS_TEST_TMPDIR/nobody.sock" test_busybox
	assert_failed
	assert_no_leftovers test_busybox
}

# `lwtest ptyrun` is the terminal: it SIGKILLs the session after 30 s, so a
# hang fails the test instead of the suite (script(1) did not bound it).
@test "tty: foreground run on a terminal" {
	set_args sh -c 'lwtest tty; exit 5'
	run "$LWTEST" ptyrun 30 "" "$LEEWARD" --root "$ROOT" run test_busybox </dev/null
	assert_status 5
	assert_output_matches "0=/dev/pts/[0-9]+"
	assert_output_matches "1=/dev/pts/[0-9]+"
	assert_no_leftovers test_busybox
}

@test "tty: foreground run passes input through the terminal" {
	set_args sh -c 'read line; echo "got:$line"'
	run "$LWTEST" ptyrun 30 $'typed-text\n' "$LEEWARD" --root "$ROOT" run test_busybox </dev/null
	assert_status 0
	assert_output_has "got:typed-text"
	assert_no_leftovers test_busybox
}

@test "tty: consoleSize sets the window size" {
	# runc 1.1.5 does not apply process.consoleSize: expected to fail there.
	update_config '.process.consoleSize = {"height": 33, "width": 101}'
	start_receiver
	set_args lwtest tty
	run lw run -d --console-socket "$SOCK" test_busybox
	assert_status 0
	wait "$RECV_PID" || true
	RECV_PID=
	# the pty turns \n into \r\n
	tr -d '\r' <"$BATS_TEST_TMPDIR/tty" | grep -qx "size=33x101" || fail "$(cat "$BATS_TEST_TMPDIR/tty")"
}
