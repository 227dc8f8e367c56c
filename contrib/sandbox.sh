#!/bin/sh
# sandbox.sh [COMMAND ARGS...]: run a command in a leeward sandbox made
# from the project's default bundle: a busybox-static root filesystem
# (contrib/mkrootfs.sh) and leeward's own default config (`leeward spec`:
# pid, mount, network, ipc, uts and cgroup namespaces, a minimal capability
# set, masked /proc paths) plus a user namespace (container root is host
# uid 100000), a read-only root and no terminal.
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
	    | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]' \
		"$bundle/config.json" >"$tmp"
	mv "$tmp" "$bundle/config.json"
fi
[ $# -gt 0 ] || set -- sh -c 'echo "hello from a leeward sandbox: $(id), host $(hostname)"'
args=$(jq -cn '$ARGS.positional' --args -- "$@")
tmp=$(mktemp)
jq --argjson a "$args" '.process.args = $a' "$bundle/config.json" >"$tmp"
mv "$tmp" "$bundle/config.json"
exec "$leeward" --root "${SANDBOX_ROOT:-/run/leeward}" run --bundle "$bundle" "sandbox-$$"
