package bake

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/hashicorp/hcl/v2"
	"github.com/tonistiigi/go-csvvalue"

	xhcl "github.com/xbake/xbake/hcl"
)

// ListRequest is a parsed --list value: "targets", "variables" or
// "type=targets,format=json".
type ListRequest struct {
	Type   string // targets or variables
	Format string // table or json
	// Only, when not nil, lists these targets and no group
	// (--affected-since).
	Only map[string]bool
}

// ParseList parses a --list value.
func ParseList(s string) (ListRequest, error) {
	var r ListRequest
	fields, err := csvvalue.Fields(s, nil)
	if err != nil {
		return r, err
	}
	if len(fields) == 1 && fields[0] == s && !strings.HasPrefix(s, "type=") {
		r.Type = s
	} else {
		for _, f := range fields {
			k, v, ok := strings.Cut(f, "=")
			if !ok {
				return r, fmt.Errorf("invalid --list field %q: use type=targets|variables,format=table|json", f)
			}
			switch strings.TrimSpace(strings.ToLower(k)) {
			case "type":
				r.Type = v
			case "format":
				r.Format = v
			default:
				return r, fmt.Errorf("unexpected key %q in --list: use type and format", k)
			}
		}
	}
	if r.Format == "" {
		r.Format = "table"
	}
	if r.Type != "targets" && r.Type != "variables" {
		return r, fmt.Errorf("invalid list type %q: use targets or variables", r.Type)
	}
	if r.Format != "table" && r.Format != "json" {
		return r, fmt.Errorf("invalid list format %q: use table or json", r.Format)
	}
	return r, nil
}

type listEntry struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Group       bool   `json:"group,omitempty"`
}

// WriteList prints the targets and groups (names starting with "_" are
// private and hidden) or the variables, as buildx does.
func (c *Config) WriteList(w io.Writer, r ListRequest) (hcl.Diagnostics, error) {
	if r.Type == "variables" {
		return nil, writeVariables(w, r.Format, c.Variables())
	}
	// buildx lists its targets, then its groups, sorted by name with
	// slices.SortFunc, which is not stable: a group and a target of one
	// name come out in the order its algorithm leaves them (target first
	// up to 12 entries, where it sorts by insertion; either way beyond).
	// The same input order through the same sort gives the same order.
	type named struct {
		name  string
		group bool
	}
	var list []named
	for _, n := range c.TargetNames() {
		list = append(list, named{name: n})
	}
	seen := map[string]bool{}
	for _, n := range c.GroupNames() {
		if _, ok := c.groups[n]; ok && !seen[n] {
			seen[n] = true
			list = append(list, named{n, true})
		}
	}
	slices.SortFunc(list, func(a, b named) int { return cmp.Compare(a.name, b.name) })
	var entries []listEntry
	var diags hcl.Diagnostics
	for _, e := range list {
		name := e.name
		if strings.HasPrefix(name, "_") {
			continue
		}
		if r.Only != nil && (e.group || !r.Only[name]) {
			continue
		}
		if !e.group {
			desc, d := c.description(name)
			diags = append(diags, d...)
			entries = append(entries, listEntry{Name: name, Description: desc})
			continue
		}
		if g := c.groups[name]; g != nil {
			desc := g.Description
			if len(g.Targets) > 0 {
				members := slices.Sorted(slices.Values(g.Targets))
				if desc != "" {
					desc += " (" + strings.Join(members, ", ") + ")"
				} else {
					desc = strings.Join(members, ", ")
				}
			}
			entries = append(entries, listEntry{Name: name, Description: desc, Group: true})
		}
	}
	if r.Format == "json" {
		if entries == nil && r.Only != nil {
			entries = []listEntry{} // a CI matrix of nothing, not null
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return append(diags, c.takeLazyDiags()...), enc.Encode(entries)
	}
	tw := tabwriter.NewWriter(w, 1, 8, 1, '\t', 0)
	fmt.Fprintln(tw, "TARGET\tDESCRIPTION")
	for _, e := range entries {
		fmt.Fprintf(tw, "%s\t%s\n", e.Name, e.Description)
	}
	return append(diags, c.takeLazyDiags()...), tw.Flush()
}

// description evaluates only the description of a target.
func (c *Config) description(name string) (string, hcl.Diagnostics) {
	var desc string
	var diags hcl.Diagnostics
	for _, in := range c.instances(name) {
		a, ok := in.attrs["description"]
		if !ok {
			continue
		}
		r := c.attr(in, "description", a.Expr.Range(), false)
		diags = append(diags, r.diags...)
		if s, ok := r.x.(*string); ok && s != nil && *s != "" {
			desc = *s
		}
	}
	return desc, diags
}

func writeVariables(w io.Writer, format string, vars []xhcl.VariableInfo) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(vars)
	}
	tw := tabwriter.NewWriter(w, 1, 8, 1, '\t', 0)
	fmt.Fprintln(tw, "VARIABLE\tTYPE\tVALUE\tDESCRIPTION")
	for _, v := range vars {
		value := "<null>"
		if v.Value != nil {
			value = *v.Value
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", v.Name, v.Type, value, v.Description)
	}
	return tw.Flush()
}
