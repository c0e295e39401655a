package spec

import (
	"math"
	"strconv"
	"strings"
)

// pythonFloat formats f as Python's str()/repr() does: the shortest digits
// that read back as f, in positional notation with at least one decimal
// ("1.0", "0.5", "0.0001") when the decimal exponent is in [-4, 16), and
// otherwise in exponential notation with a signed, two-digit-minimum
// exponent ("1e-05", "1.5e+16").
func pythonFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // e.g. "1.5e-05": Go and Python agree on this form
	exp, err := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	if err != nil {
		return e
	}
	if exp < -4 || exp >= 16 {
		return e
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}
