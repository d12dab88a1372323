//go:build race

package hcl

// raceDetector is set when the tests run with -race, which makes the
// cases that run a million evaluation steps ten times slower: they run a
// tenth of them (see maxSteps).
const raceDetector = true
