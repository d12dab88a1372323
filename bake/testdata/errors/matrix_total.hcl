# Matrices are bounded together as well as one by one: six matrices of
# 10,000 targets are more than MaxMatrixTotal (50,000), and the sixth is
# refused where its matrix is written.
target "m0" {
  matrix = { a = range(100), b = range(100) }
  name   = "m0-${a}-${b}"
}
target "m1" {
  matrix = { a = range(100), b = range(100) }
  name   = "m1-${a}-${b}"
}
target "m2" {
  matrix = { a = range(100), b = range(100) }
  name   = "m2-${a}-${b}"
}
target "m3" {
  matrix = { a = range(100), b = range(100) }
  name   = "m3-${a}-${b}"
}
target "m4" {
  matrix = { a = range(100), b = range(100) }
  name   = "m4-${a}-${b}"
}
target "m5" {
  matrix = { a = range(100), b = range(100) }  # ERROR: Too many targets
  name   = "m5-${a}-${b}"
}
