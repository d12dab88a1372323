package main

import (
	"path/filepath"
	"strings"
)

// xbake comes in two builds of this package. The full build (the default)
// runs every command. The front build (-tags xbakefront; scripts/build.sh
// puts it next to the full one, named xbake-engine, for make build,
// releases and the Action; unix only, engine_front_windows.go) links
// neither BuildKit nor compose-go, whose package initialisation is most
// of a full binary's start-up time: it runs the commands that only read
// local HCL and JSON definitions (--print, --list, --plan, graph,
// version, schema, completion) and hands every other one, unchanged, to
// xbake-engine: builds, imagetools, builder, doctor, Compose files, remote
// definitions, and the plans that need a builder, a registry or the
// Dockerfiles (bakeOptions.needsEngine), before it reads anything.
// The hooks below and in engine_full.go and engine_front.go are where the
// two builds differ.

// engineName is the full build's file name, looked up next to the front
// build's own executable, then on PATH; XBAKE_ENGINE overrides both.
const engineName = "xbake-engine"

// mayBeCompose reports whether a definition file might be a Compose file,
// which only the full build reads: any name but *.hcl and *.json, stdin
// included (compose.IsFile decides by content when the name does not).
func mayBeCompose(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext != ".hcl" && ext != ".json"
}

// The commands that only the full build runs, as both builds list them.
const (
	imagetoolsUse   = "imagetools"
	imagetoolsShort = "Inspect and create multi-platform images in a registry"
	builderUse      = "builder"
	builderShort    = "List and inspect the builders xbake can build on"
	doctorUse       = "doctor"
	doctorShort     = "Check the builder a build would use: its nodes, their platforms and this machine's QEMU"
)
