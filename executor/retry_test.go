package executor_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	gwpb "github.com/moby/buildkit/frontend/gateway/pb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/xbake/xbake/executor"
)

// The messages are BuildKit's own, as a failed per-platform push reaches
// xbake (gRPC code Unknown, no details): with a JSON error body the
// daemon keeps only the registry's error codes, otherwise containerd's
// unexpected-status text with the HTTP status.
func TestIsTransient(t *testing.T) {
	const push = "failed to solve: failed to push 127.0.0.1:40173/test/app: "
	const put = "unexpected status from PUT request to http://127.0.0.1:40173/v2/test/app/manifests/sha256:318c: "
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"JSON 503 UNAVAILABLE", errors.New(push + "unavailable"), true},
		{"JSON 500 UNKNOWN", errors.New(push + "unknown"), true},
		{"JSON 429 TOOMANYREQUESTS", errors.New(push + "toomanyrequests"), true},
		{"JSON UNAVAILABLE with a message", errors.New(push + "unavailable: registry is read-only for maintenance"), true},
		{"JSON several errors", errors.New(push + "errors:\ndenied: no\nunavailable\n"), true},
		{"JSON 403 DENIED", errors.New(push + "denied: requested access to the resource is denied"), false},
		{"JSON 401 UNAUTHORIZED", errors.New(push + "unauthorized: authentication required"), false},
		// containerd prints codes it does not know as UNKNOWN with their
		// message: a 400 MANIFEST_INVALID is not an internal error.
		{"JSON 400 MANIFEST_INVALID", errors.New(push + "unknown: manifest invalid"), false},
		// Concurrent uploads of one blob to one repository.
		{"JSON upload race", errors.New(push + "errors:\nunknown: provided digest did not match uploaded content\nunknown: blob unknown to registry - sha256:711fb5269ba6\n"), true},
		{"JSON BLOB_UNKNOWN", errors.New(push + "unknown: blob unknown to registry - sha256:711fb5269ba6"), true},
		{"HTML 503", errors.New(push + put + "503 Service Unavailable: <html><body><h1>503</h1></body></html>"), true},
		{"HTML 502", errors.New(push + put + "502 Bad Gateway"), true},
		{"400", errors.New(push + put + "400 Bad Request: bad"), false},
		{"404 on pull", errors.New("failed to resolve source metadata for localhost:5000/x: unexpected status from HEAD request to http://localhost:5000/v2/x/manifests/v1: 404 Not Found"), false},
		{"reset", errors.New("failed to copy: read tcp 127.0.0.1:4242->127.0.0.1:5000: read: connection reset by peer"), true},
		{"EOF", errors.New(`failed to do request: Head "http://localhost:5000/v2/app/blobs/sha256:aa": unexpected EOF`), true},
		{"i/o timeout", errors.New("failed to do request: dial tcp 127.0.0.1:5000: i/o timeout"), true},
		{"grpc unavailable", status.Error(codes.Unavailable, "connection closed"), true},
		{"ggcr 503", fmt.Errorf("pushing: %w", &transport.Error{StatusCode: http.StatusServiceUnavailable}), true},
		{"ggcr 401", fmt.Errorf("pushing: %w", &transport.Error{StatusCode: http.StatusUnauthorized}), false},
		{"build step", &gwpb.ExitError{ExitCode: 1, Err: errors.New("unexpected EOF")}, false},
		{"build error mentioning EOF", errors.New(`process "/bin/sh -c go build ./..." did not complete successfully: exit code: 1: syntax error: unexpected EOF`), false},
		{"the word unavailable elsewhere", errors.New(`failed to solve: image "x" is unavailable`), false},
		{"canceled", fmt.Errorf("pushing: %w", context.Canceled), false},
		{"nil", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := executor.IsTransient(tc.err); got != tc.want {
				t.Errorf("IsTransient(%q) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
