#!/bin/sh
# Make the benchmark bundles under DIR (default: $BENCH_WORK/bundles).
#
#   bench/mkbundle.sh DIR
#
# DIR/rootfs           busybox-static, installed into rootfs/bin (hard links)
# DIR/true/config.json runc-spec-style config, args ["/bin/true"], no terminal
# DIR/sleep/           same, args ["/bin/sleep", "1000"]
# DIR/limits/          true + linux.resources.memory.limit 64M, pids.limit 100
# DIR/seccomp/         true + podman's seccomp.json converted to linux.seccomp
# DIR/landlock/        true + process.landlock (runtime-spec PR #1241 shape)
#
# All bundles share one read-only rootfs (root.path is absolute). The base
# config comes from `runc spec` (or `$LEEWARD spec` when runc is absent),
# so every runtime gets the config runc users get.
set -eu

dir=${1:?usage: mkbundle.sh DIR}
here=$(cd "$(dirname "$0")" && pwd)
busybox=${BENCH_BUSYBOX:-$(command -v busybox || echo /bin/busybox)}
seccomp_src=${BENCH_SECCOMP_JSON:-/usr/share/containers/seccomp.json}

die() { echo "mkbundle: $*" >&2; exit 1; }

command -v jq >/dev/null || die "jq not found (apt-get install jq)"
[ -x "$busybox" ] || die "busybox not found (apt-get install busybox-static)"
if command -v file >/dev/null && ! file -L "$busybox" | grep -q 'statically linked'; then
	die "$busybox is not statically linked (apt-get install busybox-static)"
fi

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
rootfs=$dir/rootfs

# rootfs: made once, reused (it is read-only for the containers).
if [ ! -x "$rootfs/bin/true" ]; then
	rm -rf "$rootfs"
	mkdir -p "$rootfs/bin" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev" \
		"$rootfs/tmp" "$rootfs/etc" "$rootfs/root" "$rootfs/run"
	cp "$busybox" "$rootfs/bin/busybox"
	# --install without -s makes hard links to the running binary.
	"$rootfs/bin/busybox" --install "$rootfs/bin"
	echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
	echo 'root:x:0:' >"$rootfs/etc/group"
fi

# Base config.
base=$dir/base.json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if command -v runc >/dev/null && (cd "$tmp" && runc spec) 2>/dev/null; then
	:
elif [ -n "${LEEWARD:-}" ] && [ -x "$LEEWARD" ] && (cd "$tmp" && "$LEEWARD" spec) 2>/dev/null; then
	:
else
	die "need runc (or \$LEEWARD) to generate a base config.json"
fi
jq --arg root "$rootfs" '
	.process.terminal = false
	| .process.args = ["/bin/true"]
	| .root = {path: $root, readonly: true}
	| .hostname = "bench"' "$tmp/config.json" >"$base"

mk() { # name jq-filter [jq args...]
	name=$1; filter=$2; shift 2
	mkdir -p "$dir/$name"
	jq "$@" "$filter" "$base" >"$dir/$name/config.json.tmp"
	mv "$dir/$name/config.json.tmp" "$dir/$name/config.json"
}

mk true '.'
mk sleep '.process.args = ["/bin/sleep", "1000"]'
mk limits '.linux.resources.memory.limit = 67108864 | .linux.resources.pids.limit = 100'

# podman's profile is nearly OCI-shaped: pick the archMap entry of this
# machine, keep the rules whose includes/excludes (arches, caps, minKernel)
# match this container, drop the non-OCI keys.
case $(uname -m) in
x86_64) goarch=amd64; scmparch=SCMP_ARCH_X86_64 ;;
aarch64) goarch=arm64; scmparch=SCMP_ARCH_AARCH64 ;;
s390x) goarch=s390x; scmparch=SCMP_ARCH_S390X ;;
ppc64le) goarch=ppc64le; scmparch=SCMP_ARCH_PPC64LE ;;
*) goarch=$(uname -m); scmparch=SCMP_ARCH_NATIVE ;;
esac
if [ -r "$seccomp_src" ]; then
	kver=$(uname -r | sed 's/[^0-9.].*//')
	jq --arg goarch "$goarch" --arg scmparch "$scmparch" --arg kver "$kver" \
		--slurpfile prof "$seccomp_src" -f "$here/seccomp.jq" "$base" >"$tmp/seccomp.json"
	mkdir -p "$dir/seccomp"
	mv "$tmp/seccomp.json" "$dir/seccomp/config.json"
else
	echo "mkbundle: $seccomp_src missing (apt-get install golang-github-containers-common); no seccomp bundle" >&2
	rm -rf "$dir/seccomp"
fi

# Landlock in the shape of the open OCI proposal (runtime-spec PR #1241):
# read+execute on the rootfs, write on /tmp. Only leeward reads it.
mk landlock '.process.landlock = {
	ruleset: {handledAccessFS: ["execute", "write_file", "read_file", "read_dir",
		"remove_dir", "remove_file", "make_char", "make_dir", "make_reg",
		"make_sock", "make_fifo", "make_block", "make_sym"]},
	rules: {pathBeneath: [
		{allowedAccess: ["execute", "read_file", "read_dir"], paths: ["/"]},
		{allowedAccess: ["write_file", "read_file", "read_dir", "remove_dir",
			"remove_file", "make_dir", "make_reg"], paths: ["/tmp"]}]},
	disableBestEffort: true}'

echo "$dir"
