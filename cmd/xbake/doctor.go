//go:build !xbakefront

package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/containerd/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spf13/cobra"

	"github.com/xbake/xbake/builder"
)

func newDoctorCmd(a *app) *cobra.Command {
	var f builderFlags
	binfmt := builder.BinfmtDir
	cmd := &cobra.Command{
		Use:   doctorUse,
		Short: doctorShort,
		Long: `Check the builder a build would use (the same flags and environment choose
it): that every node answers, its BuildKit version, the platforms declared
for it against those its BuildKit reports, and, for a node on this
machine, the QEMU handlers of its emulated platforms in
/proc/sys/fs/binfmt_misc (registered, enabled, interpreter present, the F
flag that containers need). Each problem is one line that says how to fix
it. Exits 0 only when all is well, 1 when a problem was found, 2 when the
builder configuration itself is invalid.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			wd, err := a.getwd()
			if err != nil {
				return err
			}
			b, err := f.resolveBuilder(a, wd)
			if err != nil {
				return err
			}
			d := &doctor{w: cmd.OutOrStdout(), binfmt: binfmt}
			d.check(b, probe(cmd.Context(), b.Nodes))
			if d.problems > 0 {
				fmt.Fprintf(d.w, "%d problem(s) found.\n", d.problems)
				return &exitError{code: exitFailure}
			}
			fmt.Fprintln(d.w, "All is well.")
			return nil
		},
	}
	f.addFlags(cmd.Flags())
	// Tests point it at a copy of binfmt_misc.
	cmd.Flags().StringVar(&binfmt, "binfmt-dir", binfmt, "Where the kernel lists binfmt_misc handlers")
	_ = cmd.Flags().MarkHidden("binfmt-dir")
	return cmd
}

type doctor struct {
	w        io.Writer
	binfmt   string
	problems int
}

func (d *doctor) ok(format string, args ...any) {
	fmt.Fprintf(d.w, "ok       %s\n", fmt.Sprintf(format, args...))
}

// problem prints one line: what is wrong, then how to fix it.
func (d *doctor) problem(format string, args ...any) {
	d.problems++
	msg := strings.ReplaceAll(fmt.Sprintf(format, args...), "\n", " ")
	fmt.Fprintf(d.w, "problem  %s\n", msg)
}

func (d *doctor) check(b *builder.Builder, st map[*builder.Node]*builder.NodeStatus) {
	fmt.Fprintf(d.w, "Builder %s (%s driver), chosen by %s\n", b.Name, driverName(b.Driver), b.Source)
	var local []ocispec.Platform
	for _, n := range b.Nodes {
		s := st[n]
		if s.Err != nil {
			// NodeError's message is the failure, then the remedy.
			d.problem("%v", s.Err)
			continue
		}
		d.ok("node %s answers (%s), BuildKit %s", n.Name, n.Describe(), s.Version)
		nat, emu := splitPlatforms(s.Native, s.Reported)
		d.ok("node %s runs %s natively; emulates %s", n.Name, orNone(nat), orNone(emu))
		for _, decl := range n.Platforms {
			p, err := platforms.Parse(decl)
			if err != nil {
				continue
			}
			if !matchPlatform(s.Reported, p) {
				undeclare := fmt.Sprintf("recreate the node without it (`docker buildx create --append --name %s --node %s --platform ...`)", n.Builder, n.Name)
				if b.Source == "--builders" {
					undeclare = "drop it from the node's platforms in " + b.File
				}
				d.problem("node %s is declared for %s, but its BuildKit does not report it (it reports %s); install QEMU's emulator for it on the node (`docker run --privileged --rm tonistiigi/binfmt --install %s`), or %s",
					n.Name, decl, formatAll(s.Reported), p.Architecture, undeclare)
			}
		}
		if n.Local() {
			local = append(local, s.Reported...)
			for _, decl := range n.Platforms {
				if p, err := platforms.Parse(decl); err == nil {
					local = append(local, p)
				}
			}
		}
	}
	d.checkQEMU(local)
}

// checkQEMU looks at this machine's handlers for the foreign platforms of
// its local nodes.
func (d *doctor) checkQEMU(plats []ocispec.Platform) {
	hs := builder.CheckQEMU(d.binfmt, runtime.GOARCH, plats)
	if len(hs) == 0 {
		return
	}
	if _, err := os.Stat(filepath.Join(d.binfmt, "status")); err != nil {
		d.problem("binfmt_misc is not mounted at %s, so no foreign platform can run here; mount it: `mount -t binfmt_misc binfmt_misc %s`", d.binfmt, d.binfmt)
		return
	}
	for _, h := range hs {
		if p := h.Problem(); p != "" {
			d.problem("QEMU for %s", p)
			continue
		}
		interp := h.Interpreter
		if !h.InterpreterPresent {
			interp += " (removed since; the F flag keeps it open)"
		}
		d.ok("QEMU for %s: %s enabled, interpreter %s, flags %s", h.Platform, h.Name, interp, h.Flags)
	}
}

// matchPlatform reports whether p is among ps, variants included
// (linux/arm/v7 is not linux/arm/v6; linux/amd64 is linux/amd64/v1).
func matchPlatform(ps []ocispec.Platform, p ocispec.Platform) bool {
	m := platforms.OnlyStrict(p)
	for _, q := range ps {
		if m.Match(q) {
			return true
		}
	}
	return false
}

func formatAll(ps []ocispec.Platform) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = platforms.Format(p)
	}
	return orNone(out)
}
