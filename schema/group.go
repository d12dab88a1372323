package schema

// Group is the group block: a named set of targets and other groups.
// buildx ignores attributes it does not know, except name and matrix,
// which are errors.
var Group = &Block{
	Type:         "group",
	Labels:       []string{"name"},
	LabelPattern: NamePattern,
	Description:  "A named set of targets and groups, built together.",
	Extra:        ExtraIgnored,
	Attrs: []*Attr{
		{
			Name:        "description",
			Type:        String,
			Description: "Description of the group, shown by --list.",
		},
		{
			Name:        "targets",
			Type:        List(String),
			Required:    true,
			Description: "Targets and groups in this group.",
		},
		{
			Name:        "name",
			Type:        String,
			Unsupported: "name is not supported for groups",
			Description: "Not supported: only a target with a matrix can be renamed.",
			NoPrint:     true,
		},
		{
			Name:        "matrix",
			Type:        Map(List(Any)),
			Unsupported: "matrix is not supported for groups",
			Description: "Not supported: only targets have a matrix.",
			NoPrint:     true,
		},
	},
}
