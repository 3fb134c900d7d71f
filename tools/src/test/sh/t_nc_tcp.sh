#!/usr/bin/env bash
# rump.nc and rump.netstat over TCP through rump_server, as a user runs them: two servers on one
# shmif bus, a listener in one and a client in the other (-N, and -w so that the connect and the
# idle wait go through poll and fcntl over the remote protocol), the file compared by sha256; netstat
# shows the connection while it is open and TIME_WAIT after; a refused connect is one line.
set -euo pipefail
top="$1"
dir="$2"
export PATH="$top/bin:$PATH"
A="unix://$dir/a"
B="unix://$dir/b"
cleanup() { for s in "$A" "$B"; do RUMP_SERVER="$s" rump.halt >/dev/null 2>&1 || true; done; }
trap cleanup EXIT
rump_server -lrumpnet_netinet -lrumpnet_shmif "$A"
rump_server -lrumpnet_netinet -lrumpnet_shmif "$B"
RUMP_SERVER="$A" rump.ifconfig shmif0 create
RUMP_SERVER="$A" rump.ifconfig shmif0 linkstr "$dir/bus" inet 198.18.0.1/24 up
RUMP_SERVER="$B" rump.ifconfig shmif0 create
RUMP_SERVER="$B" rump.ifconfig shmif0 linkstr "$dir/bus" inet 198.18.0.2/24 up

head -c 1000000 /dev/urandom > "$dir/sent"
( RUMP_SERVER="$B" rump.nc -l 9000 < /dev/null > "$dir/received" 2> "$dir/listener.err" ) &
listener=$!
for _ in $(seq 600); do
  RUMP_SERVER="$B" rump.netstat -an -p tcp | grep -q '^tcp .* [*]\.9000  .* LISTEN$' && break
  sleep 0.1
done
# the client's input ends (and -N shuts the connection down) only once netstat has seen it open: the
# reader of the fifo waits for the line written below
mkfifo "$dir/seen"
( { cat "$dir/sent"; read -r _ < "$dir/seen"; } | RUMP_SERVER="$A" rump.nc -N -w 30 198.18.0.2 9000 ) &
client=$!
seen=no
for _ in $(seq 600); do
  if RUMP_SERVER="$A" rump.netstat -n | grep -q '^tcp .* 198\.18\.0\.2\.9000 .* ESTABLISHED$'; then seen=yes; break; fi
  sleep 0.1
done
echo > "$dir/seen"
[ "$seen" = yes ] || { echo "netstat -n never showed the connection"; exit 1; }
echo "netstat -n shows the open connection"
wait "$client"
wait "$listener"
[ "$(sha256sum < "$dir/sent")" = "$(sha256sum < "$dir/received")" ] || { echo "the file differs"; exit 1; }
echo "1000000 bytes crossed intact"
RUMP_SERVER="$A" rump.netstat -an | grep -q '^tcp .* 198\.18\.0\.2\.9000 .* TIME_WAIT$' \
  || { echo "no TIME_WAIT on the closing side:"; RUMP_SERVER="$A" rump.netstat -an; exit 1; }
echo "the side that closed first is in TIME_WAIT"
RUMP_SERVER="$B" rump.netstat -s -p tcp | grep -qx $'\t1 connection accept' || { RUMP_SERVER="$B" rump.netstat -s -p tcp; exit 1; }
err="$(RUMP_SERVER="$A" rump.nc 198.18.0.2 9001 < /dev/null 2>&1)" && { echo "connect to a closed port succeeded"; exit 1; }
[ "$err" = "rump.nc: connect to 198.18.0.2 port 9001 (tcp) failed: Connection refused" ] || { echo "unexpected: $err"; exit 1; }
echo "refused: $err"
RUMP_SERVER="$A" rump.halt
RUMP_SERVER="$B" rump.halt
