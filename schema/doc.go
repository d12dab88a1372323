// Package schema holds the bake language's blocks and attributes as data.
//
// It is not a phase of the pipeline but the vocabulary the phases share:
// the decoder in package bake reads File, Target, Group, Variable and
// Function (through (*Block).BodySchema, (*Block).Attr and Suggest for
// did-you-mean warnings), `xbake schema` prints the JSON Schemas built
// from them, and documentation lists them. Attributes are ordered slices,
// in buildx's order, so every listing and message is stable.
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
