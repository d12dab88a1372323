package executor

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xbake/xbake/bake"
)

// A secret's file is read as every small file is (localfile.Read): a
// device, a FIFO or a file over BuildKit's limit for a secret is refused
// at once, with the secret's id.
func TestSecretFileRefused(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(big, []byte(strings.Repeat(" ", 500<<10+1)), 0o644); err != nil {
		t.Fatal(err)
	}
	s := &secretStore{m: map[string]bake.Secret{"z": {ID: "z", FilePath: "/dev/zero"}, "big": {ID: "big", FilePath: big}}}
	for id, want := range map[string]string{"z": "secret z: /dev/zero is not a regular file", "big": "secret big: " + big + " is larger than 500 KiB"} {
		if _, err := s.GetSecret(context.Background(), id); err == nil || err.Error() != want {
			t.Errorf("GetSecret(%s) = %v, want %s", id, err, want)
		}
	}
}
