package store

import (
	"testing"
	"time"

	"minsheng/internal/plan"
)

// TestDashboardStatusAsTheEngine: a dashboard line (and so the roll-up
// facts) judges its month as the status engine does: with the targets'
// comparators, the completion deadline, and a month before without a
// counted report as not reported.
func TestDashboardStatusAsTheEngine(t *testing.T) {
	dec := plan.MustDecimal
	line := func(comparator string, actual string, deadline time.Time) *DashboardProject {
		a := dec(actual)
		months := make([]TargetMonth, 10)
		for i := range months {
			months[i] = TargetMonth{Month: time.Month(i + 1), Expected: dec("10")}
		}
		months[9].Actual = &a
		return &DashboardProject{ReportState: plan.ReportAccepted, deadline: deadline, year: 2024,
			Targets: []DashboardTarget{{TargetID: "t", Kind: plan.KindQuantity, Value: dec("10"), Months: months, comparator: comparator}}}
	}
	oct := plan.MustPeriod("2024-10")
	sep30 := time.Date(2024, time.September, 30, 0, 0, 0, 0, plan.Shanghai)
	// September left without a counted report, on plan by the figures
	// carried from August; October behind: the second month running.
	expected := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 12}
	actual := []int64{1, 2, 3, 4, 5, 6, 7, 9, 0, 9} // September: none
	var months []TargetMonth
	var reported uint16
	for i := range expected {
		m := time.Month(i + 1)
		tm := TargetMonth{Month: m, Expected: plan.DecimalFromInt(expected[i])}
		if m != time.September {
			a := plan.DecimalFromInt(actual[i])
			tm.Actual, reported = &a, reported|1<<m
		}
		months = append(months, tm)
	}
	unreported := &DashboardProject{ReportState: plan.ReportAccepted, year: 2024, reported: reported,
		Targets: []DashboardTarget{{TargetID: "t", Kind: plan.KindQuantity, Value: dec("15"), Months: months, comparator: plan.AtLeast}}}
	for _, c := range []struct {
		name string
		line *DashboardProject
		want plan.Status
	}{
		{"September not reported, October behind: two months running", unreported, plan.StatusFarBehind},
		{"达到 10, 10 reported: met", line(plan.AtLeast, "10", time.Time{}), plan.StatusDone},
		{"超过 10, 10 reported: not met, on plan", line(plan.MoreThan, "10", time.Time{}), plan.StatusOnTrack},
		{"超过 10, 11 reported: met", line(plan.MoreThan, "11", time.Time{}), plan.StatusDone},
		{"on plan but the deadline passed in September", line(plan.MoreThan, "10", sep30), plan.StatusBehind},
	} {
		if got := c.line.Status(oct); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got.Label(), c.want.Label())
		}
	}
}
