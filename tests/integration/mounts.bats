#!/usr/bin/env bats
# config.mounts: bind, rbind, ro, tmpfs, proc, sysfs, devpts, mqueue, cgroup2;
# destinations resolved inside the rootfs.

load helpers

setup() {
	setup_bundle
	HOSTDIR=$BATS_TEST_TMPDIR/hostdir
	mkdir -p "$HOSTDIR"
	echo host-data >"$HOSTDIR/file"
}

teardown() {
	teardown_bundle
}

add_mount() {
	update_config ".mounts += [$1]"
}

# mountinfo line of DEST inside the container (the last one: the top mount).
mount_of() {
	grep -E "^[0-9]+ [0-9]+ [0-9:]+ [^ ]+ $1 " <<<"$output" | tail -n1
}

@test "mounts: bind mount of a host dir" {
	add_mount '{"destination":"/mnt/host","type":"bind","source":"'"$HOSTDIR"'","options":["bind"]}'
	set_args sh -c 'cat /mnt/host/file && echo c-data >/mnt/host/from-container'
	run lw run test_busybox
	assert_status 0
	assert_output_has "host-data"
	[ "$(cat "$HOSTDIR/from-container")" = c-data ] || fail "write through the bind mount lost"
}

@test "mounts: read-only bind mount" {
	add_mount '{"destination":"/mnt/host","type":"bind","source":"'"$HOSTDIR"'","options":["bind","ro"]}'
	set_args lwtest write /mnt/host/x data
	run lw run test_busybox
	assert_status 1
	assert_output_has "EROFS"
	[ ! -e "$HOSTDIR/x" ] || fail "wrote through a ro mount"
}

@test "mounts: bind vs rbind of a tree with a submount" {
	mkdir -p "$HOSTDIR/sub"
	mount -t tmpfs -o size=1m tmpfs "$HOSTDIR/sub"
	echo sub-data >"$HOSTDIR/sub/subfile"
	add_mount '{"destination":"/mnt/bind","type":"bind","source":"'"$HOSTDIR"'","options":["bind"]}'
	add_mount '{"destination":"/mnt/rbind","type":"bind","source":"'"$HOSTDIR"'","options":["rbind"]}'
	set_args sh -c 'cat /mnt/rbind/sub/subfile; ls /mnt/bind/sub | wc -l'
	run lw run test_busybox
	umount "$HOSTDIR/sub"
	assert_status 0
	assert_line_is "sub-data"
	assert_line_is "0"
}

@test "mounts: bind mount of a single file" {
	add_mount '{"destination":"/etc/host-file","type":"bind","source":"'"$HOSTDIR/file"'","options":["bind","ro"]}'
	set_args cat /etc/host-file
	run lw run test_busybox
	assert_status 0
	assert_line_is "host-data"
}

@test "mounts: tmpfs with size, mode and flags" {
	add_mount '{"destination":"/mnt/t","type":"tmpfs","source":"tmpfs","options":["size=1m","mode=0710","nosuid","nodev","noexec"]}'
	set_args sh -c 'lwtest mounts; lwtest stat /mnt/t'
	run lw run test_busybox
	assert_status 0
	local m
	m=$(mount_of /mnt/t)
	[[ $m == *" - tmpfs "* ]] || fail "not a tmpfs: $m"
	[[ $m == *nosuid* && $m == *nodev* && $m == *noexec* ]] || fail "flags: $m"
	[[ $m == *size=1024k* ]] || fail "size: $m"
	assert_line_is "mode=0710"
}

@test "mounts: proc, sysfs, devpts, mqueue are the right filesystems" {
	set_args lwtest mounts
	run lw run test_busybox
	assert_status 0
	[[ $(mount_of /proc) == *" - proc "* ]] || fail "/proc: $(mount_of /proc)"
	[[ $(mount_of /sys) == *" - sysfs "* ]] || fail "/sys: $(mount_of /sys)"
	[[ $(mount_of /dev/pts) == *" - devpts "* ]] || fail "/dev/pts: $(mount_of /dev/pts)"
	[[ $(mount_of /dev/mqueue) == *" - mqueue "* ]] || fail "/dev/mqueue: $(mount_of /dev/mqueue)"
	[[ $(mount_of /dev/shm) == *" - tmpfs "* ]] || fail "/dev/shm: $(mount_of /dev/shm)"
	local ro_re='^[0-9]+ [0-9]+ [0-9:]+ [^ ]+ /sys ro[, ]'
	[[ $(mount_of /sys) =~ $ro_re ]] || fail "/sys not ro: $(mount_of /sys)"
}

@test "mounts: cgroup2 mount" {
	update_config '.mounts |= map(select(.destination != "/sys/fs/cgroup"))'
	add_mount '{"destination":"/sys/fs/cgroup","type":"cgroup2","source":"cgroup2","options":["nosuid","nodev","noexec","ro"]}'
	update_config '.linux.namespaces += [{"type":"cgroup"}]'
	set_args sh -c 'lwtest mounts; ls /sys/fs/cgroup'
	run lw run test_busybox
	assert_status 0
	[[ $(mount_of /sys/fs/cgroup) == *" - cgroup2 "* ]] || fail "/sys/fs/cgroup: $(mount_of /sys/fs/cgroup)"
	assert_line_is "cgroup.procs"
}

@test "mounts: destination is created when missing, nested" {
	add_mount '{"destination":"/a/b/c","type":"tmpfs","source":"tmpfs","options":["size=1m"]}'
	set_args lwtest mounts
	run lw run test_busybox
	assert_status 0
	[[ $(mount_of /a/b/c) == *" - tmpfs "* ]] || fail "/a/b/c: $output"
}

@test "mounts: a symlinked destination pointing outside the rootfs stays inside" {
	# rootfs/link -> <host path that does not exist>: the runtime must
	# resolve it inside the rootfs, never mkdir or mount on the host.
	local target=$BATS_TEST_TMPDIR/escaped/sub
	ln -s "$target" rootfs/link
	add_mount '{"destination":"/link","type":"tmpfs","source":"tmpfs","options":["size=1m"]}'
	set_args lwtest mounts
	run lw run test_busybox
	[ ! -e "$BATS_TEST_TMPDIR/escaped" ] || fail "runtime created $BATS_TEST_TMPDIR/escaped on the host"
	if [ "$status" -eq 0 ]; then
		[[ $(mount_of "$target") == *" - tmpfs "* ]] || fail "mount not at $target inside the rootfs: $output"
	fi
}

@test "mounts: a symlinked destination with .. cannot climb out" {
	mkdir -p "$BATS_TEST_TMPDIR/victim"
	ln -s ../../../../../../../../../"$BATS_TEST_TMPDIR/victim" rootfs/up
	add_mount '{"destination":"/up/inner","type":"tmpfs","source":"tmpfs","options":["size=1m"]}'
	set_args true
	run lw run test_busybox
	[ ! -e "$BATS_TEST_TMPDIR/victim/inner" ] || fail "runtime created a dir through the symlink on the host"
}

@test "mounts: a destination with .. components is cleaned inside the rootfs" {
	add_mount '{"destination":"/../../../../mnt/dotdot","type":"tmpfs","source":"tmpfs","options":["size=1m"]}'
	set_args lwtest mounts
	run lw run test_busybox
	assert_status 0
	[[ $(mount_of /mnt/dotdot) == *" - tmpfs "* ]] || fail "$output"
}

@test "mounts: relative destination is rejected or taken from /" {
	add_mount '{"destination":"mnt/rel","type":"tmpfs","source":"tmpfs","options":["size=1m"]}'
	set_args lwtest mounts
	run lw run test_busybox
	if [ "$status" -eq 0 ]; then
		[[ $(mount_of /mnt/rel) == *" - tmpfs "* ]] || fail "$output"
	fi
}

@test "mounts: bind-mounted host file is not modified by the runtime" {
	local before
	before=$(stat -c '%u:%g %a %s %Y' "$HOSTDIR/file")
	add_mount '{"destination":"/etc/hf","type":"bind","source":"'"$HOSTDIR/file"'","options":["bind"]}'
	set_args true
	run lw run test_busybox
	assert_status 0
	[ "$(stat -c '%u:%g %a %s %Y' "$HOSTDIR/file")" = "$before" ] || fail "host file changed"
}

@test "mounts: nosuid/nodev/noexec on a bind mount" {
	add_mount '{"destination":"/mnt/host","type":"bind","source":"'"$HOSTDIR"'","options":["bind","nosuid","nodev","noexec"]}'
	set_args lwtest mounts
	run lw run test_busybox
	assert_status 0
	local m
	m=$(mount_of /mnt/host)
	[[ $m == *nosuid* && $m == *nodev* && $m == *noexec* ]] || fail "flags: $m"
}

@test "mounts: mount propagation option on a bind mount (rprivate)" {
	add_mount '{"destination":"/mnt/host","type":"bind","source":"'"$HOSTDIR"'","options":["rbind","rprivate"]}'
	set_args lwtest mounts
	run lw run test_busybox
	assert_status 0
	local m
	m=$(mount_of /mnt/host)
	[[ -n $m && $m != *shared:* ]] || fail "not private: $m"
}

@test "mounts: idmapped bind mount (mount's own mappings) shows the mapped owner, host file untouched" {
	chown 0:0 "$HOSTDIR/file"
	update_config '.mounts += [{"destination":"/idm","type":"bind","source":"'"$HOSTDIR"'",
	  "options":["bind","idmap"],
	  "uidMappings":[{"containerID":0,"hostID":1234,"size":1}],
	  "gidMappings":[{"containerID":0,"hostID":1234,"size":1}]}]'
	set_args stat -c '%u:%g' /idm/file
	run lw run test_busybox
	assert_status 0
	assert_line_is "1234:1234"
	[ "$(stat -c '%u:%g' "$HOSTDIR/file")" = "0:0" ] || fail "host file owner changed"
}

@test "mounts: idmap without mappings takes the container's user namespace mappings" {
	chown 0:0 "$HOSTDIR/file"
	requires root userns
	userns_config 200000
	update_config '.mounts += [{"destination":"/idm","type":"bind","source":"'"$HOSTDIR"'","options":["rbind","ridmap"]}]'
	# root in the container owns (and can write) what host root owns
	set_args sh -c 'stat -c %u:%g /idm/file && echo more >>/idm/file'
	run lw run test_busybox
	assert_status 0
	assert_line_is "0:0"
	[ "$(stat -c '%u:%g' "$HOSTDIR/file")" = "0:0" ] || fail "host file owner changed"
	grep -qx more "$HOSTDIR/file" || fail "write through the idmapped mount did not land"
}

@test "mounts: idmap on a non-bind mount is refused" {
	update_config '.mounts += [{"destination":"/t","type":"tmpfs","source":"tmpfs","options":["idmap"],
	  "uidMappings":[{"containerID":0,"hostID":1000,"size":1}],"gidMappings":[{"containerID":0,"hostID":1000,"size":1}]}]'
	run lw create test_busybox
	assert_failed
	assert_output_has "mounts["
	assert_no_leftovers test_busybox
}
