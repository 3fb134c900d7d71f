#!/usr/bin/env bash
# rump.cp: NetBSD's cp (host:PATH names a host file), run in the rump kernel that RUMP_SERVER names.
exec "$(dirname "$0")/.rumpjava" io.jrump.tools.Main rump.cp "$@"
