target "m1" {
  matrix = { a = ["x", "y"] } # ERROR: Missing name for matrix
}

target "m2" {
  matrix = { a = ["x", "y"], b = ["1"] }
  name   = "m2-${b}" # ERROR: Duplicate target name
}

target "m3" {
  matrix = ["x"] # ERROR: Invalid matrix
  name   = "m3"
}

target "m4" {
  matrix = { a = "x" } # ERROR: Invalid matrix
  name   = "m4"
}

target "m5" {
  matrix = { a = range(200), b = range(200) } # ERROR: Matrix too large
  name   = "m5-${a}-${b}"
}

target "m6" {
  matrix = { a = ["x y"] }
  name   = "m6-${a}" # ERROR: Invalid name
}

target "bad.name" { # ERROR: Invalid name
}

group "g" {
  targets = ["m1"]
  matrix  = {} # ERROR: Unsupported argument
}
