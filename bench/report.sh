#!/bin/sh
# Results JSON of bench/run.sh -> Markdown table on stdout.
#
#   bench/report.sh bench/results/<date>-<host>.json > bench/results/latest.md
set -eu
[ $# -eq 1 ] || { echo "usage: report.sh RESULTS.json" >&2; exit 2; }
exec jq -r -f "$(dirname "$0")/report.jq" "$1"
