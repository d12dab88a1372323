package xbake_test

// Blank imports pin test-only dependencies until tests use them.
import (
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/rogpeppe/go-internal/testscript"
)
