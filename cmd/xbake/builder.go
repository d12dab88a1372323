//go:build !xbakefront

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/containerd/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spf13/cobra"

	"github.com/xbake/xbake/builder"
)

// probeTimeout bounds how long ls, inspect and doctor wait for one node.
const probeTimeout = 20 * time.Second

func newBuilderCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   builderUse,
		Short: builderShort,
		Long: `The builders are the ones of "docker buildx": buildx's builder store
($BUILDX_CONFIG, else $DOCKER_CONFIG/buildx, else ~/.docker/buildx) and
every docker context, whose engine has a BuildKit of its own. A build
uses --builder NAME, else $BUILDX_BUILDER, else the builder chosen with
"docker buildx use", else $BUILDKIT_HOST, else ` + builder.DefaultBuildKitHost + `.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("unknown command %q for %q\nRun '%s --help' for usage.", args[0], cmd.CommandPath(), cmd.CommandPath())
			}
			return cmd.Help()
		},
	}
	cmd.AddCommand(newBuilderLsCmd(a), newBuilderInspectCmd(a))
	return cmd
}

func newBuilderLsCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "ls",
		Short: "List the builders, their nodes and the platforms each node runs",
		Long: `List the builders as "docker buildx ls" does. The one a build would use is
marked with "*". Every node is asked for its BuildKit version and its
platforms; native and emulated (QEMU) platforms are listed apart.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			wd, err := a.getwd()
			if err != nil {
				return err
			}
			listed := builder.List(a.getenv, wd)
			current, err := builder.Resolve(builder.Options{Getenv: a.getenv, WorkDir: wd})
			if err != nil {
				// The list is still worth having; a build would fail with
				// this error.
				fmt.Fprintf(a.stderr, "xbake: warning: no builder is marked as the one a build would use: %v\n", err)
			}
			if current != nil && current.Name == builder.AddressBuilder {
				listed = append(listed, builder.Listed{Name: current.Name, Builder: current})
			}
			var nodes []*builder.Node
			for _, l := range listed {
				if l.Builder != nil && l.Err == nil {
					nodes = append(nodes, l.Builder.Nodes...)
				}
			}
			st := probe(cmd.Context(), nodes)
			return writeBuilderList(cmd.OutOrStdout(), listed, current, st)
		},
	}
}

func newBuilderInspectCmd(a *app) *cobra.Command {
	var f builderFlags
	cmd := &cobra.Command{
		Use:   "inspect [NAME]",
		Short: "Show a builder: its driver, nodes, endpoints, BuildKit versions and platforms",
		Long: `Show a builder as "docker buildx inspect" does. Without NAME, the builder a
build would use. NAME may also be a BuildKit address (tcp://..., unix://...).
Exits 1 when a node does not answer.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				f.builder = args[0]
			}
			wd, err := a.getwd()
			if err != nil {
				return err
			}
			b, err := f.resolveBuilder(a, wd)
			if err != nil {
				return err
			}
			st := probe(cmd.Context(), b.Nodes)
			writeBuilderInspect(cmd.OutOrStdout(), b, st)
			for _, s := range st {
				if s.Err != nil {
					return &exitError{code: exitCode(s.Err)}
				}
			}
			return nil
		},
	}
	f.addFlags(cmd.Flags())
	_ = cmd.Flags().MarkHidden("builder") // the argument says it
	return cmd
}

// probe asks every node at once for its status, each within probeTimeout.
func probe(ctx context.Context, nodes []*builder.Node) map[*builder.Node]*builder.NodeStatus {
	out := make(map[*builder.Node]*builder.NodeStatus, len(nodes))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, n := range nodes {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(ctx, probeTimeout)
			defer cancel()
			s := n.Status(ctx)
			mu.Lock()
			out[n] = s
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

func writeBuilderList(w io.Writer, listed []builder.Listed, current *builder.Builder, st map[*builder.Node]*builder.NodeStatus) error {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME/NODE\tDRIVER/ENDPOINT\tSTATUS\tBUILDKIT\tPLATFORMS")
	for _, l := range listed {
		name := l.Name
		if current != nil && l.Builder != nil && current.Name == l.Builder.Name && current.Driver == l.Builder.Driver {
			name += " *"
		}
		if l.Err != nil {
			fmt.Fprintf(tw, "%s\t\terror\t\t%s\n", name, cause(l.Err))
			continue
		}
		b := l.Builder
		fmt.Fprintf(tw, "%s\t%s\t\t\t\n", name, driverName(b.Driver))
		for _, n := range b.Nodes {
			s := st[n]
			status, version, plats := "running", s.Version, platformSummary(s.Native, s.Reported)
			if s.Err != nil {
				status, version, plats = "unreachable", "", cause(s.Err)
			}
			fmt.Fprintf(tw, " \\_ %s\t%s\t%s\t%s\t%s\n", n.Name, n.Describe(), status, version, plats)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// Empty cells at the end of a line leave padding behind.
	for line := range strings.Lines(buf.String()) {
		if _, err := io.WriteString(w, strings.TrimRight(line, " \n")+"\n"); err != nil {
			return err
		}
	}
	return nil
}

func writeBuilderInspect(w io.Writer, b *builder.Builder, st map[*builder.Node]*builder.NodeStatus) {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	fmt.Fprintf(tw, "Name:\t%s\n", b.Name)
	fmt.Fprintf(tw, "Driver:\t%s\n", driverName(b.Driver))
	fmt.Fprintf(tw, "Chosen by:\t%s\n", b.Source)
	if b.File != "" {
		fmt.Fprintf(tw, "File:\t%s\n", b.File)
	}
	for _, n := range b.Nodes {
		s := st[n]
		fmt.Fprintf(tw, "\nNode:\t%s\n", n.Name)
		fmt.Fprintf(tw, "Endpoint:\t%s\n", n.Describe())
		if n.Endpoint != "" && n.Endpoint != n.Describe() {
			fmt.Fprintf(tw, "Stored endpoint:\t%s\n", n.Endpoint)
		}
		for _, k := range sortedDriverOpts(n.DriverOpts) {
			fmt.Fprintf(tw, "Driver option:\t%s\n", k)
		}
		if len(n.Platforms) > 0 {
			fmt.Fprintf(tw, "Declared platforms:\t%s\n", strings.Join(n.Platforms, ", "))
		}
		if s.Err != nil {
			fmt.Fprintf(tw, "Status:\tunreachable\n")
			fmt.Fprintf(tw, "Error:\t%s\n", strings.ReplaceAll(s.Err.Error(), "\n", "\n\t"))
			continue
		}
		fmt.Fprintf(tw, "Status:\trunning\n")
		fmt.Fprintf(tw, "BuildKit version:\t%s\n", s.Version)
		native, emulated := splitPlatforms(s.Native, s.Reported)
		fmt.Fprintf(tw, "Native platforms:\t%s\n", orNone(native))
		fmt.Fprintf(tw, "Emulated platforms:\t%s\n", orNone(emulated))
	}
	tw.Flush()
}

// splitPlatforms formats a node's platforms as native and emulated ones.
func splitPlatforms(native, reported []ocispec.Platform) (nat, emu []string) {
	for _, p := range native {
		nat = append(nat, platforms.Format(p))
	}
	for _, p := range reported {
		if s := platforms.Format(p); !slices.Contains(nat, s) {
			emu = append(emu, s)
		}
	}
	return nat, emu
}

// platformSummary is the PLATFORMS column of ls.
func platformSummary(native, reported []ocispec.Platform) string {
	nat, emu := splitPlatforms(native, reported)
	s := strings.Join(nat, ", ")
	if len(emu) > 0 {
		s += "; emulated: " + strings.Join(emu, ", ")
	}
	return s
}

// driverName names a builder's driver; a plain address is what buildx's
// remote driver would reach.
func driverName(d string) string {
	if d == "" {
		return builder.DriverRemote
	}
	return d
}

func sortedDriverOpts(m map[string]string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, k+"="+m[k])
	}
	return out
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// cause is the first line of what went wrong, without the node's name
// and remedy, for a table cell.
func cause(err error) string {
	var ne *builder.NodeError
	if errors.As(err, &ne) {
		err = ne.Err
	}
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
