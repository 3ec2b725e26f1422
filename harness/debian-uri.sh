#!/bin/sh
# Print the URI of the Debian archive already configured in /etc/apt
# (deb822 or one-line format), so that the harness can reach other suites
# of the same archive without naming a host or editing the system's sources.
set -eu
uri=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
	tr ' ' '\n' | grep -v -e security -e '^$' | grep '/debian/*$' | head -n 1 || true)
if [ -z "$uri" ]; then
	uri=$(sed -n 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]*\).*/\2/p' \
		/etc/apt/sources.list 2>/dev/null | grep -v security | grep '/debian/*$' | head -n 1 || true)
fi
[ -n "$uri" ] || { echo "debian-uri: no Debian source configured in /etc/apt" >&2; exit 1; }
echo "$uri"
