package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// Exit codes, as documented in doc.go.
const (
	exitOK       = 0
	exitFailure  = 1
	exitUsage    = 2
	exitInternal = 70 // EX_SOFTWARE: a bug in xbake
	// Interrupted by a signal: 128 + its number, as shells report it.
	exitInterrupt = 128 + int(syscall.SIGINT)  // 130
	exitTerminate = 128 + int(syscall.SIGTERM) // 143
)

// app is everything a command touches outside its flags, so that tests
// can run the real CLI in-process with captured output.
type app struct {
	stdin   io.Reader
	stdout  io.Writer
	stderr  io.Writer
	getenv  func(string) string
	environ func() []string
	getwd   func() (string, error)
	debug   bool // -D/--debug (debug.go)
	// exit ends the process at once, on a second signal.
	exit func(int)
	// engineState is what only the full build keeps for a run
	// (engine_full.go; empty in the front build).
	//lint:ignore U1000 the front build's engineState is empty and unused by design.
	engineState
}

func newApp() *app {
	return &app{
		stdin:   os.Stdin,
		stdout:  os.Stdout,
		stderr:  os.Stderr,
		getenv:  os.Getenv,
		environ: os.Environ,
		getwd:   os.Getwd,
		exit:    os.Exit,
	}
}

// lookupEnv is os.LookupEnv over the app's environment.
func (a *app) lookupEnv(name string) (string, bool) {
	for _, kv := range a.environ() {
		if len(kv) > len(name) && kv[len(name)] == '=' && kv[:len(name)] == name {
			return kv[len(name)+1:], true
		}
	}
	return "", false
}

// exitError carries an exit code through cobra's error return. Its message
// has already been printed when msg is empty.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// usageErrorf reports invalid usage (exit code 2).
func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, msg: fmt.Sprintf(format, args...)}
}

// run executes the CLI with args and returns the process exit code.
//
// The first SIGINT or SIGTERM cancels the run: loading and evaluating the
// definition are abandoned at once (they have no side effects; see
// abandonable), and a build stops its work and cleans up. A second signal
// ends the process at once. Either way the exit code is 130 for SIGINT
// and 143 for SIGTERM.
func run(a *app, args []string) (code int) {
	// A panic is a bug in xbake, never the user's fault: say so in a few
	// lines instead of a Go stack trace (XBAKE_DEBUG=1 shows it), with
	// its own exit code.
	defer func() {
		if r := recover(); r != nil {
			code = internalError(a, r)
		}
	}()
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	done := make(chan struct{})
	defer close(done)
	go a.handleSignals(sigs, cancel, done)

	cmd := newRootCmd(a)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	var sig *interrupted
	if errors.As(context.Cause(ctx), &sig) && err != nil {
		if errors.Is(err, sig) {
			fmt.Fprintf(a.stderr, "xbake: %s\n", sig)
		} else {
			fmt.Fprintf(a.stderr, "xbake: %s: %v\n", sig, err)
		}
		return sig.code()
	}
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintf(a.stderr, "xbake: %s\n", ee.msg)
		}
		return ee.code
	}
	fmt.Fprintf(a.stderr, "xbake: %v\n", err)
	return exitFailure
}

// interrupted is the cause of a run canceled by a signal.
type interrupted struct{ sig os.Signal }

func (e *interrupted) Error() string {
	if e.sig == syscall.SIGTERM {
		return "terminated"
	}
	return "interrupted"
}

func (e *interrupted) code() int {
	if e.sig == syscall.SIGTERM {
		return exitTerminate
	}
	return exitInterrupt
}

// handleSignals cancels the run on the first signal and exits at once on
// the second, with the first one's code.
func (a *app) handleSignals(sigs <-chan os.Signal, cancel context.CancelCauseFunc, done <-chan struct{}) {
	var first *interrupted
	select {
	case s := <-sigs:
		first = &interrupted{sig: s}
		cancel(first)
	case <-done:
		return
	}
	select {
	case <-sigs:
		fmt.Fprintf(a.stderr, "xbake: %s again: exiting now\n", first)
		exit := a.exit
		if exit == nil {
			exit = os.Exit
		}
		exit(first.code())
	case <-done:
	}
}

// internalError reports a panic, a bug in xbake, and returns its exit code.
func internalError(a *app, r any) int {
	var stack []byte
	if p, ok := r.(*goroutinePanic); ok {
		r, stack = p.value, p.stack
	}
	if envDebug(a.getenv("XBAKE_DEBUG")) || a.debug {
		if stack != nil {
			a.stderr.Write(stack)
		}
		panic(r)
	}
	fmt.Fprintf(a.stderr, "xbake: internal error: %v\nThis is a bug in xbake; please report it with the command you ran (--debug shows where it happened).\n", r)
	return exitInternal
}

// goroutinePanic carries a panic from a goroutine to the one that waits
// for it, with the stack where it happened.
type goroutinePanic struct {
	value any
	stack []byte
}

// abandonable runs f, which must have no side effects outside memory
// (reading and evaluating the definition), in a goroutine that the run's
// cancellation abandons: a FIFO that nobody writes, a slow Compose file
// or an evaluation does not hold up a signal. The process ends soon after,
// taking the goroutine with it. A panic in f is raised again here.
func abandonable[T any](ctx context.Context, f func() (T, error)) (T, error) {
	type result struct {
		v     T
		err   error
		panic *goroutinePanic
	}
	ch := make(chan result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				ch <- result{panic: &goroutinePanic{value: r, stack: debug.Stack()}}
			}
		}()
		v, err := f()
		ch <- result{v: v, err: err}
	}()
	select {
	case r := <-ch:
		if r.panic != nil {
			panic(r.panic)
		}
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, context.Cause(ctx)
	}
}

// badDefinition is a remote definition that was fetched but cannot be
// used (an xz or oversized archive, a file it lacks or that is too
// large): the input's fault, exit code 2, where a fetch that fails is 1.
type badDefinition struct{ error }

func (e badDefinition) Unwrap() error { return e.error }
