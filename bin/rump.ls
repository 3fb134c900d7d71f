#!/usr/bin/env bash
# rump.ls: NetBSD's ls, run in the rump kernel that RUMP_SERVER names.
exec "$(dirname "$0")/.rumpjava" io.jrump.tools.Main rump.ls "$@"
