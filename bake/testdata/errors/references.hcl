variable "A" {
  default = B
}
variable "B" {
  default = A # ERROR: Variable cycle
}
variable "N" {
  type    = number
  default = "x" # ERROR: Invalid default value
}
variable "T" {
  type = strng # ERROR: Invalid variable type
}
variable "V" {
  default = "ok"
  validation {
    condition     = V == "bad" # ERROR: Validation failed
    error_message = "V must be bad."
  }
  validation {
    condition = 1 # ERROR: Invalid validation condition
  }
}

target "a" {
  tags     = [UNKNWN] # ERROR: Unknown variable
  context  = target.b.context
  inherits = ["nothere"] # ERROR: Unknown target
}

target "b" {
  context = target.a.context # ERROR: Reference cycle
  dockerfile = target.zz.dockerfile # ERROR: Unknown target
  target = target.a.stage # ERROR: Unsupported attribute
}

target "c" {
  inherits = ["d"]
}

target "d" {
  inherits = ["c"] # WARNING: Inheritance cycle
}
