package schema

// Function is the function block: a user-defined function that any
// expression can call.
var Function = &Block{
	Type:        "function",
	Labels:      []string{"name"},
	Description: "A user-defined function that any expression can call.",
	Extra:       ExtraRejected,
	Attrs: []*Attr{
		{
			Name:        "params",
			Type:        List(Ident),
			Required:    true,
			Description: "Parameter names, as bare identifiers.",
		},
		{
			Name:        "variadic_params",
			Type:        Ident,
			Description: "Name of the parameter that receives any further arguments as a list.",
		},
		{
			Name:        "result",
			Type:        Any,
			Required:    true,
			Description: "Expression that computes the result from the parameters.",
		},
	},
}
