#!/bin/bash
# containerd.sh start DIR [RUNTIME]
#                           start a containerd of its own: root, state, socket,
#                           config and log under DIR; prints its pid (also in
#                           DIR/containerd.pid) once the socket answers.  With
#                           RUNTIME, DIR/bin/runc is a symlink to it and comes
#                           first in containerd's (so the shims') PATH: the
#                           runtime of a task whose runc options are lost (ctr
#                           run --uidmap replaces them with its own)
# containerd.sh stop DIR    stop it (by that pid) and the shims it started
#                           (by the pids of the shims serving DIR's socket)
#
# The config (DIR/config.toml) keeps containerd off the network and off the
# host's own containerd: no CRI plugin, no snapshotters but native and
# overlayfs, no tracing, no metrics or debug listeners, and the runc v2 shim
# with the cgroupfs driver (SystemdCgroup = false).  The runtime binary is
# chosen per container (ctr run --runc-binary), the way a Kubernetes
# RuntimeClass handler sets BinaryName.
set -euo pipefail

usage() {
	echo "usage: $0 start DIR [RUNTIME] | stop DIR" >&2
	exit 2
}
[ $# -eq 2 ] || [ $# -eq 3 ] || usage
cmd=$1 dir=$2 runtime=${3:-}
case $dir in /*) ;; *) dir=$(pwd)/$dir ;; esac
sock=$dir/containerd.sock

# the shims of this containerd: their command line names our socket
shim_pids() {
	local p
	for p in /proc/[0-9]*; do
		{ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -q "^containerd-shim.* -address $sock " &&
			echo "${p#/proc/}"
	done
	return 0
}

case $cmd in
start)
	command -v containerd >/dev/null || { echo "containerd is not installed (make deps)" >&2; exit 1; }
	command -v ctr >/dev/null || { echo "ctr is not installed (make deps)" >&2; exit 1; }
	mkdir -p "$dir/root" "$dir/state"
	# a remapped root (user namespace) must traverse to the bundle
	chmod 0711 "$dir" "$dir/state"
	path=$PATH
	if [ -n "$runtime" ]; then
		mkdir -p "$dir/bin"
		ln -sfn "$runtime" "$dir/bin/runc"
		path=$dir/bin:$PATH
	fi
	# the socket path must fit in sun_path (108 bytes)
	[ ${#sock} -lt 100 ] || { echo "socket path too long: $sock" >&2; exit 1; }
	cat >"$dir/config.toml" <<EOF
version = 2
root = "$dir/root"
state = "$dir/state"
disabled_plugins = [
  "io.containerd.grpc.v1.cri",
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing",
]

[grpc]
  address = "$sock"

[ttrpc]
  address = ""

[debug]
  address = ""
  level = "info"

[metrics]
  address = ""

[plugins."io.containerd.runtime.v1.linux"]
  shim_debug = false
  no_shim = false
  runtime = "runc"

[plugins."io.containerd.internal.v1.opt"]
  path = "$dir/opt"

[plugins."io.containerd.gc.v1.scheduler"]
  deletion_threshold = 0
EOF
	rm -f "$sock"
	PATH=$path containerd --config "$dir/config.toml" </dev/null >"$dir/containerd.log" 2>&1 3>&- 4>&- 5>&- &
	pid=$!
	echo "$pid" >"$dir/containerd.pid"
	for ((i = 0; i < 150; i++)); do
		if [ -S "$sock" ] && ctr --address "$sock" version >/dev/null 2>&1; then
			echo "$pid"
			exit 0
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "containerd did not start; its log:" >&2
	cat "$dir/containerd.log" >&2
	kill "$pid" 2>/dev/null || true
	exit 1
	;;
stop)
	[ -e "$dir/containerd.pid" ] || exit 0
	pid=$(cat "$dir/containerd.pid")
	shims=$(shim_pids)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
		[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$(readlink -f "$(command -v containerd)")" ]; then
		kill -TERM "$pid"
		for ((i = 0; i < 50; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	# shims outlive containerd by design: stop ours
	for p in $shims $(shim_pids); do
		kill -KILL "$p" 2>/dev/null || true
	done
	rm -f "$dir/containerd.pid"
	;;
*)
	usage
	;;
esac
