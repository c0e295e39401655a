package register

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestBackoffIsBoundedFullJitter(t *testing.T) {
	p := RetryPolicy{BaseBackoff: 10 * time.Millisecond, MaxBackoff: 300 * time.Millisecond}.withDefaults()
	for attempt := 0; attempt < 70; attempt++ {
		bound := p.MaxBackoff
		if attempt < 5 {
			bound = p.BaseBackoff << attempt // 10, 20, 40, 80, 160 ms
		}
		var sawNonMax bool
		for i := 0; i < 200; i++ {
			d := backoff(p, attempt)
			assert.GreaterOrEqual(t, d, time.Duration(0))
			assert.LessOrEqual(t, d, bound, "attempt %d", attempt)
			sawNonMax = sawNonMax || d < bound
		}
		assert.True(t, sawNonMax, "jitter: not always the bound (attempt %d)", attempt)
	}
}

func TestRetryPolicyDefaults(t *testing.T) {
	tests := []struct {
		in, want RetryPolicy
	}{
		{in: RetryPolicy{}, want: RetryPolicy{MaxRetries: 4, PerRetryTimeout: 15 * time.Second, BaseBackoff: 100 * time.Millisecond, MaxBackoff: 8 * time.Second}},
		{in: RetryPolicy{MaxRetries: -1}, want: RetryPolicy{MaxRetries: 0, PerRetryTimeout: 15 * time.Second, BaseBackoff: 100 * time.Millisecond, MaxBackoff: 8 * time.Second}},
		{in: RetryPolicy{MaxRetries: 9, BaseBackoff: time.Second, MaxBackoff: time.Millisecond}, want: RetryPolicy{MaxRetries: 9, PerRetryTimeout: 15 * time.Second, BaseBackoff: time.Millisecond, MaxBackoff: time.Millisecond}},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, tc.in.withDefaults())
	}
}
