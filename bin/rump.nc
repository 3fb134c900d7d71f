#!/usr/bin/env bash
# rump.nc: NetBSD's nc, run in the rump kernel that RUMP_SERVER names.
exec "$(dirname "$0")/.rumpjava" io.jrump.tools.Main rump.nc "$@"
