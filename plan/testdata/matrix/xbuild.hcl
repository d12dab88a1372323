# From matrix = { variant = ["alpine", "debian"] }.
target "app-alpine" {
  target = "alpine"
  platforms = ["linux/amd64", "linux/arm64", "linux/arm/v7"]
  tags = ["registry.example.com/app:alpine"]
  output = ["type=image,push=true"]
}

# From matrix = { variant = ["alpine", "debian"] }.
target "app-debian" {
  target = "debian"
  platforms = ["linux/amd64", "linux/arm64", "linux/arm/v7"]
  tags = ["registry.example.com/app:debian"]
  output = ["type=image,push=true"]
}
