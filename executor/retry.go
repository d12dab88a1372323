package executor

import (
	"context"
	"errors"

	gwpb "github.com/moby/buildkit/frontend/gateway/pb"
	"github.com/moby/buildkit/solver/errdefs"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/xbake/xbake/executor/oci"
)

// IsTransient reports whether a node that failed with err is worth
// running again: registry and connection trouble (reset, EOF, 5xx, 429)
// is; a build error (a failing RUN, a bad Dockerfile) never is, whatever
// its message says.
func IsTransient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if IsBuildError(err) {
		return false
	}
	if s, ok := status.FromError(unwrapGRPC(err)); ok && s.Code() == codes.Unavailable {
		return true
	}
	return oci.IsTransient(err)
}

// IsBuildError reports whether err comes from the build itself: a step
// that exited non-zero, or a Dockerfile error with a source location.
func IsBuildError(err error) bool {
	var exit *gwpb.ExitError
	if errors.As(err, &exit) {
		return true
	}
	if len(errdefs.Sources(err)) > 0 {
		return true
	}
	var ve *errdefs.VertexError
	if errors.As(err, &ve) {
		// A vertex error is a failing step unless the step is an export or
		// push, whose failures are the registry's.
		return !oci.IsTransient(err)
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
