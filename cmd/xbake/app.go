package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes, as documented in doc.go.
const (
	exitOK        = 0
	exitFailure   = 1
	exitUsage     = 2
	exitInterrupt = 130
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
}

func newApp() *app {
	return &app{
		stdin:   os.Stdin,
		stdout:  os.Stdout,
		stderr:  os.Stderr,
		getenv:  os.Getenv,
		environ: os.Environ,
		getwd:   os.Getwd,
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
func run(a *app, args []string) (code int) {
	// A panic is a bug in xbake, never the user's fault: say so in one
	// line instead of a Go stack trace (XBAKE_DEBUG=1 shows it).
	defer func() {
		if r := recover(); r != nil {
			if envDebug(a.getenv("XBAKE_DEBUG")) || a.debug {
				panic(r)
			}
			fmt.Fprintf(a.stderr, "xbake: internal error: %v\nThis is a bug in xbake; please report it with the command you ran (--debug shows where it happened).\n", r)
			code = exitFailure
		}
	}()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cmd := newRootCmd(a)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
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
	if ctx.Err() != nil {
		fmt.Fprintf(a.stderr, "xbake: interrupted: %v\n", err)
		return exitInterrupt
	}
	fmt.Fprintf(a.stderr, "xbake: %v\n", err)
	return exitFailure
}
