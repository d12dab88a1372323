package executor

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	gwpb "github.com/moby/buildkit/frontend/gateway/pb"
	"github.com/moby/buildkit/solver/errdefs"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/xbake/xbake/executor/oci"
)

// IsTransient reports whether a node that failed with err is worth
// running again: registry answers that oci.TransientAnswer accepts (by
// HTTP status and registry error code) and connection trouble (reset,
// EOF, timeouts) are; a build error (a failing RUN, a bad Dockerfile)
// never is, whatever its message says.
func IsTransient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var pe *PanicError // a bug in xbake: running again does not help
	if IsBuildError(err) || errors.As(err, &pe) {
		return false
	}
	return transientFailure(err)
}

// transientFailure classifies an error that is not a build step's.
func transientFailure(err error) bool {
	if s, ok := status.FromError(unwrapGRPC(err)); ok && s.Code() == codes.Unavailable {
		return true
	}
	if oci.IsTransient(err) {
		return true
	}
	// What BuildKit's daemon reports crosses gRPC as text only (code
	// Unknown, no details): read the registry's answer back from it.
	msg := err.Error()
	if st, codes, ok := registryAnswer(msg); ok {
		return oci.TransientAnswer(st, codes) || slices.ContainsFunc(codes, uploadRace)
	}
	return networkFailure(msg)
}

// IsBuildError reports whether err comes from the build itself: a step
// that exited non-zero, or a Dockerfile error with a source location.
func IsBuildError(err error) bool {
	var exit *gwpb.ExitError
	var test *TestError // its output may read like a network failure
	if errors.As(err, &exit) || errors.As(err, &test) {
		return true
	}
	if len(errdefs.Sources(err)) > 0 {
		return true
	}
	var ve *errdefs.VertexError
	if errors.As(err, &ve) {
		// A vertex error is a failing step unless the step is an export or
		// push, whose failures are the registry's.
		return !transientFailure(err)
	}
	return false
}

// unwrapGRPC finds the innermost error that carries a gRPC status.
func unwrapGRPC(err error) error {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if _, ok := e.(interface{ GRPCStatus() *status.Status }); ok {
			return e
		}
	}
	return err
}

// unexpectedStatus is containerd's ErrUnexpectedStatus as text: "unexpected
// status from PUT request to URL: 503 Service Unavailable[: body]".
var unexpectedStatus = regexp.MustCompile(`unexpected status from [A-Z]+ request to \S+: ([1-5][0-9][0-9]) `)

// registryAnswer reads the registry's answer out of a BuildKit error
// message, in the two forms BuildKit gives it: containerd's unexpected
// status (with the HTTP status), or, when the registry sent its JSON
// error body, the push error that holds only the error codes, as
// containerd prints them ("failed to push REF: unavailable"; several
// follow "errors:", one a line). A code with a message of its own
// ("unknown: manifest invalid") is not reported as UNKNOWN: containerd
// prints every code it does not know, such as MANIFEST_INVALID, that way.
func registryAnswer(msg string) (status int, codes []string, ok bool) {
	if m := unexpectedStatus.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n, nil, true
	}
	_, rest, found := strings.Cut(msg, "failed to push ")
	if !found {
		return 0, nil, false
	}
	if _, rest, found = strings.Cut(rest, ": "); !found {
		return 0, nil, false
	}
	lines := []string{rest}
	if r, several := strings.CutPrefix(rest, "errors:\n"); several {
		lines = strings.Split(strings.TrimSpace(r), "\n")
	}
	for _, l := range lines {
		switch l {
		case "unavailable", "toomanyrequests", "unknown":
			codes = append(codes, strings.ToUpper(l))
		default:
			c, text, _ := strings.Cut(l, ": ")
			switch {
			case c == "unavailable" || c == "toomanyrequests":
				codes = append(codes, strings.ToUpper(c))
			case strings.HasPrefix(text, blobUnknown):
				codes = append(codes, string(transport.BlobUnknownErrorCode))
			case text == digestInvalid:
				codes = append(codes, string(transport.DigestInvalidErrorCode))
			}
		}
	}
	return 0, codes, len(codes) > 0
}

// The messages of distribution's registry for BLOB_UNKNOWN and
// DIGEST_INVALID, which containerd prints as "unknown: MESSAGE".
const (
	blobUnknown   = "blob unknown to registry"
	digestInvalid = "provided digest did not match uploaded content"
)

// uploadRace reports whether a push failed the way concurrent uploads of
// one blob to one repository fail on distribution's registry (several
// targets of a run sharing a layer, or several nodes pushing it): one
// upload's commit removes what the other checks, and the manifest then
// finds the blob missing. Pushed again, the blob is there or uploads
// whole. Seen in this repository's integration tests when three targets
// of one run pushed the same layer to one repository at once.
func uploadRace(code string) bool {
	return code == string(transport.BlobUnknownErrorCode) || code == string(transport.DigestInvalidErrorCode)
}

// networkFailures are the texts of Go's network errors, the only form
// they keep after crossing gRPC from the daemon.
var networkFailures = []string{
	"connection reset by peer",
	"broken pipe",
	"unexpected EOF",
	"i/o timeout",
	"TLS handshake timeout",
}

func networkFailure(msg string) bool {
	// A failed RUN step may print anything, "unexpected EOF" from a
	// compiler included; it is a build error and never retried.
	if strings.Contains(msg, "did not complete successfully") {
		return false
	}
	for _, m := range networkFailures {
		if strings.Contains(msg, m) {
			return true
		}
	}
	return false
}
