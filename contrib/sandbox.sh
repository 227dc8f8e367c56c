#!/bin/sh
# sandbox.sh [COMMAND ARGS...]: run a command in a leeward sandbox made
# from the project's default bundle: a busybox-static root filesystem
# (contrib/mkrootfs.sh) and leeward's own default config (`leeward spec`:
# pid, mount, network, ipc, uts and cgroup namespaces, a minimal capability
# set, masked /proc paths) plus a user namespace (container root is host
# uid 100000), a read-only root, no terminal, and Landlock: files can be
# read and run, written only beneath /dev (null, zero, tty, shm...), no TCP
# bind or connect, no signal or abstract unix socket out of the sandbox
# (best effort: what the kernel has of it).
#
#   contrib/sandbox.sh sh -c 'echo hello from a sandbox; id; hostname'
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
leeward=${LEEWARD:-$here/build/leeward}
bundle=${SANDBOX_BUNDLE:-$here/build/default-bundle}

if [ ! -d "$bundle/rootfs/bin" ]; then
	rm -rf "$bundle"
	mkdir -p "$bundle"
	"$here/contrib/mkrootfs.sh" "$bundle/rootfs" >/dev/null
	"$leeward" spec --bundle "$bundle"
	tmp=$(mktemp)
	jq '.process.terminal = false | .root.readonly = true | .hostname = "sandbox"
	    | .linux.namespaces += [{"type": "user"}]
	    | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
	    | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
	    | .process.landlock = {
		ruleset: {handledAccessFS: ["execute", "write_file", "read_file", "read_dir",
			"remove_dir", "remove_file", "make_char", "make_dir", "make_reg", "make_sock",
			"make_fifo", "make_block", "make_sym", "refer", "truncate", "ioctl_dev"],
			handledAccessNet: ["bind_tcp", "connect_tcp"],
			scoped: ["abstract_unix_socket", "signal"]},
		rules: {pathBeneath: [
			{allowedAccess: ["execute", "read_file", "read_dir"], paths: ["/"]},
			{allowedAccess: ["write_file", "read_file", "read_dir", "remove_file",
				"make_reg", "make_dir", "remove_dir", "truncate", "ioctl_dev"],
				paths: ["/dev"]}]}}' \
		"$bundle/config.json" >"$tmp"
	mv "$tmp" "$bundle/config.json"
fi
[ $# -gt 0 ] || set -- sh -c 'echo "hello from a leeward sandbox: $(id), host $(hostname)"'
args=$(jq -cn '$ARGS.positional' --args -- "$@")
tmp=$(mktemp)
jq --argjson a "$args" '.process.args = $a' "$bundle/config.json" >"$tmp"
mv "$tmp" "$bundle/config.json"
exec "$leeward" --root "${SANDBOX_ROOT:-/run/leeward}" run --bundle "$bundle" "sandbox-$$"
