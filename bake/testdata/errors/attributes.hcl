target "a" {
  platforms = "linux/amd64" # ERROR: Invalid value for platforms
  args      = { A = [1] }   # ERROR: Invalid value for args
  tag       = ["x"]         # WARNING: Unknown target attribute
  output    = ["type=image", "push=true,x=1"] # ERROR: Invalid value for output
  pull      = "maybe"       # ERROR: Invalid value for pull
  shm-size  = "lots"        # ERROR: Invalid shm-size
  ulimits   = ["nofile=x"]  # ERROR: Invalid ulimit
  network   = "bridge"      # ERROR: Invalid network
  annotations = ["nokey"]   # ERROR: Invalid annotation
  x {                       # WARNING: Unsupported block type
  }
}

target "b" {
  name = "b2" # ERROR: Name without matrix
  secret = ["id=a,bad=1"] # ERROR: Invalid value for secret
  attest = [{ mode = "max" }] # ERROR: Invalid value for attest
  cache-from = ["foo=bar"] # ERROR: Invalid value for cache-from
  resources = { cpu-shares = 1.5 } # ERROR: Invalid value for resources
}

foo {} # WARNING: Unsupported block type
