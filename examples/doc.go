// Package examples holds xbake's example projects, one folder each, with
// their bake files, Dockerfiles and READMEs; it has no Go API.
//
//   - hello: a Go program built for linux/amd64, linux/arm64 and
//     linux/arm/v7 into one multi-platform image, cross-compiled (target
//     hello) or compiled under QEMU (target hello-emulated). `make demo`
//     runs it.
//   - monorepo: three services sharing a base target through
//     `contexts = { base = "target:base" }`, a `_common` parent, release
//     and ci groups and a matrix target.
//   - matrix: two Go versions × two platforms, and a GitHub Actions
//     workflow that fans the targets out into jobs with `xbake --list`.
//
// The tests load and plan every example's bake file (examples_test.go) and
// build the hello example on the local builder stack
// (hello_integration_test.go).
package examples
