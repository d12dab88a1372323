package hcl

// Blank imports pin the package's dependencies in go.mod until the code
// that uses them lands; delete this file then.
import (
	_ "github.com/Masterminds/semver/v3"
	_ "github.com/hashicorp/go-cty-funcs/cidr"
	_ "github.com/hashicorp/hcl/v2"
	_ "github.com/zclconf/go-cty/cty"
)
