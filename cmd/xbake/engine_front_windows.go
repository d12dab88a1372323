//go:build xbakefront

package main

// The front build replaces itself with xbake-engine (syscall.Exec), which
// Windows does not do: there xbake is the full build alone, as
// scripts/build.sh builds it. This undefined name stops the build with
// a message that says so.
var _ = the_front_build_is_unix_only__on_windows_build_without_xbakefront
