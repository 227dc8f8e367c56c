#!/usr/bin/env bats
# --log, --log-format (text|json): what containerd/CRI-O show the user.

load helpers

setup() {
	setup_bundle
	LOG=$BATS_TEST_TMPDIR/runtime.log
}

teardown() {
	teardown_bundle
}

@test "logs: --log-format json, the last error line tells the story" {
	rm -rf rootfs
	run lw --log "$LOG" --log-format json create test_busybox
	assert_failed
	[ -s "$LOG" ] || fail "empty log"
	local last
	last=$(grep '"level":"error"' "$LOG" | tail -n1)
	[ -n "$last" ] || fail "no error line in: $(cat "$LOG")"
	jq -e '.level == "error" and (.msg | length > 0) and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T"))' <<<"$last" >/dev/null ||
		fail "bad error line: $last"
	jq -e '.msg | test("rootfs")' <<<"$last" >/dev/null || fail "error line does not name the rootfs: $last"
	assert_no_leftovers test_busybox
}

@test "logs: every line of a json log is a JSON object" {
	update_config '.process.args = "not-an-array"'
	run lw --log "$LOG" --log-format json create test_busybox
	assert_failed
	[ -s "$LOG" ] || fail "empty log"
	local line
	while IFS= read -r line; do
		jq -e 'type == "object" and has("level") and has("msg") and has("time")' <<<"$line" >/dev/null ||
			fail "not a log object: $line"
	done <"$LOG"
}

@test "logs: text format by default" {
	rm -rf rootfs
	run lw --log "$LOG" create test_busybox
	assert_failed
	[ -s "$LOG" ] || fail "empty log"
	grep -q 'level=error' "$LOG" || fail "no level=error line: $(cat "$LOG")"
	! jq -e . "$LOG" >/dev/null 2>&1 || fail "text log is JSON"
}

@test "logs: --log appends, never truncates" {
	echo "previous line" >"$LOG"
	rm -rf rootfs
	run lw --log "$LOG" --log-format json create test_busybox
	assert_failed
	[ "$(head -n1 "$LOG")" = "previous line" ] || fail "log truncated"
}

@test "logs: a successful run logs no error" {
	set_args true
	run lw --log "$LOG" --log-format json run test_busybox
	assert_status 0
	! grep -q '"level":"error"' "$LOG" 2>/dev/null || fail "error logged: $(cat "$LOG")"
}

@test "logs: unknown --log-format fails" {
	run lw --log "$LOG" --log-format yaml list
	assert_failed
	assert_output_has "yaml"
}

@test "logs: the error is also on stderr without --log" {
	rm -rf rootfs
	local rc=0
	lw create test_busybox >/dev/null 2>"$BATS_TEST_TMPDIR/err" || rc=$?
	[ "$rc" -ne 0 ] || fail "create succeeded without a rootfs"
	grep -q rootfs "$BATS_TEST_TMPDIR/err" || fail "stderr: $(cat "$BATS_TEST_TMPDIR/err")"
}
