package plan

import (
	"bufio"
	"bytes"
	"strings"
)

// CrossCompiles reports whether building stage (the last stage when "")
// of a Dockerfile runs no RUN step for the target platform: every stage it
// needs that has a RUN step starts FROM --platform=$BUILDPLATFORM (or
// from such a stage). A foreign platform then costs no QEMU: the work runs
// natively and only files are copied into the target platform's image.
//
// It reads Dockerfile syntax only as far as it needs to: FROM lines with
// their --platform flag and stage name, RUN steps, and the stages COPY
// --from and RUN --mount=from= use. Anything it cannot follow (a stage
// chosen by a build argument, an unknown instruction that could run code)
// counts as emulated, so the answer errs on the slow side.
func CrossCompiles(dockerfile []byte, stage string) bool {
	stages := parseStages(dockerfile)
	if len(stages) == 0 {
		return false
	}
	byName := map[string]int{}
	for i, s := range stages {
		if s.name != "" {
			byName[s.name] = i
		}
	}
	start := len(stages) - 1
	if stage != "" {
		i, ok := byName[strings.ToLower(stage)]
		if !ok {
			return false
		}
		start = i
	}
	seen := map[int]bool{}
	var visit func(i int) (cross bool)
	// onBuild reports whether stage i and what it needs run on the build
	// platform; ok is whether every RUN it needs does.
	var onBuild func(i int) bool
	onBuild = func(i int) bool {
		s := stages[i]
		if s.buildPlatform {
			return true
		}
		if j, ok := byName[s.base]; ok && j < i {
			return onBuild(j)
		}
		return false
	}
	visit = func(i int) bool {
		if seen[i] {
			return true
		}
		seen[i] = true
		s := stages[i]
		if s.opaque {
			return false
		}
		if s.runs && !onBuild(i) {
			return false
		}
		if j, ok := byName[s.base]; ok && j < i && !visit(j) {
			return false
		}
		for _, from := range s.uses {
			j, ok := byName[from]
			if !ok {
				if isIndex(from) {
					j = atoi(from)
					ok = j < len(stages)
				}
			}
			if ok && j < i && !visit(j) {
				return false
			}
			if !ok && strings.Contains(from, "$") {
				return false // a stage chosen by an argument
			}
		}
		return true
	}
	return visit(start)
}

type dfStage struct {
	name          string // lower-case stage name, "" when unnamed
	base          string // lower-case FROM image or stage
	buildPlatform bool   // FROM --platform=$BUILDPLATFORM
	runs          bool   // has a RUN step
	opaque        bool   // has an instruction whose effect is not followed
	uses          []string
}

// parseStages splits a Dockerfile into stages, joining continued lines and
// skipping comments and heredoc bodies.
func parseStages(dockerfile []byte) []dfStage {
	var stages []dfStage
	var cur *dfStage
	sc := bufio.NewScanner(bytes.NewReader(dockerfile))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	var line strings.Builder
	var heredoc string
	for sc.Scan() {
		text := sc.Text()
		if heredoc != "" {
			if strings.TrimSpace(text) == heredoc {
				heredoc = ""
			}
			continue
		}
		trimmed := strings.TrimSpace(text)
		if line.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if strings.HasSuffix(trimmed, "\\") {
			line.WriteString(strings.TrimSuffix(trimmed, "\\"))
			line.WriteByte(' ')
			continue
		}
		line.WriteString(trimmed)
		inst := line.String()
		line.Reset()
		if i := strings.Index(inst, "<<"); i >= 0 {
			heredoc = strings.Trim(strings.Fields(inst[i+2:] + " x")[0], `-"'`)
		}
		fields := strings.Fields(inst)
		if len(fields) == 0 {
			continue
		}
		switch strings.ToUpper(fields[0]) {
		case "FROM":
			s := dfStage{}
			args := fields[1:]
			for len(args) > 0 && strings.HasPrefix(args[0], "--") {
				if v, ok := strings.CutPrefix(args[0], "--platform="); ok {
					s.buildPlatform = v == "$BUILDPLATFORM" || v == "${BUILDPLATFORM}"
				}
				args = args[1:]
			}
			if len(args) > 0 {
				s.base = strings.ToLower(args[0])
			}
			if len(args) >= 3 && strings.EqualFold(args[1], "AS") {
				s.name = strings.ToLower(args[2])
			}
			stages = append(stages, s)
			cur = &stages[len(stages)-1]
		case "RUN":
			if cur != nil {
				cur.runs = true
				for _, f := range fields[1:] {
					if rest, ok := strings.CutPrefix(f, "--mount="); ok {
						for _, kv := range strings.Split(rest, ",") {
							if v, ok := strings.CutPrefix(kv, "from="); ok {
								cur.uses = append(cur.uses, strings.ToLower(v))
							}
						}
					}
				}
			}
		case "COPY", "ADD":
			if cur != nil {
				for _, f := range fields[1:] {
					if v, ok := strings.CutPrefix(f, "--from="); ok {
						cur.uses = append(cur.uses, strings.ToLower(v))
					}
				}
			}
		case "ONBUILD":
			if cur != nil {
				cur.opaque = true
			}
		}
	}
	return stages
}

func isIndex(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
		if n > 1<<20 {
			return n
		}
	}
	return n
}
