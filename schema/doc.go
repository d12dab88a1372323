// Package schema holds the bake language's blocks and attributes as data.
//
// The decoder in package bake, `xbake schema` and the documentation all read
// these definitions, so they cannot drift apart. It also emits the JSON
// Schema of the JSON bake format and of the --print output.
package schema
