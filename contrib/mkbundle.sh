#!/bin/sh
# mkbundle.sh DIR [ARG...]: make an OCI bundle in DIR: a busybox rootfs
# (contrib/mkrootfs.sh) and the runtime's default config.json (`spec`),
# with terminal off and process.args set to ARG... when given.
#
#   contrib/mkbundle.sh /tmp/b echo hello
#   leeward run --bundle /tmp/b demo
#
# LEEWARD names the runtime whose `spec` is used (default build/leeward).
set -eu

if [ $# -lt 1 ]; then
	echo "usage: $0 DIR [ARG...]" >&2
	exit 2
fi
dir=$1
shift
here=$(cd "$(dirname "$0")/.." && pwd)
runtime=${LEEWARD:-$here/build/leeward}

mkdir -p "$dir"
[ -e "$dir/config.json" ] && { echo "mkbundle: $dir/config.json exists" >&2; exit 1; }
"$here/contrib/mkrootfs.sh" "$dir/rootfs"
"$runtime" spec --bundle "$dir"
if [ $# -gt 0 ]; then
	args=$(for a in "$@"; do jq -n --arg a "$a" '$a'; done | jq -s -c .)
	jq --argjson a "$args" '.process.terminal = false | .process.args = $a' \
		"$dir/config.json" >"$dir/config.json.new"
	mv "$dir/config.json.new" "$dir/config.json"
fi
echo "$dir"
