package executor

import (
	"fmt"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// A node that made a connection and then went silent (its handshake or
// its keepalive pings unanswered) gets the rest of its time to answer at
// the start; one that refuses the connection does not.
func TestSilent(t *testing.T) {
	for _, tc := range []struct {
		msg  string
		want bool
	}{
		{`connection error: desc = "error reading server preface: EOF"`, true},
		{"keepalive ping failed to receive ACK within timeout", true},
		{`connection error: desc = "transport: Error while dialing: dial unix /x.sock: connect: connection refused"`, false},
	} {
		err := fmt.Errorf("failed to list workers: %w", status.Error(codes.Unavailable, tc.msg))
		if got := silent(err); got != tc.want {
			t.Errorf("silent(%q) = %v, want %v", tc.msg, got, tc.want)
		}
	}
	if silent(status.Error(codes.Unknown, "error reading server preface")) {
		t.Error("silent: a code other than Unavailable")
	}
}
