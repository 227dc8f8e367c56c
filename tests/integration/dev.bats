#!/usr/bin/env bats
# /dev, linux.devices, maskedPaths, readonlyPaths, sysctl, hostname,
# domainname, rootfsPropagation, readonly root.

load helpers

setup() {
	setup_bundle
}

teardown() {
	teardown_bundle
}

@test "dev: default device nodes" {
	set_args sh -c 'for d in null zero full random urandom tty; do echo "$d $(lwtest stat /dev/$d | tr "\n" " ")"; done'
	run lw run test_busybox
	assert_status 0
	local d maj min
	while read -r d maj min; do
		assert_line_matches "^$d type=char mode=0666 uid=0 gid=0 major=$maj minor=$min $"
	done <<-EOF2
		null 1 3
		zero 1 5
		full 1 7
		random 1 8
		urandom 1 9
		tty 5 0
	EOF2
}

@test "dev: default symlinks" {
	set_args sh -c 'for l in fd stdin stdout stderr ptmx; do echo "$l -> $(readlink /dev/$l)"; done; [ -e /dev/core ] && echo "core -> $(readlink /dev/core)"; true'
	run lw run test_busybox
	assert_status 0
	assert_line_is "fd -> /proc/self/fd"
	assert_line_is "stdin -> /proc/self/fd/0"
	assert_line_is "stdout -> /proc/self/fd/1"
	assert_line_is "stderr -> /proc/self/fd/2"
	assert_line_is "ptmx -> pts/ptmx"
}

@test "dev: default devices work, others are denied" {
	requires root
	set_args sh -c 'echo x >/dev/null && head -c 4 /dev/zero | wc -c && mknod /dev/sda b 8 0 && head -c1 /dev/sda; echo rc=$?'
	update_config '.process.capabilities.bounding += ["CAP_MKNOD"] | .process.capabilities.effective += ["CAP_MKNOD"] | .process.capabilities.permitted += ["CAP_MKNOD"]'
	run lw run test_busybox
	assert_line_is "4"
	assert_output_lacks "rc=0"
}

@test "dev: linux.devices creates the node with mode and owner" {
	update_config '.linux.devices = [{"path":"/dev/mynull","type":"c","major":1,"minor":3,"fileMode":390,"uid":1,"gid":2}]
	  | .linux.resources.devices += [{"allow":true,"type":"c","major":1,"minor":3,"access":"rwm"}]'
	set_args sh -c 'lwtest stat /dev/mynull; echo x >/dev/mynull && echo written'
	run lw run test_busybox
	assert_status 0
	assert_line_is "type=char"
	assert_line_is "mode=0606"
	assert_line_is "uid=1"
	assert_line_is "gid=2"
	assert_line_is "major=1"
	assert_line_is "minor=3"
	assert_line_is "written"
}

@test "dev: maskedPaths hide files and dirs" {
	mkdir -p rootfs/secret-dir && echo s >rootfs/secret-dir/f
	echo secret >rootfs/secret-file
	update_config '.linux.maskedPaths += ["/secret-dir", "/secret-file"]'
	set_args sh -c 'wc -c </secret-file; ls -A /secret-dir | wc -l; ls -A /sys/firmware | wc -l'
	run lw run test_busybox
	assert_status 0
	[ "$output" = $'0\n0\n0' ] || fail "masked paths readable: $output"
}

@test "dev: readonlyPaths are read-only" {
	set_args sh -c 'lwtest write /proc/sys/kernel/domainname x; lwtest write /proc/sysrq-trigger h'
	run lw run test_busybox
	assert_line_is "EROFS"
	assert_output_lacks "ok"
}

@test "dev: sysctl in the container's namespaces" {
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmax": "123456789"}'
	set_args sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax'
	run lw run test_busybox
	assert_status 0
	[ "$output" = $'1\n123456789' ] || fail "sysctl: $output"
	[ "$(cat /proc/sys/kernel/shmmax)" != 123456789 ] || fail "host kernel.shmmax changed"
}

@test "dev: sysctl outside the container's namespaces is refused" {
	local before
	before=$(cat /proc/sys/kernel/panic)
	update_config '.linux.sysctl = {"kernel.panic": "42"}'
	run lw create test_busybox
	if [ "$(cat /proc/sys/kernel/panic)" != "$before" ]; then
		echo "$before" >/proc/sys/kernel/panic
		fail "host kernel.panic changed (restored)"
	fi
	assert_failed
	assert_output_has "kernel.panic"
	assert_no_leftovers test_busybox
}

@test "dev: sysctl of a network setting without a network namespace is refused" {
	update_config '.linux.namespaces -= [{"type":"network"}] | .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	run lw create test_busybox
	assert_failed
	assert_no_leftovers test_busybox
}

@test "dev: hostname and domainname" {
	# runc 1.1.5 ignores domainname (added in runc 1.2): expected to fail there.
	update_config '.hostname = "box-1" | .domainname = "example.org"'
	set_args lwtest hostname
	run lw run test_busybox
	assert_status 0
	assert_line_is "hostname=box-1"
	assert_line_is "domainname=example.org"
}

@test "dev: hostname without a uts namespace is refused" {
	update_config '.linux.namespaces -= [{"type":"uts"}] | .hostname = "box-1"'
	run lw create test_busybox
	assert_failed
	assert_output_has "hostname"
	assert_no_leftovers test_busybox
}

@test "dev: readonly root" {
	update_config '.root.readonly = true'
	set_args sh -c 'lwtest write /new-file x; lwtest write /dev/shm/ok x'
	run lw run test_busybox
	assert_line_is "EROFS"
	assert_line_is "ok"
	[ ! -e rootfs/new-file ] || fail "wrote into a readonly root"
}

@test "dev: rootfsPropagation private, slave, shared" {
	local p want
	# propagation is only visible from a shared mount: make the bundle one
	# (the host's / is private on these machines)
	mount --bind "$BUNDLE" "$BUNDLE"
	mount --make-rshared "$BUNDLE"
	for p in private slave shared; do
		update_config '.linux.rootfsPropagation = "'"$p"'"'
		set_args sh -c 'awk '"'"'$5 == "/"'"'"' /proc/self/mountinfo'
		run lw run test_busybox
		assert_status 0
		case $p in
		private) [[ $output != *shared:* && $output != *master:* ]] || { umount -l "$BUNDLE"; fail "$p: $output"; } ;;
		# a slave whose master is gone shows no master: only "not shared" is certain
		slave) [[ $output != *shared:* ]] || { umount -l "$BUNDLE"; fail "$p: $output"; } ;;
		# runc 1.1.5 shows no shared: tag on / here: expected to fail there (not yet
		# checked whether runc or this expectation is wrong).
		shared) [[ $output == *shared:* ]] || { umount -l "$BUNDLE"; fail "$p: $output"; } ;;
		esac
	done
	umount -l "$BUNDLE"
}

@test "dev: /dev/pts is a new instance, /dev/console absent without a terminal" {
	set_args sh -c 'ls /dev/pts; [ -e /dev/console ] && echo console || echo no-console'
	run lw run test_busybox
	assert_status 0
	assert_line_is "ptmx"
	assert_line_is "no-console"
	assert_output_lacks "0"
}
