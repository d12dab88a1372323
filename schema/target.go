package schema

// Target is the target block: one build. Its attributes are in the order
// of buildx's bake.Target struct, which is also the key order of --print.
// buildx silently ignores attributes it does not know; the decoder warns
// about them with Suggest.
var Target = &Block{
	Type:         "target",
	Labels:       []string{"name"},
	LabelPattern: NamePattern,
	Description:  "A build target: one build of a Dockerfile, for one or more platforms.",
	Extra:        ExtraIgnored,
	Attrs: []*Attr{
		{
			Name:        "name",
			Type:        String,
			Description: "Name of each target that matrix generates; only allowed together with matrix.",
			NoPrint:     true,
		},
		{
			Name:        "matrix",
			Type:        Map(List(Any)),
			Description: "Variables that fork the target into one target per combination of their values.",
			NoPrint:     true,
		},
		{
			Name:        "description",
			Type:        String,
			Description: "Description of the target, shown by --list.",
		},
		{
			Name:        "inherits",
			Type:        List(String),
			Description: "Targets to inherit attributes from, merged in order before this target's own attributes.",
			NoPrint:     true,
		},
		{
			Name:        "annotations",
			Type:        List(String),
			Description: "Annotations of the image outputs, as [type[,type][platform]:]key=value; the type is manifest by default.",
			Overridable: true,
		},
		{
			Name:        "attest",
			Type:        List(AttestEntry),
			Description: "Build attestations, such as type=sbom or type=provenance,mode=max.",
			Overridable: true,
		},
		{
			Name:        "context",
			Type:        String,
			Default:     ".",
			Description: `Build context: a local directory, a Git URL or an HTTP(S) tarball URL. Defaults to ".".`,
			Overridable: true,
		},
		{
			Name:        "contexts",
			Type:        Map(String),
			Description: "Additional named build contexts: a local directory, docker-image://, oci-layout://, a Git or HTTP(S) URL, or target:<name> for another target's result.",
			Overridable: true,
		},
		{
			Name:        "dockerfile",
			Type:        String,
			Default:     "Dockerfile",
			Description: `Dockerfile location, relative to the context. Defaults to "Dockerfile".`,
			Overridable: true,
		},
		{
			Name:        "dockerfile-inline",
			Type:        String,
			Description: "Inline Dockerfile content; takes precedence over dockerfile.",
		},
		{
			Name:        "args",
			Type:        NullableMap(LenientString),
			Description: "Build arguments. Numbers and bools are converted to strings; null leaves the Dockerfile's default.",
			Overridable: true,
		},
		{
			Name:        "labels",
			Type:        NullableMap(LenientString),
			Description: "Image labels; null leaves the Dockerfile's value.",
			Overridable: true,
		},
		{
			Name:        "tags",
			Type:        List(String),
			Description: "Image names and tags.",
			Overridable: true,
		},
		{
			Name:        "cache-from",
			Type:        List(CacheEntry),
			Description: "External cache sources, such as user/app:cache or type=registry,ref=user/app:cache.",
			Overridable: true,
		},
		{
			Name:        "cache-to",
			Type:        List(CacheEntry),
			Description: "External cache destinations, such as type=inline or type=registry,ref=user/app:cache,mode=max.",
			Overridable: true,
		},
		{
			Name:        "target",
			Type:        String,
			Description: "Dockerfile stage to build.",
			Overridable: true,
		},
		{
			Name:        "secret",
			Type:        List(SecretEntry),
			Description: "Secrets exposed to the build, such as id=token,env=TOKEN or id=npmrc,src=.npmrc.",
			Overridable: true,
			SetKey:      "secrets",
		},
		{
			Name:        "ssh",
			Type:        List(SSHEntry),
			Description: "SSH agent sockets or keys exposed to the build, such as default or id=key,paths.",
			Overridable: true,
		},
		{
			Name:        "platforms",
			Type:        List(String),
			Description: "Target platforms, as os/arch[/variant]; local means the client's platform.",
			Overridable: true,
			SetKey:      "platform",
		},
		{
			Name:        "output",
			Type:        List(OutputEntry),
			Description: "Output destinations, such as type=image,push=true, type=local,dest=out or a bare path.",
			Overridable: true,
		},
		{
			Name:        "pull",
			Type:        Bool,
			Description: "Always pull the images the build references.",
			Overridable: true,
		},
		{
			Name:        "no-cache",
			Type:        Bool,
			Description: "Build without the build cache.",
			Overridable: true,
		},
		{
			Name:        "network",
			Type:        OneOf("default", "host", "none"),
			Description: "Network mode of RUN instructions: default, host or none. host requires the network.host entitlement.",
			Overridable: true,
		},
		{
			Name:        "no-cache-filter",
			Type:        List(String),
			Description: "Stages to build without the build cache.",
			Overridable: true,
		},
		{
			Name:        "shm-size",
			Type:        String,
			Description: "Size of /dev/shm for RUN instructions, such as 128m.",
			Overridable: true,
		},
		{
			Name:        "ulimits",
			Type:        List(String),
			Description: "Ulimits of RUN instructions, as type=soft[:hard].",
			Overridable: true,
		},
		{
			Name:        "resources",
			Type:        Resources,
			Description: "Cgroup resource limits of RUN instructions.",
			Overridable: true,
		},
		{
			Name:        "call",
			Type:        String,
			Description: "Frontend method to call instead of a build: build (the default), check, outline or targets.",
			Overridable: true,
		},
		{
			Name:        "entitlements",
			Type:        List(String),
			Description: "Privileges the build requires, such as network.host or security.insecure; the user grants them with --allow.",
			Overridable: true,
		},
		{
			Name:        "extra-hosts",
			Type:        NullableMap(LenientString),
			Description: "Custom host-to-IP mappings, as host = ip[,ip].",
			Overridable: true,
		},
		{
			Name:        "policy",
			Type:        List(PolicyEntry),
			Description: "Rego source policies to evaluate, such as filename=policy.rego.",
			Overridable: true,
		},
	},
}

// Resources is the type of a target's resources attribute.
var Resources = Type{
	Kind:        KindObject,
	Name:        "resources",
	Description: "Cgroup resource limits of RUN instructions; not part of the cache key.",
	Extra:       ExtraIgnored,
	Fields: []*Attr{
		{Name: "memory", Type: LenientString, Description: "Memory limit, such as 512m or 2g."},
		{Name: "memory-swap", Type: LenientString, Description: "Memory plus swap limit; -1 means unlimited swap."},
		{Name: "cpu-shares", Type: Number, Description: "Relative CPU weight."},
		{Name: "cpu-period", Type: Number, Description: "CFS scheduler period, in microseconds."},
		{Name: "cpu-quota", Type: Number, Description: "CFS scheduler quota per period, in microseconds."},
		{Name: "cpuset-cpus", Type: LenientString, Description: "CPUs allowed, such as 0-3 or 0,1."},
		{Name: "cpuset-mems", Type: LenientString, Description: "Memory nodes allowed, such as 0-1."},
	},
}
