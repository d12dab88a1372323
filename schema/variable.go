package schema

// Variable is the variable block. buildx accepts unknown attributes in it
// silently.
var Variable = &Block{
	Type:        "variable",
	Labels:      []string{"name"},
	Description: "A variable that expressions use by its bare name. --var NAME=value, then an environment variable of the same name, override its default.",
	Extra:       ExtraIgnored,
	Attrs: []*Attr{
		{
			Name:        "default",
			Type:        Any,
			Description: `Default value. Without one the value is "" (or null when the variable is typed).`,
		},
		{
			Name:        "type",
			Type:        TypeExpr,
			Description: "Type constraint, as a type expression such as string, bool, number, list(string) or map(string); overrides are parsed to this type.",
		},
		{
			Name:        "description",
			Type:        String,
			Description: "Description of the variable, shown by --list=variables.",
		},
	},
	Blocks: []*Block{Validation},
}

// Validation is the validation block of a variable; a variable may have
// several. They run after every variable is resolved, so a condition may
// read other variables.
var Validation = &Block{
	Type:        "validation",
	Description: "A check of the variable's value; all failing checks are reported together.",
	Extra:       ExtraRejected,
	Attrs: []*Attr{
		{
			Name:        "condition",
			Type:        Bool,
			Required:    true,
			Description: "Expression that is true when the value is valid.",
		},
		{
			Name:        "error_message",
			Type:        String,
			Description: "Message reported when the condition is false.",
		},
	},
}
