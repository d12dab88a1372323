package localfile

import (
	"path/filepath"
)

// Resolve returns p, cleaned, with the symbolic links of its nearest
// ancestor that resolves resolved, and the rest kept as written (a part
// that does not exist yet, or a link that points nowhere): as buildx
// resolves the paths --allow grants, so that a link cannot smuggle a path
// out of a folder, and as git and fsutil print a file's path, so that
// paths compare.
func Resolve(p string) string {
	p = filepath.Clean(p)
	var rest []string
	for cur := p; ; cur = filepath.Dir(cur) {
		if r, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(append([]string{r}, rest...)...)
		}
		if cur == filepath.Dir(cur) {
			return p
		}
		rest = append([]string{filepath.Base(cur)}, rest...)
	}
}
