package oci

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xbake/xbake/executor/oci/ocitest"
)

// shortTimeouts make a hang fail in about a second.
var shortTimeouts = Timeouts{Connect: time.Second, Idle: time.Second}

// noHang bounds a call that hung before timeouts existed, so that the
// test fails with the call's error instead of hanging.
func noHang(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// A registry that accepts the tag's manifest and never answers: the push
// ends with an error that names the operation, the tag and the registry.
func TestPushIndexGivesUpOnAHang(t *testing.T) {
	forEachRegistry(t, func(t *testing.T, reg target) {
		repo := uniqueRepo(t, reg, "app")
		m, _ := pushByDigest(t, reg, repo, platformImage(t, linuxAMD64), linuxAMD64)
		p := ocitest.NewProxy(t, reg.host, ocitest.Rule{Method: http.MethodPut, Path: "/manifests/latest$", Fault: ocitest.Hang})
		m.Ref = p.Swap(m.Ref)
		tag := p.Swap(repo) + ":latest"
		_, err := testClient(reg, WithRetries(1), WithTimeouts(shortTimeouts)).PushIndex(noHang(t), []string{tag}, []Manifest{m}, nil)
		if err == nil {
			t.Fatal("PushIndex succeeded through a hang")
		}
		want := "no tag was written: pushing " + tag + ": giving up after 2 attempts: "
		if !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), p.Host+" sent nothing for 1s") {
			t.Errorf("error = %q\nwant %q...%q", err, want, p.Host+" sent nothing for 1s")
		}
		if n := p.Count(http.MethodPut, "/manifests/latest$"); n != 2 {
			t.Errorf("%d PUTs of the tag, want 2 (one retry)", n)
		}
	})
}

// imagetools inspect against a registry that hangs, and one that cuts
// the manifest short once: the first ends with a clear error, the second
// succeeds on a retry.
func TestInspectHangAndTruncation(t *testing.T) {
	reg := memRegistry(t)
	repo := uniqueRepo(t, reg, "app")
	m, _ := pushByDigest(t, reg, repo, platformImage(t, linuxARM64), linuxARM64)

	p := ocitest.NewProxy(t, reg.host, ocitest.Rule{Method: http.MethodGet, Path: "/manifests/", Fault: ocitest.Hang})
	_, err := testClient(reg, WithRetries(0), WithTimeouts(shortTimeouts)).Inspect(noHang(t), p.Swap(m.Ref))
	if want := "fetching " + p.Swap(m.Ref) + ": giving up after 1 attempts: "; err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), p.Host+" sent nothing for 1s") {
		t.Errorf("error = %v, want %q... sent nothing for 1s", err, want)
	}

	p = ocitest.NewProxy(t, reg.host, ocitest.Rule{Method: http.MethodGet, Path: "/manifests/", Fault: ocitest.Truncate, Times: 1})
	in, err := testClient(reg, WithTimeouts(shortTimeouts)).Inspect(noHang(t), p.Swap(m.Ref))
	if err != nil || in.Platform == nil || in.Platform.Architecture != "arm64" {
		t.Fatalf("inspect after a truncated answer: %+v, %v", in, err)
	}
	if n := p.Count(http.MethodGet, "/manifests/"); n != 2 {
		t.Errorf("%d manifest GETs, want 2 (the truncated one and its retry)", n)
	}
}

// A slow registry is not a hung one: answers that take most of the idle
// timeout, on every request, and one that takes 10 s under the default
// timeouts, all succeed.
func TestSlowRegistrySucceeds(t *testing.T) {
	reg := memRegistry(t)
	repo := uniqueRepo(t, reg, "app")
	m, _ := pushByDigest(t, reg, repo, platformImage(t, linuxAMD64), linuxAMD64)
	for _, tc := range []struct {
		name     string
		timeouts Timeouts
		rule     ocitest.Rule
	}{
		{"every request", shortTimeouts, ocitest.Rule{Fault: ocitest.Slow, Delay: 700 * time.Millisecond}},
		{"10s under the defaults", DefaultTimeouts, ocitest.Rule{Method: http.MethodPut, Path: "/manifests/slow$", Fault: ocitest.Slow, Delay: 10 * time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := ocitest.NewProxy(t, reg.host, tc.rule)
			mm := m
			mm.Ref = p.Swap(m.Ref)
			if _, err := testClient(reg, WithRetries(0), WithTimeouts(tc.timeouts)).PushIndex(noHang(t), []string{p.Swap(repo) + ":slow"}, []Manifest{mm}, nil); err != nil {
				t.Fatal(err)
			}
			if len(p.Injected()) == 0 {
				t.Error("no request was slowed down")
			}
		})
	}
}
