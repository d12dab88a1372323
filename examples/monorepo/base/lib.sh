# Shared by every service: one log format for all of them.
# Usage: . "$SERVICE_LIB"; log api "listening on :8080"
log() {
	service=$1
	shift
	printf '%s %s[%s] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$service" "$(uname -m)" "$*"
}
