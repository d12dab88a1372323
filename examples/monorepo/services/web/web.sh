#!/bin/sh
# The web front end: busybox httpd serving /srv; -v logs requests.
. "$SERVICE_LIB"
port=${PORT:-8080}
log web "serving on :$port"
if [ "${WEB_VERBOSE:-}" = 1 ]; then
	exec httpd -f -v -p "$port" -h /srv
fi
exec httpd -f -p "$port" -h /srv
