package supervise

import (
	"math"
	"testing"
	"time"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// monthsOf makes months 1..len(values) with the given actuals ("" none).
func monthsOf(values ...string) []store.TargetMonth {
	var out []store.TargetMonth
	for i, v := range values {
		tm := store.TargetMonth{Month: time.Month(i + 1)}
		if v != "" {
			d := plan.MustDecimal(v)
			tm.Actual = &d
		}
		out = append(out, tm)
	}
	return out
}

func TestLinearAt(t *testing.T) {
	for _, c := range []struct {
		xs, ys []float64
		x, y   float64
	}{
		{nil, nil, 12, 0},
		{[]float64{3}, []float64{5}, 12, 5},
		{[]float64{0, 3}, []float64{0, 3}, 12, 12},
		{[]float64{0, 1, 2, 3}, []float64{1, 3, 5, 7}, 12, 25},
		{[]float64{2, 2}, []float64{1, 3}, 12, 2},
	} {
		if got := LinearAt(c.xs, c.ys, c.x); math.Abs(got-c.y) > 1e-9 {
			t.Errorf("LinearAt(%v, %v, %v) = %v, want %v", c.xs, c.ys, c.x, got, c.y)
		}
	}
}

func TestForecastTarget(t *testing.T) {
	qty := &plan.TargetRecord{ID: "q", Metric: "口袋公园", Kind: plan.KindQuantity, Comparator: plan.AtLeast, Value: plan.MustDecimal("12"), Unit: "个"}
	pct := &plan.TargetRecord{ID: "p", Metric: "工程进度", Kind: plan.KindProgress, Comparator: plan.AtLeast, Value: plan.MustDecimal("100"), Unit: "%"}
	rate := &plan.TargetRecord{ID: "r", Metric: "回收率", Kind: plan.KindRate, Comparator: plan.AtLeast, Value: plan.MustDecimal("95"), Unit: "%"}
	most := &plan.TargetRecord{ID: "m", Metric: "事故", Kind: plan.KindQuantity, Comparator: plan.AtMost, Value: plan.MustDecimal("10"), Unit: "起"}
	ms := &plan.TargetRecord{ID: "s", Metric: "投入使用", Kind: plan.KindMilestone, Comparator: plan.Exactly, Value: plan.MustDecimal("1"), Unit: "项"}
	tests := []struct {
		name      string
		t         *plan.TargetRecord
		months    []store.TargetMonth
		method    string
		projected string
		miss      bool
	}{
		{"nothing reported", qty, monthsOf("", ""), ForecastNone, "", false},
		{"one month at pace", qty, monthsOf("1"), ForecastLinear, "12", false},
		{"one month behind pace", qty, monthsOf("", "", "2"), ForecastLinear, "8", true},
		{"steady pace", qty, monthsOf("1", "2", "3", "4", "5", "6"), ForecastLinear, "12", false},
		{"slow start, fast since: the trend of all months", qty, monthsOf("0", "0", "1", "3", "5", "7"), ForecastLinear, "13.21", false},
		{"fast start, stalled since", qty, monthsOf("4", "5", "5", "5", "5", "5"), ForecastLinear, "9.61", true},
		{"gaps between reports", qty, monthsOf("", "2", "", "4"), ForecastLinear, "12", false},
		{"a late jump: never below the latest", qty, monthsOf("0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "11"), ForecastLinear, "11", true},
		{"a percentage stops at 100", pct, monthsOf("20", "40", "60"), ForecastLinear, "100", false},
		{"a rate is a level", rate, monthsOf("96", "94"), ForecastLevel, "94", true},
		{"at most is a level", most, monthsOf("3", "4"), ForecastLevel, "4", false},
		{"a milestone is not extrapolated", ms, monthsOf("0", "0"), ForecastNone, "", false},
	}
	for _, tt := range tests {
		f := ForecastTarget(tt.t, tt.months)
		got := ""
		if f.Projected != nil {
			got = f.Projected.String()
		}
		if f.Method != tt.method || got != tt.projected || f.Miss != tt.miss {
			t.Errorf("%s: %s %s miss=%v, want %s %s miss=%v", tt.name, f.Method, got, f.Miss, tt.method, tt.projected, tt.miss)
		}
	}
}

// TestNextStep is the ladder's rule on crafted histories and letters.
func TestNextStep(t *testing.T) {
	const (
		OK = plan.StatusOnTrack
		B  = plan.StatusBehind
		FB = plan.StatusFarBehind
		NR = plan.StatusNotReported
		DU = plan.StatusDue
	)
	hist := func(ss ...plan.Status) []store.StatusRecord {
		var out []store.StatusRecord
		for i, s := range ss {
			out = append(out, store.StatusRecord{Period: plan.Period{Year: 2024, Month: time.Month(i + 1)}, Status: s})
		}
		return out
	}
	letter := func(kind plan.LetterKind, month int, state plan.LetterState) plan.Letter {
		return plan.Letter{Kind: kind, Period: plan.Period{Year: 2024, Month: time.Month(month)}, State: state}
	}
	P, S := plan.LetterPrompt, plan.LetterSupervision
	tests := []struct {
		name    string
		months  []store.StatusRecord
		letters []plan.Letter
		want    Step
	}{
		{"on plan", hist(OK, OK), nil, StepNone},
		{"report not yet due", hist(OK, DU), nil, StepNone},
		{"first 滞后", hist(OK, B), nil, StepPrompt},
		{"first month of the year behind", hist(B), nil, StepPrompt},
		{"提示函 drafted this month already", hist(OK, B), []plan.Letter{letter(P, 2, plan.LetterDraft)}, StepNone},
		{"提示函 issued this month already", hist(OK, B), []plan.Letter{letter(P, 2, plan.LetterIssued)}, StepNone},
		{"still behind after an issued 提示函", hist(B, B), []plan.Letter{letter(P, 1, plan.LetterAnswered)}, StepSupervision},
		{"still behind after a closed 提示函", hist(B, B), []plan.Letter{letter(P, 1, plan.LetterClosed)}, StepSupervision},
		{"提示函 never issued: wait for the supervisor", hist(B, B), []plan.Letter{letter(P, 1, plan.LetterDraft)}, StepNone},
		{"withdrawn 提示函 does not count", hist(OK, B), []plan.Letter{letter(P, 2, plan.LetterWithdrawn)}, StepPrompt},
		{"严重滞后 at once → 督办函", hist(OK, FB), nil, StepSupervision},
		{"未报送 → 督办函", hist(OK, NR), nil, StepSupervision},
		{"严重滞后 over a draft 提示函 → 督办函", hist(B, FB), []plan.Letter{letter(P, 1, plan.LetterDraft)}, StepSupervision},
		{"督办函 drafted: nothing more", hist(B, FB, FB), []plan.Letter{letter(S, 2, plan.LetterDraft)}, StepNone},
		{"督办函 issued this month: nothing more", hist(B, FB), []plan.Letter{letter(S, 2, plan.LetterIssued)}, StepNone},
		{"still red after an issued 督办函 → 挂牌督办", hist(B, FB, FB), []plan.Letter{letter(S, 2, plan.LetterIssued)}, StepList},
		{"not reported after an issued 督办函 → 挂牌督办", hist(B, FB, NR), []plan.Letter{letter(S, 2, plan.LetterClosed)}, StepList},
		{"only amber after a 督办函: not listed", hist(FB, FB, B), []plan.Letter{letter(S, 1, plan.LetterIssued)}, StepNone},
		{"a green month ends the spell: the ladder starts over", hist(B, FB, OK, B), []plan.Letter{letter(P, 1, plan.LetterClosed), letter(S, 2, plan.LetterClosed)}, StepPrompt},
		{"a green month ends the spell: red again → 督办函", hist(B, FB, OK, FB), []plan.Letter{letter(S, 2, plan.LetterClosed)}, StepSupervision},
		{"letters of later months are not seen", hist(OK, B), []plan.Letter{letter(P, 3, plan.LetterIssued)}, StepPrompt},
	}
	for _, tt := range tests {
		p := tt.months[len(tt.months)-1].Period
		if got := NextStep(tt.months, tt.letters, p); got != tt.want {
			t.Errorf("%s: %q (%s), want %q (%s)", tt.name, got, got.Label(), tt.want, tt.want.Label())
		}
	}
}

func TestConfig(t *testing.T) {
	c, err := ParseConfig([]byte(`{"status": {"on_track_ratio": 0.85, "far_behind_ratio": 0.5, "far_behind_after_months": 3, "grace_days": 3, "deadline_warning_days": 15},
		"calendar": {"holidays": ["2024-10-01"], "workdays": ["2024-10-12"]}, "response_days": {"prompt": 7}, "prefixes": {"360112": "新建区"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Status.OnTrackRatio != 0.85 || c.Status.FarBehindAfterMonths != 3 || c.responseDays(plan.LetterPrompt) != 7 ||
		c.responseDays(plan.LetterSupervision) != 3 || c.Prefixes["360112"] != "新建区" || c.PraiseRatio != 1.2 {
		t.Errorf("config %+v", c)
	}
	// Fields left out keep their defaults.
	c, err = ParseConfig([]byte(`{"praise_ratio": 1.5}`))
	if err != nil || c.Status != plan.BuiltinThresholds || c.PraiseRatio != 1.5 {
		t.Errorf("partial: %+v %v", c, err)
	}
	for _, bad := range []string{
		`{"status": {"on_track_ratio": 1.5}}`,
		`{"statuss": {}}`,
		`{"calendar": {"holidays": ["10/01"]}}`,
		`{"response_days": {"notice": 3}}`,
		`{"doc_number_formats": {"prompt": "督提〔{year}〕号"}}`,
		"{\n\"status\": ",
		`{"praise_ratio": "high"}`,
	} {
		if _, err := ParseConfig([]byte(bad)); plan.ErrorCode(err) != plan.EInvalid {
			t.Errorf("%s: %v", bad, err)
		} else if plan.ErrorMessage(err) == "" {
			t.Errorf("%s: no message", bad)
		}
	}
}
