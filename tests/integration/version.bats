#!/usr/bin/env bats
# --version, --help, unknown commands.

load helpers

@test "--version: name, version, spec version" {
	run "$LEEWARD" --version
	assert_status 0
	assert_output_matches "^[a-z]+ version [0-9]+\.[0-9]+\.[0-9]+"
	assert_line_matches "^spec: 1\.[0-9]+\.[0-9]+"
	assert_line_matches "^commit: "
}

@test "-v: same as --version" {
	run "$LEEWARD" --version
	local long=$output
	run "$LEEWARD" -v
	assert_status 0
	[ "$output" = "$long" ] || fail "-v differs: $output"
}

@test "--help: lists the commands" {
	run "$LEEWARD" --help
	assert_status 0
	local c
	for c in create start run state kill delete list spec features exec ps pause resume update events checkpoint; do
		grep -qE "^[[:space:]]+$c([[:space:],]|$)" <<<"$output" || fail "--help lacks '$c': $output"
	done
}

@test "no command: usage, exit 0 like runc" {
	run "$LEEWARD"
	assert_status 0
	assert_output_has "create"
}

@test "unknown command fails and names it" {
	run "$LEEWARD" no-such-command
	assert_failed
	assert_output_has "no-such-command"
}

@test "unknown global flag fails" {
	run "$LEEWARD" --no-such-flag list
	assert_failed
	assert_output_has "no-such-flag"
}

@test "command --help" {
	local c
	for c in create start run state kill delete list spec; do
		run "$LEEWARD" "$c" --help
		assert_status 0
		assert_output_has "$c"
	done
}
