#!/bin/sh
# Run apt-get or apt-cache with a private configuration that reads only
# SUITE of the Debian archive already configured in /etc/apt: own sources
# list, lists and archives under DIR. The system's apt sources are never
# touched. "download" saves the packages in DIR; with APT_SRC=1 the list
# has source packages too ("source --download-only").
#
# usage: apt-suite.sh DIR SUITE apt-get|apt-cache ARGS...
set -eu
dir=$1 suite=$2 cmd=$3
shift 3
mkdir -p "$dir/lists/partial" "$dir/archives/partial"
uri=$("$(dirname "$0")/debian-uri.sh")
echo "deb $uri $suite main" > "$dir/sources.list"
[ -n "${APT_SRC:-}" ] && echo "deb-src $uri $suite main" >> "$dir/sources.list"
cd "$dir"
exec "$cmd" -o Dir::Etc::SourceList="$dir/sources.list" -o Dir::Etc::SourceParts=/nonexistent \
	-o Dir::State::Lists="$dir/lists" -o Dir::Cache::Archives="$dir/archives" \
	-o Debug::NoLocking=1 -o APT::Sandbox::User=root "$@"
