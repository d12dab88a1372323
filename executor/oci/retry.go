package oci

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Backoff is an exponential, jittered, capped delay between attempts.
type Backoff struct {
	Base time.Duration // delay before the first retry (before jitter)
	Max  time.Duration // cap on any single delay
}

// DefaultBackoff waits about 0.5s, 1s, 2s... at most 8s between attempts:
// long enough for a registry to come back from a restart or a rate limit,
// short enough that a publish step does not look hung.
var DefaultBackoff = Backoff{Base: 500 * time.Millisecond, Max: 8 * time.Second}

// Retry calls fn up to attempts times with DefaultBackoff, retrying only
// transient errors (see IsTransient); see Backoff.Retry.
func Retry(ctx context.Context, attempts int, fn func(context.Context) error) error {
	return DefaultBackoff.Retry(ctx, attempts, fn)
}

// Retry calls fn until it succeeds, fails with a non-transient error, the
// attempts are used up, or ctx is done. A refused connection is retried
// only after an earlier attempt reached the server (a registry restarting
// mid-push); refused on the first attempt means nothing listens there.
func (b Backoff) Retry(ctx context.Context, attempts int, fn func(context.Context) error) error {
	attempts = max(attempts, 1)
	reached := false
	for i := 0; ; i++ {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		err := fn(ctx)
		if err == nil {
			return nil
		}
		refusedAfterContact := reached && isConnRefused(err)
		if !IsTransient(err) && !refusedAfterContact {
			return err
		}
		reached = reached || !isConnRefused(err)
		if ctx.Err() != nil {
			return err
		}
		if i+1 >= attempts {
			return fmt.Errorf("giving up after %d attempts: %w", attempts, err)
		}
		t := time.NewTimer(b.Delay(i))
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// Delay is the pause after attempt i (from 0): Base·2^i capped at Max,
// then jittered into [d/2, d) so that parallel pushes hitting the same
// registry do not retry in lockstep. The executor's solve retries use the
// same schedule.
func (b Backoff) Delay(i int) time.Duration {
	d := b.Base
	for range i {
		if d >= b.Max/2 {
			d = b.Max
			break
		}
		d *= 2
	}
	d = min(d, b.Max)
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d/2)
}

// IsTransient reports whether a registry call that failed with err is
// worth retrying: a registry answer that TransientAnswer accepts, judged
// by its HTTP status and error codes, and connection trouble (reset,
// broken pipe, unexpected EOF, timeouts). Authentication, not-found and
// invalid-manifest answers are not.
func IsTransient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var te *transport.Error
	if errors.As(err, &te) {
		codes := make([]string, len(te.Errors))
		for i, d := range te.Errors {
			codes[i] = string(d.Code)
		}
		return TransientAnswer(te.StatusCode, codes)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED) ||
		errors.Is(err, syscall.EPIPE) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// TransientAnswer reports whether a registry answer is worth retrying,
// from its HTTP status (0 when unknown) and the codes of its JSON error
// body (UNAVAILABLE, TOOMANYREQUESTS...): 408, 429 and every 5xx but
// 501 are; so are the codes UNAVAILABLE and TOOMANYREQUESTS whatever the
// status, and UNKNOWN when the status is not known (a registry sends it
// with its internal errors, 500).
func TransientAnswer(status int, codes []string) bool {
	switch {
	case status == http.StatusRequestTimeout, status == http.StatusTooManyRequests:
		return true
	case status >= 500 && status <= 599 && status != http.StatusNotImplemented:
		return true
	}
	for _, c := range codes {
		switch transport.ErrorCode(c) {
		case transport.UnavailableErrorCode, transport.TooManyRequestsErrorCode:
			return true
		case transport.UnknownErrorCode:
			if status == 0 {
				return true
			}
		}
	}
	return false
}

func isConnRefused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || strings.Contains(strings.ToLower(err.Error()), "connection refused")
}
