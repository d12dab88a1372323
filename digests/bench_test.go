package digests_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/digests"
	xhcl "github.com/xbake/xbake/hcl"
	"github.com/xbake/xbake/plan"
)

// monorepoPlan plans examples/monorepo's release group with --push, from
// the repository root as its README runs it.
func monorepoPlan(b *testing.B) *plan.Plan {
	b.Helper()
	data, err := os.ReadFile("../examples/monorepo/xbuild.hcl")
	if err != nil {
		b.Fatal(err)
	}
	parsed, _, diags := xhcl.Parse([]xhcl.File{{Name: "examples/monorepo/xbuild.hcl", Data: data}})
	if diags.HasErrors() {
		b.Fatal(diags.Error())
	}
	cfg, diags := bake.Load(parsed, bake.Options{Builtins: map[string]string{"BAKE_CMD_CONTEXT": "cwd://", "BAKE_LOCAL_PLATFORM": "linux/amd64"}})
	if diags.HasErrors() {
		b.Fatal(diags.Error())
	}
	def, diags := cfg.Resolve(bake.Request{Targets: []string{"release"}, Overrides: []string{"*.push=true"}})
	if diags.HasErrors() {
		b.Fatal(diags.Error())
	}
	p, diags := plan.New(def, plan.Request{DefaultPlatform: "linux/amd64"})
	if diags.HasErrors() {
		b.Fatal(diags.Error())
	}
	return p
}

// BenchmarkMonorepoDigests is a run's digests of examples/monorepo (ten
// solves: contexts walked and hashed, Dockerfiles parsed, the registry
// answering at once), with the files in the page cache. Goal: ≤ 100 ms.
func BenchmarkMonorepoDigests(b *testing.B) {
	p := monorepoPlan(b)
	reg := images{"localhost:5000/xbake/busybox": busyboxV1}
	for b.Loop() {
		h := digests.NewHasher(digests.Options{WorkDir: "..", Images: reg, Getenv: func(string) string { return "" }})
		set, err := h.Plan(context.Background(), p, nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(set.Solves) != 10 || set.Targets["api"].Digest == "" {
			b.Fatalf("%d solves, api: %+v", len(set.Solves), set.Targets["api"])
		}
	}
}

// BenchmarkContext1GiB hashes a 1 GiB context (256 files of 4 MiB) as a
// run does (a new Hasher), next to reading the same files at the same
// concurrency and doing nothing else. The files are in the page cache, so
// "read" is the memory's speed and "hash" is SHA-256's on every core: the
// goal is that "hash" is faster than the disk reads them uncached (for
// example dd iflag=direct), so that a cold context is hashed at the
// disk's speed.
func BenchmarkContext1GiB(b *testing.B) {
	dir := bigContext(b, 256, 4<<20)
	b.Run("hash", func(b *testing.B) {
		b.SetBytes(256 << 22)
		for b.Loop() {
			h := digests.NewHasher(digests.Options{WorkDir: dir})
			hashContext(b, h, dir)
		}
	})
	b.Run("read", func(b *testing.B) {
		b.SetBytes(256 << 22)
		for b.Loop() {
			readAll(b, dir)
		}
	})
}

// BenchmarkContextManyFiles hashes 20,000 files of 4 KiB: the cost per
// file (walk, stat, extended attributes, open).
func BenchmarkContextManyFiles(b *testing.B) {
	dir := bigContext(b, 20000, 4<<10)
	b.SetBytes(20000 << 12)
	for b.Loop() {
		hashContext(b, digests.NewHasher(digests.Options{WorkDir: dir}), dir)
	}
}

// hashContext digests one solve whose context is dir.
func hashContext(b *testing.B, h *digests.Hasher, dir string) {
	b.Helper()
	p, diags := plan.New(&bake.Definition{Targets: []*bake.Target{{Name: "big", DockerfileInline: ptr("FROM scratch\nCOPY . /\n")}}},
		plan.Request{DefaultPlatform: "linux/amd64"})
	if diags.HasErrors() {
		b.Fatal(diags.Error())
	}
	set, err := h.Plan(context.Background(), p, nil)
	if err != nil || set.Solves["big@linux/amd64"].Digest == "" {
		b.Fatalf("%v %+v", err, set.Solves)
	}
}

func ptr(s string) *string { return &s }

// bigContext writes n files of size random bytes, in folders of 100.
func bigContext(b *testing.B, n, size int) string {
	b.Helper()
	dir := b.TempDir()
	rng := rand.NewChaCha8([32]byte{1})
	buf := make([]byte, size)
	for i := range n {
		p := filepath.Join(dir, fmt.Sprintf("d%03d", i/100), fmt.Sprintf("f%05d", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		_, _ = rng.Read(buf)
		if err := os.WriteFile(p, buf, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// readAll reads every file of dir, GOMAXPROCS at a time.
func readAll(b *testing.B, dir string) {
	b.Helper()
	var files []string
	if err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, p)
		}
		return err
	}); err != nil {
		b.Fatal(err)
	}
	ch := make(chan string)
	var wg sync.WaitGroup
	for range max(2, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			buf := make([]byte, 1<<20)
			for p := range ch {
				f, err := os.Open(p)
				if err != nil {
					b.Error(err)
					continue
				}
				_, _ = io.CopyBuffer(io.Discard, f, buf)
				f.Close()
			}
		})
	}
	for _, f := range files {
		ch <- f
	}
	close(ch)
	wg.Wait()
}
