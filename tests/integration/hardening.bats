#!/usr/bin/env bats
# Attacks from inside the container on the runtime and the host.

load helpers

setup() {
	setup_bundle
	RUNTIME_SUM=$(sha256sum "$LEEWARD" | cut -d' ' -f1)
}

teardown() {
	teardown_bundle
	[ "$(sha256sum "$LEEWARD" | cut -d' ' -f1)" = "$RUNTIME_SUM" ] || fail "THE RUNTIME BINARY CHANGED"
}

@test "hardening: /proc/self/exe and /proc/1/exe are not writable (CVE-2019-5736)" {
	set_args lwtest write-exe
	run lw run test_busybox
	assert_status 0
	assert_output_lacks "writable"
}

@test "hardening: a process racing exec cannot reopen the runtime for writing (CVE-2019-5736)" {
	set_args lwtest exe-race 4000
	lw run -d test_busybox >"$BATS_TEST_TMPDIR/race" 2>&1 </dev/null
	local i
	for ((i = 0; i < 15; i++)); do
		lw exec test_busybox true >/dev/null 2>&1 </dev/null || true
	done
	wait_for_container 100 0.1 test_busybox stopped
	run cat "$BATS_TEST_TMPDIR/race"
	assert_line_is "writable_total=0"
}

@test "hardening: an entrypoint #!/proc/self/exe cannot reach the runtime binary" {
	printf '#!/proc/self/exe\n' >rootfs/bin/evil
	chmod +x rootfs/bin/evil
	set_args /bin/evil
	run lw run test_busybox
	# whatever happens, the runtime binary is unchanged (checked in teardown)
	assert_no_leftovers test_busybox
}

@test "hardening: no fds leak into the container" {
	set_args lwtest fds
	run timeout 30 "$LEEWARD" --root "$ROOT" run test_busybox 7<"$BUNDLE" 8</ 9<"$BUNDLE/config.json"
	assert_status 0
	[ -z "$output" ] || fail "leaked fds: $output"
}

@test "hardening: with --preserve-fds only the asked fds are passed" {
	set_args lwtest fds
	run timeout 30 "$LEEWARD" --root "$ROOT" run --preserve-fds 1 test_busybox 3<"$BUNDLE/config.json" 7<"$BUNDLE" 8</
	assert_status 0
	[ "$output" = "3=$BUNDLE/config.json" ] || fail "fds: $output"
}

@test "hardening: cwd through a leaked fd cannot reach the host (CVE-2024-21626)" {
	local fd
	for fd in 3 4 5 6 7 8 9 10; do
		update_config '.process.cwd = "/proc/self/fd/'"$fd"'"'
		set_args lwtest cwd
		run timeout 30 "$LEEWARD" --root "$ROOT" run test_busybox 7<"$BATS_TEST_TMPDIR" 8</
		if [ "$status" -eq 0 ]; then
			[[ $output != "$BATS_TEST_TMPDIR"* ]] || fail "cwd is the host dir $output (fd $fd)"
			[[ $output != "(unreachable)"* && $output != "/" ]] || fail "cwd outside the rootfs: $output (fd $fd)"
		fi
		assert_no_leftovers test_busybox
	done
}

@test "hardening: the container's cwd is inside its rootfs" {
	set_args sh -c 'lwtest cwd; ls ..'
	run lw run test_busybox
	assert_status 0
	assert_line_is "/"
	assert_output_lacks "bundle"
	assert_output_lacks "config.json"
}

@test "hardening: /proc in the rootfs is a symlink: no write lands outside procfs" {
	mkdir -p rootfs/fakeproc/self rootfs/fakeproc/sys
	rmdir rootfs/proc
	ln -s /fakeproc rootfs/proc
	set_args true
	run lw run test_busybox
	# The runtime must refuse, or mount a real procfs there; it must not
	# write its settings (oom_score_adj, attr, sysctl) into plain files.
	[ -z "$(find rootfs/fakeproc -type f)" ] || fail "runtime wrote into a fake /proc: $(find rootfs/fakeproc -type f)"
	assert_no_leftovers test_busybox
}

@test "hardening: /proc/self/attr and oom_score_adj writes are not redirected by a symlinked /proc/self" {
	update_config '.process.oomScoreAdj = 100'
	mkdir -p rootfs/evil
	set_args lwtest oomscore
	run lw run test_busybox
	assert_status 0
	[ "$output" = 100 ] || fail "$output"
	[ -z "$(ls -A rootfs/evil)" ] || fail "$(ls -A rootfs/evil)"
}

@test "hardening: the host /dev/null is never chowned (user namespace)" {
	requires root userns
	local before
	before=$(stat -c '%u:%g %a' /dev/null)
	userns_config 100000
	set_args sh -c 'chown 0:0 /dev/null; echo x >/dev/null; lwtest stat /dev/null'
	run lw run test_busybox
	[ "$(stat -c '%u:%g %a' /dev/null)" = "$before" ] || fail "host /dev/null changed: $(stat -c '%u:%g %a' /dev/null)"
}

@test "hardening: a bind-mount destination symlink to /dev/null does not touch the host's" {
	local before
	before=$(stat -c '%u:%g %a %t:%T' /dev/null)
	ln -s /dev/null rootfs/nullink
	update_config '.mounts += [{"destination":"/nullink","type":"bind","source":"'"$BUNDLE/config.json"'","options":["bind","ro"]}]'
	set_args true
	run lw run test_busybox
	[ "$(stat -c '%u:%g %a %t:%T' /dev/null)" = "$before" ] || fail "host /dev/null changed"
	[ -c /dev/null ] || fail "host /dev/null is not a char device any more"
}

@test "hardening: masked /proc files cannot be unmasked without CAP_SYS_ADMIN" {
	echo secret >rootfs/secret-file
	update_config '.linux.maskedPaths += ["/secret-file"]'
	set_args sh -c 'umount /secret-file 2>&1; wc -c </secret-file'
	run lw run test_busybox
	assert_line_is "0"
}

@test "hardening: the container cannot see the runtime's state dir" {
	set_args sh -c 'ls / ; cat /proc/1/mountinfo'
	run lw run test_busybox
	assert_status 0
	assert_output_lacks "$ROOT"
}
