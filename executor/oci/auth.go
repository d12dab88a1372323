package oci

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/docker/cli/cli/config"
	"github.com/docker/cli/cli/config/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// dockerConfigKeychain reads dir/config.json: its "auths" entries, and
// credsStore/credHelpers through the docker-credential-* programs.
type dockerConfigKeychain struct{ dir string }

func (k dockerConfigKeychain) Resolve(target authn.Resource) (authn.Authenticator, error) {
	if k.dir == "" {
		return authn.DefaultKeychain.Resolve(target)
	}
	cf, err := config.Load(k.dir)
	if err != nil {
		return nil, fmt.Errorf("reading docker config in %s: %w", k.dir, err)
	}
	// The most specific key wins, as in docker: "host/repo", then "host".
	for _, key := range []string{target.String(), target.RegistryStr()} {
		if key == name.DefaultRegistry {
			key = authn.DefaultAuthKey // Docker Hub's historical key
		}
		ac, err := cf.GetAuthConfig(key)
		if err != nil {
			return nil, fmt.Errorf("reading credentials for %s from %s: %w", key, k.dir, err)
		}
		ac.ServerAddress = "" // set by GetAuthConfig; irrelevant to emptiness
		if ac != (types.AuthConfig{}) {
			return authn.FromConfig(authn.AuthConfig{
				Username:      ac.Username,
				Password:      ac.Password,
				Auth:          ac.Auth,
				IdentityToken: ac.IdentityToken,
				RegistryToken: ac.RegistryToken,
			}), nil
		}
	}
	return authn.Anonymous, nil
}

// wrapErr adds the operation and reference to a registry error and, for
// an authentication failure, says how to provide credentials. It never
// includes the credentials themselves.
func (c *Client) wrapErr(ctx context.Context, op string, ref name.Reference, err error) error {
	if err == nil {
		return nil
	}
	te, ok := authError(err)
	if !ok {
		return fmt.Errorf("%s %s: %w", op, ref, err)
	}
	// A copy talks to two registries: name the one that refused.
	reg := ref.Context().Registry
	if te.Request != nil && te.Request.URL.Host != "" && te.Request.URL.Host != reg.RegistryStr() {
		if r, rerr := name.NewRegistry(te.Request.URL.Host); rerr == nil {
			reg = r
		}
	}
	host := reg.RegistryStr()
	auth, kerr := authn.Resolve(ctx, c.keychain, reg)
	if kerr == nil && auth == authn.Anonymous {
		return fmt.Errorf("%s %s: no credentials for registry %s: run \"docker login %s\" or set DOCKER_CONFIG to a directory whose config.json has them: %w",
			op, ref, host, host, err)
	}
	return fmt.Errorf("%s %s: registry %s rejected the credentials of the docker config file: run \"docker login %s\" again or check DOCKER_CONFIG: %w",
		op, ref, host, host, err)
}

// authError returns err's registry error if it is a 401/403 or an
// UNAUTHORIZED/DENIED diagnostic.
func authError(err error) (*transport.Error, bool) {
	var te *transport.Error
	if !errors.As(err, &te) {
		return nil, false
	}
	if te.StatusCode == http.StatusUnauthorized || te.StatusCode == http.StatusForbidden {
		return te, true
	}
	for _, d := range te.Errors {
		if d.Code == transport.UnauthorizedErrorCode || d.Code == transport.DeniedErrorCode {
			return te, true
		}
	}
	return nil, false
}
