package schema

// The entry types: each element of these list attributes is either the
// CLI flag's CSV string or an object. Their Fields are the object form's
// known keys and, after normalisation, the keys --print shows.

// OutputEntry is an element of output (an exporter).
var OutputEntry = Type{
	Kind:        KindEntry,
	Name:        "output",
	Description: "An exporter: a CSV string such as type=image,push=true, a bare path (type=local,dest=<path>), - (type=tar to stdout), or an object.",
	Extra:       ExtraAttrs,
	Fields: []*Attr{
		{Name: "type", Type: LenientString, Required: true, Description: "Exporter: image, registry, docker, oci, tar, local or cacheonly."},
		{Name: "dest", Type: LenientString, Description: "Destination path of a local, tar, oci or docker output; - writes to stdout."},
		{Name: "name", Type: LenientString, Description: "Image names, comma-separated."},
		{Name: "push", Type: LenientString, Description: "Push the image (true or false)."},
	},
}

// CacheEntry is an element of cache-from and cache-to.
var CacheEntry = Type{
	Kind:        KindEntry,
	Name:        "cache",
	Description: "A cache backend: a CSV string such as type=registry,ref=user/app:cache, a bare image reference (a registry cache; comma-separated references give several entries), or an object.",
	Extra:       ExtraAttrs,
	Fields: []*Attr{
		{Name: "type", Type: LenientString, Required: true, Description: "Cache backend: registry, local, inline, gha, s3 or azblob."},
		{Name: "ref", Type: LenientString, Description: "Image reference of a registry cache."},
		{Name: "mode", Type: LenientString, Description: "Export mode of cache-to: min (the default) or max."},
		{Name: "src", Type: LenientString, Description: "Directory a local cache is read from."},
		{Name: "dest", Type: LenientString, Description: "Directory a local cache is written to."},
	},
}

// AttestEntry is an element of attest.
var AttestEntry = Type{
	Kind:        KindEntry,
	Name:        "attest",
	Description: "An attestation: a CSV string such as type=sbom or type=provenance,mode=max, or an object. Later entries of the same type replace earlier ones.",
	Extra:       ExtraAttrs,
	Fields: []*Attr{
		{Name: "type", Type: LenientString, Required: true, Description: "Attestation type: sbom or provenance."},
		{Name: "disabled", Type: Bool, Description: "Turn this attestation off."},
		{Name: "mode", Type: LenientString, Description: "Provenance detail: min or max."},
	},
}

// SecretEntry is an element of secret.
var SecretEntry = Type{
	Kind:        KindEntry,
	Name:        "secret",
	Description: "A secret: a CSV string such as id=token,env=TOKEN or id=npmrc,src=.npmrc (type=file|env is also accepted), or an object. Later entries with the same id replace earlier ones.",
	Extra:       ExtraIgnored,
	Fields: []*Attr{
		{Name: "id", Type: String, Description: "Secret ID, as in RUN --mount=type=secret,id=<id>."},
		{Name: "src", Type: String, Description: "File to read the secret from."},
		{Name: "env", Type: String, Description: "Environment variable to read the secret from."},
	},
}

// SSHEntry is an element of ssh.
var SSHEntry = Type{
	Kind:        KindEntry,
	Name:        "ssh",
	Description: "An SSH agent socket or keys: a string such as default or id=path1,path2, or an object. Later entries with the same id replace earlier ones.",
	Extra:       ExtraIgnored,
	Fields: []*Attr{
		{Name: "id", Type: String, Description: "SSH ID, as in RUN --mount=type=ssh,id=<id>; default is the agent socket."},
		{Name: "paths", Type: List(String), Description: "Agent sockets or private key files; none means the default agent (SSH_AUTH_SOCK)."},
	},
}

// PolicyEntry is an element of policy.
var PolicyEntry = Type{
	Kind:        KindEntry,
	Name:        "policy",
	Description: "A source policy: a CSV string such as filename=policy.rego,strict=true, or an object. A Dockerfile.rego next to the Dockerfile is loaded automatically.",
	Extra:       ExtraRejected,
	Fields: []*Attr{
		{Name: "filename", Type: String, Description: "Rego policy file."},
		{Name: "reset", Type: Bool, Description: "Drop the policies configured before this entry."},
		{Name: "disabled", Type: Bool, Description: "Turn policy evaluation off."},
		{Name: "strict", Type: Bool, Description: "Evaluate the policy in strict mode."},
		{Name: "log-level", Type: String, Description: "Log level of policy evaluation, such as debug or info."},
	},
}
