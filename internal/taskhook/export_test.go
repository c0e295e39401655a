package taskhook

// Sizes returns how many custom structs and role resources values m holds (for the bound's test).
func (m *Customs) Sizes() (configs, resources int) { return len(m.configs), len(m.resources) }
