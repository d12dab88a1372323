// Package schema holds the bake language's blocks and attributes as data.
//
// It is not a phase of the pipeline but the vocabulary the phases share.
// Package bake decodes target and group blocks with Target's and Group's
// BodySchema, takes the target attribute names and their order from
// Target, --set keys from SetKey and SetKeys, and the group messages from
// Unsupported; its attribute table (bake/attrs.go) adds what each target
// attribute does (decode, merge, --set, x-bake, --print, plan's dedup
// key) and is matched to Target by name, a test holding the two together.
// Test is xbake's test block (package bake decodes it with its own
// checks). Variable, Function and File describe what package hcl decodes;
// tests here hold them to buildx. `xbake schema` prints the JSON Schemas built from all of them.
// Attributes are ordered slices, in buildx's order, so every listing and
// message is stable.
//
// Attribute types are Types rather than cty types because bake accepts
// unions: an output is a CSV string or an object, and a JSON bake file
// may give any value as a "${...}" template string. Type.Cty gives the
// cty type to convert to where one exists.
//
// JSONSchema describes the JSON bake format (HCL JSON syntax) and
// PrintSchema the --print output; schema/xbake.schema.json and
// schema/print.schema.json are their committed copies, regenerated with
// XBAKE_UPDATE=1 go test ./schema.
//
// The package depends on hcl and cty only, never on bake, plan, executor
// or BuildKit.
package schema
