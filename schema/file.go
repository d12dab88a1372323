package schema

// File is the top level of a bake file: target, group, variable and
// function blocks, xbake's test blocks, plus any number of attributes
// (FOO = "x"), which are global values that every expression can read.
var File = &Block{
	Description: "A bake file: the language of docker buildx bake, in HCL or JSON.",
	Blocks:      []*Block{Target, Group, Variable, Function, Test},
	Extra:       ExtraAttrs,
}

// GlobalAttrDescription describes a top-level attribute.
const GlobalAttrDescription = "A global value that any expression can use. If a variable block has the same name, this value replaces its default."
