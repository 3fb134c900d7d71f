#!/usr/bin/env bash
# NetBSD's tests/net/icmp/t_ping2 and tests/net/if_shmem/t_shmif in one: three rump servers with
# rumpnet_netinet and rumpnet_shmif join one bus with rump.ifconfig, every pair pings, and
# shmif_dumpbus writes the bus as a pcap that tshark reads without complaint (when tshark is there).
set -euo pipefail
top="$1"
dir="$2"
export PATH="$top/bin:$PATH"
servers=()
cleanup() { for s in "${servers[@]}"; do RUMP_SERVER="$s" rump.halt >/dev/null 2>&1 || true; done; }
trap cleanup EXIT
for n in 1 2 3; do
  url="unix://$dir/sock$n"
  rump_server -lrumpnet_netinet -lrumpnet_shmif "$url"
  servers+=("$url")
  RUMP_SERVER="$url" rump.ifconfig shmif0 create
  RUMP_SERVER="$url" rump.ifconfig shmif0 linkstr "$dir/bus" inet "198.18.0.$n/24" up
done
for from in 1 2 3; do
  for to in 1 2 3; do
    [ "$from" = "$to" ] && continue
    RUMP_SERVER="unix://$dir/sock$from" rump.ping -c 1 -W 5 "198.18.0.$to" | grep -q "1 packets received"
    echo "ping $from -> $to ok"
  done
done
shmif_dumpbus -p "$dir/bus.pcap" "$dir/bus"
if command -v tshark >/dev/null 2>&1; then
  out="$(tshark -n -r "$dir/bus.pcap" -V -o ip.check_checksum:TRUE 2>&1)"
  if echo "$out" | grep -q -e Malformed -e "Checksum Status: Bad"; then
    echo "tshark complained about the bus capture:"; echo "$out" | grep -B5 -e Malformed -e "Status: Bad"; exit 1
  fi
  echo "tshark read $(tshark -n -r "$dir/bus.pcap" 2>/dev/null | wc -l) frames clean"
else
  echo "SKIPPED tshark check: tshark not installed"
fi
for s in "${servers[@]}"; do RUMP_SERVER="$s" rump.halt; done
servers=()
for n in 1 2 3; do
  for _ in $(seq 1 100); do [ -e "$dir/sock$n" ] || break; sleep 0.1; done
  [ ! -e "$dir/sock$n" ] || { echo "socket $n not removed after halt"; exit 1; }
done
echo "all servers halted and their sockets removed"
