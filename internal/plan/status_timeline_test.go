package plan

import (
	"strings"
	"testing"
	"time"
)

// month is one month of a crafted timeline: what the unit reported (an
// actual, "" for none) and when.
type month struct {
	actual string
	rep    bool // a counted report for the month
	late   bool // reported late, or missing past the due date
	grace  bool // missing, within the grace period
	plan   *MonthlyPlan
}

func on(a string) month   { return month{actual: a, rep: true} }
func late(a string) month { return month{actual: a, rep: true, late: true} }

var (
	missing = month{late: true}              // past the grace period
	inGrace = month{late: true, grace: true} // past the due date, within grace
	notDue  = month{}                        // due date not reached
)

// withPlan makes the month and every later one use mp (an approved plan).
func (m month) withPlan(mp *MonthlyPlan) month { m.plan = mp; return m }

// cumPlan is an approved monthly plan of target t1 with the given
// cumulative values from January on ("" leaves a month unplanned).
func cumPlan(values ...string) *MonthlyPlan {
	mt := MonthlyTarget{TargetID: "t1"}
	for i, v := range values {
		if v != "" {
			d := MustDecimal(v)
			mt.Cumulative[i] = &d
		}
	}
	return &MonthlyPlan{State: MonthlyApproved, Targets: []MonthlyTarget{mt}}
}

// timeline turns months into StatusInputs for one target: expected values
// come from Expected (the monthly plan in force, else 序时进度); an actual
// carries from the latest month that had one, as the dashboard does.
func timeline(tg TargetRecord, months []month) []StatusInput {
	var ins []StatusInput
	var mp *MonthlyPlan
	var carried *Decimal
	for i, m := range months {
		if m.plan != nil {
			mp = m.plan
		}
		if m.actual != "" {
			d := MustDecimal(m.actual)
			carried = &d
		}
		mon := time.Month(i + 1)
		e := Expected(&tg, mp, mon)
		ins = append(ins, StatusInput{
			Reported: m.rep, Late: m.late, InGrace: m.grace, December: mon == time.December,
			Targets: []StatusTarget{{ID: tg.ID, Kind: tg.Kind, Comparator: tg.Comparator, Value: tg.Value,
				Expected: e.Value, Actual: carried, Lower: e.LowerIsBetter}},
		})
	}
	return ins
}

func TestStatusTimelines(t *testing.T) {
	qty := TargetRecord{ID: "t1", Kind: KindQuantity, Comparator: AtLeast, Value: MustDecimal("12"), Unit: "个"}
	rate := TargetRecord{ID: "t1", Kind: KindRate, Comparator: AtLeast, Value: MustDecimal("95"), Unit: "%"}
	lower := TargetRecord{ID: "t1", Kind: KindQuantity, Comparator: AtMost, Value: MustDecimal("10"), Unit: "起"}
	const (
		D  = StatusDone
		OK = StatusOnTrack
		B  = StatusBehind
		FB = StatusFarBehind
		NR = StatusNotReported
		DU = StatusDue
	)
	tests := []struct {
		name   string
		target TargetRecord
		months []month
		want   []Status
	}{
		{"on 序时进度 every month (no monthly plan)", qty,
			[]month{on("1"), on("2"), on("3"), on("4")},
			[]Status{OK, OK, OK, OK}},
		{"within tolerance of 序时进度", qty,
			[]month{on("0.9"), on("1.8")},
			[]Status{OK, OK}},
		{"behind once, then two months running, then caught up", qty,
			[]month{on("1"), on("1.5"), on("2.5"), on("4"), on("5")},
			[]Status{OK, B, FB, OK, OK}},
		{"behind again after catching up starts a new run", qty,
			[]month{on("0.8"), on("2"), on("2.5"), on("3.5")},
			[]Status{B, OK, B, FB}},
		{"far behind in a single month", qty,
			[]month{on("1"), on("1")},
			[]Status{OK, FB}},
		{"report due, then in grace, then not reported", qty,
			[]month{on("1"), notDue},
			[]Status{OK, DU}},
		{"missing in grace is 滞后, past grace 未报送", qty,
			[]month{on("1"), inGrace, missing},
			[]Status{OK, B, NR}},
		{"not reported then behind: two months running", qty,
			[]month{on("1"), missing, on("2.5")},
			[]Status{OK, NR, FB}},
		{"late report on plan is 滞后 but does not start a run", qty,
			[]month{late("1"), late("2"), on("3")},
			[]Status{B, B, OK}},
		{"late and behind", qty,
			[]month{late("0.7")},
			[]Status{B}},
		{"target met early stays 已完成 without further reports", qty,
			[]month{on("3"), on("12"), missing, notDue},
			[]Status{OK, D, D, D}},
		{"met late in the month it is reported", qty,
			[]month{on("1"), late("12"), missing},
			[]Status{OK, B, D}},
		{"cumulative value corrected downwards", qty,
			// March reported 3 (on plan); April's report corrects the
			// running total down to 2.5 while 4 was expected.
			[]month{on("1"), on("2"), on("3"), on("2.5"), on("3")},
			[]Status{OK, OK, OK, B, FB}},
		{"monthly plan: nothing planned before June is on track", qty,
			[]month{on("0").withPlan(cumPlan("", "", "", "", "", "6", "8", "10", "12")), on("0"), on("0"), on("0"), on("0"), on("6")},
			[]Status{OK, OK, OK, OK, OK, OK}},
		{"monthly plan changed mid-year raises the bar", qty,
			[]month{on("1").withPlan(cumPlan("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12")), on("2"), on("3"), on("4"), on("5"), on("6"),
				on("7").withPlan(cumPlan("1", "2", "3", "4", "5", "6", "9", "10", "11", "12", "12", "12")), on("8")},
			[]Status{OK, OK, OK, OK, OK, OK, B, FB}},
		{"monthly plan changed mid-year lowers the bar", qty,
			[]month{on("0.5").withPlan(cumPlan("2", "4")), on("1"),
				on("1.5").withPlan(cumPlan("0.5", "1", "1.5", "2"))},
			[]Status{FB, FB, OK}},
		{"a level held is 正常 until December, then 已完成", rate,
			[]month{on("96"), on("97"), on("90"), on("80")},
			[]Status{OK, OK, OK, B}},
		{"lower is better", lower,
			[]month{on("3"), on("12"), on("20")},
			[]Status{OK, B, FB}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AssessRun(timeline(tt.target, tt.months))
			var g, w []string
			for i := range got {
				g = append(g, got[i].Status.Label())
				w = append(w, tt.want[i].Label())
			}
			if strings.Join(g, " ") != strings.Join(w, " ") {
				t.Errorf("statuses\n got %s\nwant %s", strings.Join(g, " "), strings.Join(w, " "))
				for i := range got {
					t.Logf("%d月: %s %s (run %d)", i+1, got[i].Status.Label(), got[i].Reason, got[i].Run)
				}
			}
		})
	}
}

// A level is only done in December: the whole year of a rate.
func TestStatusTimelineLevelDoneInDecember(t *testing.T) {
	rate := TargetRecord{ID: "t1", Kind: KindRate, Comparator: AtLeast, Value: MustDecimal("95"), Unit: "%"}
	var months []month
	for range 12 {
		months = append(months, on("96"))
	}
	got := AssessRun(timeline(rate, months))
	if got[10].Status != StatusOnTrack || got[11].Status != StatusDone {
		t.Errorf("November %s, December %s", got[10].Status.Label(), got[11].Status.Label())
	}
}

func TestStatusHistoryRuleConfigurable(t *testing.T) {
	qty := TargetRecord{ID: "t1", Kind: KindQuantity, Comparator: AtLeast, Value: MustDecimal("12")}
	ins := timeline(qty, []month{on("0.8"), on("1.6"), on("2.4"), on("3.2")})
	three := BuiltinThresholds
	three.FarBehindAfterMonths = 3
	off := BuiltinThresholds
	off.FarBehindAfterMonths = 0
	for _, c := range []struct {
		th   Thresholds
		want string
	}{{BuiltinThresholds, "滞后 严重滞后 严重滞后 严重滞后"}, {three, "滞后 滞后 严重滞后 严重滞后"}, {off, "滞后 滞后 滞后 滞后"}} {
		th := c.th
		for i := range ins {
			ins[i].Thresholds = &th
		}
		var g []string
		for _, a := range AssessRun(ins) {
			g = append(g, a.Status.Label())
		}
		if strings.Join(g, " ") != c.want {
			t.Errorf("after %d months: %s, want %s", th.FarBehindAfterMonths, strings.Join(g, " "), c.want)
		}
	}
}

func TestStatusThresholdsConfigurable(t *testing.T) {
	d := func(s string) *Decimal { v := MustDecimal(s); return &v }
	in := StatusInput{Reported: true, Targets: []StatusTarget{{Kind: KindQuantity, Comparator: AtLeast, Value: *d("12"), Expected: *d("10"), Actual: d("8.5")}}}
	if got := StatusOf(in); got != StatusBehind {
		t.Fatalf("default: %s", got.Label())
	}
	loose := Thresholds{OnTrackRatio: 0.8, FarBehindRatio: 0.5}
	in.Thresholds = &loose
	if got := StatusOf(in); got != StatusOnTrack {
		t.Errorf("on_track_ratio 0.8: %s", got.Label())
	}
	// The package default is what config overrides.
	defer SetDefaultThresholds(BuiltinThresholds)
	if err := SetDefaultThresholds(Thresholds{OnTrackRatio: 0.8, FarBehindRatio: 0.9}); err == nil {
		t.Error("far above on-track accepted")
	}
	if err := SetDefaultThresholds(loose); err != nil {
		t.Fatal(err)
	}
	in.Thresholds = nil
	if got := StatusOf(in); got != StatusOnTrack {
		t.Errorf("default replaced: %s", got.Label())
	}
}

func TestStatusDeadline(t *testing.T) {
	d := func(s string) *Decimal { v := MustDecimal(s); return &v }
	day := func(s string) time.Time { v, _ := time.ParseInLocation("2006-01-02", s, Shanghai); return v }
	tg := func(actual string) []StatusTarget {
		return []StatusTarget{{Kind: KindQuantity, Comparator: AtLeast, Value: *d("12"), Expected: *d("10"), Actual: d(actual)}}
	}
	endOct := MustPeriod("2024-10").End()
	tests := []struct {
		name     string
		in       StatusInput
		want     Status
		dueSoon  bool
		inReason string
	}{
		{"deadline far", StatusInput{Reported: true, Targets: tg("10"), Deadline: day("2024-12-31"), AsOf: endOct}, StatusOnTrack, false, ""},
		{"deadline within 30 days, not done", StatusInput{Reported: true, Targets: tg("10"), Deadline: day("2024-11-20"), AsOf: endOct}, StatusOnTrack, true, ""},
		{"deadline near but done", StatusInput{Reported: true, Targets: tg("12"), Deadline: day("2024-11-20"), AsOf: endOct}, StatusDone, false, ""},
		{"deadline is the last day of the month: not yet passed during it", StatusInput{Reported: true, Targets: tg("10"), Deadline: day("2024-10-31"), AsOf: day("2024-10-31")}, StatusOnTrack, true, ""},
		{"deadline passed, not done", StatusInput{Reported: true, Targets: tg("10"), Deadline: day("2024-10-31"), AsOf: endOct}, StatusBehind, false, "完成时限"},
		{"deadline passed and far behind stays far behind", StatusInput{Reported: true, Targets: tg("3"), Deadline: day("2024-09-30"), AsOf: endOct}, StatusFarBehind, false, "完成时限"},
		{"a level reached by the deadline is not late though done only in December", StatusInput{Reported: true, Targets: []StatusTarget{{Kind: KindStandard, Comparator: AtLeast, Value: *d("965"), Expected: *d("965"), Actual: d("965")}}, Deadline: day("2024-09-30"), AsOf: endOct}, StatusOnTrack, false, ""},
		{"warning off", StatusInput{Reported: true, Targets: tg("10"), Deadline: day("2024-11-20"), AsOf: endOct, Thresholds: &Thresholds{OnTrackRatio: 0.9, FarBehindRatio: 0.6}}, StatusOnTrack, false, ""},
		{"no targets: a passed deadline has nothing to find unmet", StatusInput{Reported: true, Deadline: day("2024-09-30"), AsOf: endOct}, StatusOnTrack, false, "按计划推进"},
		{"no targets: no warning either", StatusInput{Reported: true, Deadline: day("2024-11-20"), AsOf: endOct}, StatusOnTrack, false, "按计划推进"},
		{"no targets, not reported: the report decides", StatusInput{Late: true, Deadline: day("2024-09-30"), AsOf: endOct}, StatusNotReported, false, "逾期未报送"},
	}
	for _, tt := range tests {
		a := Assess(tt.in)
		if a.Status != tt.want || a.DueSoon != tt.dueSoon || !strings.Contains(a.Reason, tt.inReason) {
			t.Errorf("%s: %s due_soon=%v (%s), want %s %v", tt.name, a.Status.Label(), a.DueSoon, a.Reason, tt.want.Label(), tt.dueSoon)
		}
	}
}

func TestReportTiming(t *testing.T) {
	p := MustPeriod("2024-05") // due June 5th, late from June 6th, grace 5 days → 未报送 from June 11th
	th := BuiltinThresholds
	at := func(s string) time.Time { v, _ := time.ParseInLocation("2006-01-02 15:04", s, Shanghai); return v }
	tests := []struct {
		submitted     string
		now           string
		late, inGrace bool
	}{
		{"", "2024-06-05 23:00", false, false},
		{"", "2024-06-06 00:00", true, true},
		{"", "2024-06-10 23:59", true, true},
		{"", "2024-06-11 00:00", true, false},
		{"2024-06-05 22:00", "2024-07-01 00:00", false, false},
		{"2024-06-07 09:00", "2024-07-01 00:00", true, false},
	}
	for _, tt := range tests {
		var sub *time.Time
		if tt.submitted != "" {
			s := at(tt.submitted)
			sub = &s
		}
		late, grace := ReportTiming(p, sub, at(tt.now), DefaultDueDay, th)
		if late != tt.late || grace != tt.inGrace {
			t.Errorf("submitted %q now %s: late %v grace %v, want %v %v", tt.submitted, tt.now, late, grace, tt.late, tt.inGrace)
		}
	}
}

func TestTargetStatuses(t *testing.T) {
	d := func(s string) *Decimal { v := MustDecimal(s); return &v }
	in := StatusInput{Reported: true, Targets: []StatusTarget{
		{ID: "a", Kind: KindQuantity, Comparator: AtLeast, Value: *d("12"), Expected: *d("5"), Actual: d("12")},
		{ID: "b", Kind: KindQuantity, Comparator: AtLeast, Value: *d("12"), Expected: *d("5"), Actual: d("4")},
		{ID: "c", Kind: KindQuantity, Comparator: AtLeast, Value: *d("12"), Expected: *d("5"), Actual: d("2")},
		{ID: "d", Kind: KindRate, Comparator: AtLeast, Value: *d("95"), Expected: *d("95"), Actual: d("96")},
		{ID: "e", Kind: KindQuantity, Comparator: AtLeast, Value: *d("12"), Expected: *d("5"), Actual: d("4"), PriorBehind: 1},
	}}
	a := Assess(in)
	want := []Status{StatusDone, StatusBehind, StatusFarBehind, StatusOnTrack, StatusFarBehind}
	for i, w := range want {
		if a.Targets[i].Status != w {
			t.Errorf("target %s: %s, want %s", a.Targets[i].ID, a.Targets[i].Status.Label(), w.Label())
		}
	}
	if a.Status != StatusFarBehind || a.Worst != 2 {
		t.Errorf("project: %s worst %d", a.Status.Label(), a.Worst)
	}
	none := Assess(StatusInput{Late: true, Targets: []StatusTarget{{Kind: KindQuantity, Value: *d("1"), Expected: *d("1")}}})
	if none.Targets[0].Status != StatusNotReported || !none.Behind {
		t.Errorf("missing report: target %s behind %v", none.Targets[0].Status.Label(), none.Behind)
	}
}
