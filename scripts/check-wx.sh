#!/bin/sh
# Fail when any loadable segment of an ELF is both writable and executable.
set -eu
elf="$1"
bad=$(readelf -lW "$elf" | awk '$1 == "LOAD" && $(NF-1) ~ /W/ && $(NF-1) ~ /E/')
if [ -n "$bad" ]; then
	echo "check-wx: $elf has a writable and executable segment:" >&2
	echo "$bad" >&2
	exit 1
fi
