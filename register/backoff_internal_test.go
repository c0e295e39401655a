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
		{in: RetryPolicy{}, want: RetryPolicy{Window: 60 * time.Second, PerRetryTimeout: 15 * time.Second, BaseBackoff: 100 * time.Millisecond, MaxBackoff: 8 * time.Second}},
		{in: RetryPolicy{Window: time.Second}, want: RetryPolicy{Window: time.Second, PerRetryTimeout: 15 * time.Second, BaseBackoff: 100 * time.Millisecond, MaxBackoff: 8 * time.Second}},
		{in: RetryPolicy{MaxRetries: 4, Window: time.Second}, want: RetryPolicy{MaxRetries: 4, PerRetryTimeout: 15 * time.Second, BaseBackoff: 100 * time.Millisecond, MaxBackoff: 8 * time.Second}},
		{in: RetryPolicy{MaxRetries: -1, Window: time.Second}, want: RetryPolicy{MaxRetries: 0, PerRetryTimeout: 15 * time.Second, BaseBackoff: 100 * time.Millisecond, MaxBackoff: 8 * time.Second}},
		{in: RetryPolicy{MaxRetries: 9, BaseBackoff: time.Second, MaxBackoff: time.Millisecond}, want: RetryPolicy{MaxRetries: 9, PerRetryTimeout: 15 * time.Second, BaseBackoff: time.Millisecond, MaxBackoff: time.Millisecond}},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, tc.in.withDefaults())
	}
}

// The bound doubles from BaseBackoff up to MaxBackoff and stays there; large bases must not
// overflow the shift into a small (or negative) bound.
func TestBackoffBoundNoOverflow(t *testing.T) {
	odd := time.Duration(1<<40 + 1) // about 18 minutes, odd so that shifted overflow leaves low bits
	tests := []struct {
		p       RetryPolicy
		attempt int
		want    time.Duration
	}{
		{RetryPolicy{BaseBackoff: 100 * time.Millisecond, MaxBackoff: 8 * time.Second}, 0, 100 * time.Millisecond},
		{RetryPolicy{BaseBackoff: 100 * time.Millisecond, MaxBackoff: 8 * time.Second}, 6, 6400 * time.Millisecond},
		{RetryPolicy{BaseBackoff: 100 * time.Millisecond, MaxBackoff: 8 * time.Second}, 7, 8 * time.Second},
		{RetryPolicy{BaseBackoff: 100 * time.Millisecond, MaxBackoff: 8 * time.Second}, 1000, 8 * time.Second},
		{RetryPolicy{BaseBackoff: odd, MaxBackoff: odd}, 1, odd},
		{RetryPolicy{BaseBackoff: odd, MaxBackoff: odd}, 23, odd},
		{RetryPolicy{BaseBackoff: odd, MaxBackoff: odd}, 31, odd},
		{RetryPolicy{BaseBackoff: time.Nanosecond, MaxBackoff: 1 << 62}, 62, 1 << 62},
		{RetryPolicy{BaseBackoff: time.Nanosecond, MaxBackoff: 1<<63 - 1}, 63, 1<<63 - 1},
	}
	for _, tc := range tests {
		p := tc.p.withDefaults()
		for attempt := 0; attempt <= tc.attempt; attempt++ {
			b := backoffBound(p, attempt)
			assert.Positive(t, b, "%+v attempt %d", p, attempt)
			assert.LessOrEqual(t, b, p.MaxBackoff, "%+v attempt %d", p, attempt)
			if attempt > 0 {
				assert.GreaterOrEqual(t, b, backoffBound(p, attempt-1), "bound never shrinks: %+v attempt %d", p, attempt)
			}
		}
		assert.Equal(t, tc.want, backoffBound(p, tc.attempt), "%+v attempt %d", p, tc.attempt)
	}
}
