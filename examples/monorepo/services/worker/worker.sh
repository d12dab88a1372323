#!/bin/sh
# The worker: does a unit of work every INTERVAL seconds (here, it counts).
. "$SERVICE_LIB"
interval=${INTERVAL:-5}
n=0
while :; do
	n=$((n + 1))
	log worker "job $n done"
	[ "${ONCE:-}" = 1 ] && exit 0
	sleep "$interval"
done
