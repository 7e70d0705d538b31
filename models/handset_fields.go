package models

// HandsetFields describes a handset's input fields for forms: the top-level
// ones, then the declared values as "declared.<name>", the paths their
// errors carry.
func HandsetFields() []FieldInfo {
	var out []FieldInfo
	for _, f := range handsetFields {
		if f.nested == nil {
			out = append(out, f.FieldInfo)
		}
	}
	for _, f := range declaredFields {
		fi := f.FieldInfo
		fi.Name = "declared." + fi.Name
		out = append(out, fi)
	}
	return out
}
