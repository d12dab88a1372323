package executor

import (
	"context"
	"fmt"

	"github.com/moby/buildkit/session/secrets"
	"github.com/moby/buildkit/session/secrets/secretsprovider"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/localfile"
)

// secretStore serves `secret` entries from the environment the CLI was
// given (not necessarily this process's) or from files. Values go to
// BuildKit only; they are never logged, and errors name the secret's ID,
// never its value.
type secretStore struct {
	getenv func(string) string
	m      map[string]bake.Secret
}

var _ secrets.SecretStore = (*secretStore)(nil)

// GetSecret implements secrets.SecretStore.
func (s *secretStore) GetSecret(ctx context.Context, id string) ([]byte, error) {
	src, ok := s.m[id]
	if !ok {
		return nil, secrets.ErrNotFound
	}
	if src.Env != "" {
		return []byte(s.getenv(src.Env)), nil
	}
	dt, err := localfile.Read(src.FilePath, secretsprovider.MaxSecretSize)
	if err != nil {
		return nil, fmt.Errorf("secret %s: %w", id, err)
	}
	return dt, nil
}
