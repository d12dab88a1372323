# Not requested: built only as a dependency (linked).
target "base" {
  dockerfile = "docker/base.Dockerfile"
  platforms = ["linux/amd64", "linux/arm64"]
}

# Not requested: built only as a dependency (linked).
# One platform: it serves every platform of its dependents (cross-compiling tools).
target "tools" {
  dockerfile = "docker/tools.Dockerfile"
}

target "api" {
  dockerfile = "services/api/Dockerfile"
  platforms = ["linux/amd64", "linux/arm64"]
  contexts = {
    base = "target:base"
    tools = "target:tools"
  }
  tags = ["registry.example.com/api:1.4.0"]
  output = ["type=registry"]
}

target "web" {
  dockerfile = "services/web/Dockerfile"
  platforms = ["linux/amd64", "linux/arm64"]
  contexts = {
    base = "target:base"
  }
  tags = ["registry.example.com/web:1.4.0"]
  output = ["type=registry", "type=local,dest=out/web"]
}

target "worker" {
  dockerfile = "services/worker/Dockerfile"
  platforms = ["linux/amd64", "linux/arm64"]
  contexts = {
    base = "target:base"
    tools = "target:tools"
  }
  tags = ["worker:dev"]
  output = ["type=docker"]
}

# From matrix = { go = ["1.22", "1.23"] }.
target "svc-go1-22" {
  dockerfile = "services/svc/Dockerfile"
  platforms = ["linux/amd64", "linux/arm64"]
  contexts = {
    base = "target:base"
  }
  args = {
    GO_VERSION = "1.22"
  }
  tags = ["registry.example.com/svc:go1.22"]
  output = ["type=registry"]
}

# From matrix = { go = ["1.22", "1.23"] }.
target "svc-go1-23" {
  dockerfile = "services/svc/Dockerfile"
  platforms = ["linux/amd64", "linux/arm64"]
  contexts = {
    base = "target:base"
  }
  args = {
    GO_VERSION = "1.23"
  }
  tags = ["registry.example.com/svc:go1.23"]
  output = ["type=registry"]
}

target "docs" {
  dockerfile = "docs/Dockerfile"
  platforms = ["linux/amd64"]
  tags = ["registry.example.com/docs:latest"]
  output = ["type=registry"]
}

# Same build as docs, other tag: one solve serves both.
target "docs-preview" {
  dockerfile = "docs/Dockerfile"
  platforms = ["linux/amd64"]
  tags = ["registry.example.com/docs:preview"]
  output = ["type=registry"]
}

target "lint" {
  dockerfile = "services/api/Dockerfile"
  target = "lint"
  call = "check"
}
