//go:build !race

package hcl

const raceDetector = false
