package oci

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// session is the registry connections of one operation. ggcr caches the
// ping and token exchange per repository inside a Puller/Pusher, so the
// calls of one operation, and their retries, share them.
type session struct {
	c      *Client
	puller *remote.Puller
	pusher *remote.Pusher
}

func (c *Client) newSession(ctx context.Context) (*session, error) {
	opts := c.remoteOptions(ctx)
	puller, err := remote.NewPuller(opts...)
	if err != nil {
		return nil, fmt.Errorf("setting up registry client: %w", err)
	}
	pusher, err := remote.NewPusher(opts...)
	if err != nil {
		return nil, fmt.Errorf("setting up registry client: %w", err)
	}
	return &session{c: c, puller: puller, pusher: pusher}, nil
}

// head returns the descriptor of the manifest ref names.
func (s *session) head(ctx context.Context, ref name.Reference) (*v1.Descriptor, error) {
	var d *v1.Descriptor
	err := s.c.retry(ctx, func(ctx context.Context) error {
		var err error
		d, err = s.puller.Head(ctx, ref)
		return err
	})
	return d, s.c.wrapErr(ctx, "checking", ref, err)
}

// manifest is a manifest as a registry gave it: its descriptor and bytes.
type manifest struct {
	v1.Descriptor
	Manifest []byte
}

// desc is the manifest's descriptor in the OCI types: media type, digest,
// size.
func (m *manifest) desc() ocispec.Descriptor {
	return ocispec.Descriptor{MediaType: string(m.MediaType), Digest: digest.Digest(m.Digest.String()), Size: m.Size}
}

// get fetches the manifest ref names. The client keeps every manifest it
// fetched by repository and digest: what a digest names never changes, so
// a manifest that an earlier call read (the image a lookup found, which
// Tag then points tags at) is not fetched again.
func (s *session) get(ctx context.Context, ref name.Reference) (*manifest, error) {
	if d, ok := ref.(name.Digest); ok {
		if m, ok := s.c.manifests.Load(d.Context().Name() + "@" + d.DigestStr()); ok {
			return m.(*manifest), nil
		}
	}
	var d *remote.Descriptor
	err := s.c.retry(ctx, func(ctx context.Context) error {
		var err error
		d, err = s.puller.Get(ctx, ref)
		return err
	})
	if err != nil {
		return nil, s.c.wrapErr(ctx, "fetching", ref, err)
	}
	m := &manifest{Descriptor: d.Descriptor, Manifest: d.Manifest}
	s.c.manifests.Store(ref.Context().Name()+"@"+d.Digest.String(), m)
	return m, nil
}

// blob fetches a blob (an image config, an attestation) of the repository
// of ref, of at most limit bytes.
func (s *session) blob(ctx context.Context, ref name.Digest, limit int64) ([]byte, error) {
	var b []byte
	err := s.c.retry(ctx, func(ctx context.Context) error {
		l, err := s.puller.Layer(ctx, ref)
		if err != nil {
			return err
		}
		rc, err := l.Compressed()
		if err != nil {
			return err
		}
		defer rc.Close()
		b, err = readAllLimit(rc, limit)
		return err
	})
	return b, s.c.wrapErr(ctx, "fetching", ref, err)
}

// copy makes the manifest src (with everything it references) available
// at dst, which is by digest in another repository. Within one registry
// ggcr mounts the blobs instead of copying them; manifests already there
// are skipped.
func (s *session) copy(ctx context.Context, src, dst name.Digest) error {
	err := s.c.retry(ctx, func(ctx context.Context) error {
		d, err := s.puller.Get(ctx, src)
		if err != nil {
			return err
		}
		return s.pusher.Push(ctx, dst, d)
	})
	if err != nil {
		return s.c.wrapErr(ctx, "copying "+src.String()+" to", dst, err)
	}
	return nil
}

// put writes a manifest (no dependencies) to ref.
func (s *session) put(ctx context.Context, ref name.Reference, raw []byte, mt string) error {
	err := s.c.retry(ctx, func(ctx context.Context) error {
		return s.pusher.Put(ctx, ref, rawManifest{raw: raw, mediaType: types.MediaType(mt)})
	})
	return s.c.wrapErr(ctx, "pushing", ref, err)
}

// rawManifest is manifest bytes as ggcr's remote.Taggable.
type rawManifest struct {
	raw       []byte
	mediaType types.MediaType
}

func (m rawManifest) RawManifest() ([]byte, error)        { return m.raw, nil }
func (m rawManifest) MediaType() (types.MediaType, error) { return m.mediaType, nil }
