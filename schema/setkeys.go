package schema

// SetKeys returns every key that --set accepts after the target pattern
// (pattern.key[.subkey]=value), in schema order: the overridable target
// attributes (platforms as "platform", secret as "secrets"), then
// "secret" (secret.<id>=src=… changes the source of a declared secret),
// "push" and "load", which edit the outputs.
func SetKeys() []string {
	var keys []string
	for _, a := range Target.Attrs {
		if !a.Overridable {
			continue
		}
		if a.SetKey != "" {
			keys = append(keys, a.SetKey)
		} else {
			keys = append(keys, a.Name)
		}
	}
	return append(keys, "secret", "push", "load")
}
