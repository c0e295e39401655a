package launchplan

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// flytekit accepts these aliases without '@' (flytekit/core/schedule.py:37,
// CronSchedule._VALID_CRON_ALIASES, v1.16.24); robfig/cron's ParseStandard,
// which FlyteAdmin's native scheduler runs (flyteadmin
// scheduler/core/gocron_scheduler.go), does not. Each maps to the descriptor
// to write instead.
var flytekitAliases = map[string]string{
	"hourly": "@hourly", "hours": "@hourly",
	"daily": "@daily", "days": "@daily",
	"weekly": "@weekly", "weeks": "@weekly",
	"monthly": "@monthly", "months": "@monthly",
	"annually": "@annually", "yearly": "@yearly", "years": "@yearly",
}

const cronHelp = "five fields (minute hour day-of-month month day-of-week, e.g. \"30 2 * * *\"), or @hourly, @daily, @weekly, @monthly, @yearly or @every 90m, optionally after CRON_TZ=Zone"

// cronProblem returns why FlyteAdmin's native scheduler cannot run the cron
// schedule expr, or "" when it can: expr must parse as robfig/cron's
// ParseStandard parses it, which is what the scheduler (and FlyteAdmin
// v1.14+'s CreateLaunchPlan) does.
func cronProblem(expr string) string {
	s := strings.TrimSpace(expr)
	if s == "" {
		return "the cron schedule is empty: write " + cronHelp
	}
	body := s
	if strings.HasPrefix(s, "TZ=") || strings.HasPrefix(s, "CRON_TZ=") {
		// robfig/cron v3.0.1 panics on a zone prefix without a space after it.
		i := strings.IndexByte(s, ' ')
		if i < 0 {
			return fmt.Sprintf("%q names a time zone but no schedule: write CRON_TZ=Zone, a space, then the schedule, e.g. CRON_TZ=Europe/Paris 30 2 * * *", expr)
		}
		zone := s[strings.IndexByte(s, '=')+1 : i]
		if _, err := time.LoadLocation(zone); err != nil || zone == "" {
			return fmt.Sprintf("unknown time zone %q: use an IANA zone name such as UTC or Europe/Paris", zone)
		}
		body = strings.TrimSpace(s[i:])
	}
	if at, ok := flytekitAliases[strings.ToLower(body)]; ok {
		return fmt.Sprintf("%q is one of flytekit's aliases, but FlyteAdmin's native scheduler parses schedules with robfig/cron, which knows only descriptors with '@': write %s", body, at)
	}
	if !strings.HasPrefix(body, "@") {
		switch fields := strings.Fields(body); len(fields) {
		case 5:
		case 6:
			return fmt.Sprintf("%q has 6 fields: that is the deprecated AWS CloudWatch form (cron_expression), which FlyteAdmin's native scheduler cannot run; write %s", body, cronHelp)
		default:
			return fmt.Sprintf("%q has %d fields: write %s", body, len(fields), cronHelp)
		}
	}
	if err := parseStandard(s); err != nil {
		return fmt.Sprintf("invalid cron schedule %q: %v; write %s", expr, err, cronHelp)
	}
	return ""
}

// parseStandard runs cron.ParseStandard, turning a panic of the parser into
// an error.
func parseStandard(s string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the cron parser failed: %v", r)
		}
	}()
	_, err = cron.ParseStandard(s)
	return err
}
