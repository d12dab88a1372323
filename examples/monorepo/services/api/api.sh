#!/bin/sh
# The API: busybox httpd serving /srv (GET /api/health).
. "$SERVICE_LIB"
port=${PORT:-8080}
log api "listening on :$port"
exec httpd -f -p "$port" -h /srv
