package executor

import (
	"context"
	"fmt"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Health checks: every node with a Probe is asked whether it is alive
// every timeout/6 (at least every second, at most every 5 s), each
// question bounded by timeout/2 and by the time the node has left (but
// given half an interval at least); a node
// that has not answered for timeout is lost, and one that refuses the
// connection is lost at once. The questions also keep gRPC's keepalive
// pings (package builder) within buildkitd's policy: the node answers
// between two pings.

// Watch starts the health checks; they end with ctx or Close.
func (s *Scheduler) Watch(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	s.stop = cancel
	for _, fn := range s.order {
		if fn.Probe == nil {
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.watch(ctx, fn)
		}()
	}
}

// Close stops the health checks and waits for them (each returns within
// its probe's bound).
func (s *Scheduler) Close() {
	if s.stop != nil {
		s.stop()
	}
	s.wg.Wait()
}

func (s *Scheduler) interval() time.Duration {
	return min(max(s.timeout/6, time.Second), 5*time.Second)
}

func (s *Scheduler) probeTimeout() time.Duration {
	return max(s.timeout/2, time.Second)
}

func (s *Scheduler) watch(ctx context.Context, fn *farmNode) {
	t := time.NewTicker(s.interval())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.mu.Lock()
		lost := fn.lost != nil
		left := time.Until(fn.lastOK.Add(s.timeout))
		s.mu.Unlock()
		if lost {
			return
		}
		// A question still unanswered when the node has been silent for
		// the timeout ends then: the node is lost at the timeout, not up
		// to a whole question (timeout/2) later. It has half an interval
		// at least: with a timeout of 1s, questions come once a second.
		pctx, cancel := context.WithTimeout(ctx, min(s.probeTimeout(), max(left, s.interval()/2)))
		err := fn.Probe(pctx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		now := time.Now()
		s.mu.Lock()
		if err == nil {
			fn.lastOK = now
		}
		silent := now.Sub(fn.lastOK)
		s.mu.Unlock()
		switch {
		case err == nil:
		case refused(err):
			s.lose(fn.Name, fmt.Errorf("it refuses connections: %w", err))
			return
		case silent >= s.timeout:
			s.lose(fn.Name, fmt.Errorf("it has not answered for %s (health check: %v)", silent.Round(time.Second), err))
			return
		}
	}
}

// refused reports a node that is not there any more: nothing listens at
// its address.
func refused(err error) bool {
	msg := err.Error()
	return isUnavailable(err) && (strings.Contains(msg, "connection refused") || strings.Contains(msg, "no such file or directory"))
}

func isUnavailable(err error) bool {
	s, ok := status.FromError(unwrapGRPC(err))
	return ok && s.Code() == codes.Unavailable
}
