package schema

// Test is xbake's test block: a smoke test run in each built platform's
// image of a target before its outputs are published. buildx skips block
// types it does not know, so a bake file with tests still works there;
// --print never shows them.
var Test = &Block{
	Type:         "test",
	Labels:       []string{"name"},
	LabelPattern: NamePattern,
	Description: "xbake only: a smoke test. Its command runs in each built platform's image of the target (natively or under QEMU) " +
		"before the target's outputs are published; a command that fails, times out or does not print what expect matches fails the build of that platform, " +
		"and no tag moves. docker buildx bake ignores test blocks.",
	Extra: ExtraRejected,
	Attrs: []*Attr{
		{
			Name:        "target",
			Type:        String,
			Required:    true,
			Description: "The target whose images the test runs in.",
		},
		{
			Name:        "command",
			Type:        List(String),
			Required:    true,
			Description: `The command and its arguments, run as they are (no shell, the image's entrypoint not prepended), with the image's environment, working directory and user: ["/hello"], or ["sh", "-c", "..."].`,
		},
		{
			Name: "expect",
			Type: String,
			Description: "A regular expression (Go's RE2 syntax) that the command's output (stdout and stderr) must contain a match of; " +
				"$TARGETPLATFORM, $TARGETOS, $TARGETARCH and $TARGETVARIANT stand for the platform under test. Without it, only the exit status counts.",
		},
		{
			Name:        "platforms",
			Type:        List(String),
			Description: "Only these of the target's platforms; default all of them.",
		},
		{
			Name:        "env",
			Type:        Map(String),
			Description: "Environment variables added to the image's own.",
		},
		{
			Name:        "timeout",
			Type:        String,
			Default:     "2m",
			Description: `How long the command may run, as a Go duration ("30s", "5m").`,
		},
	},
}
