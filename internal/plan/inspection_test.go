package plan

import (
	"testing"
	"time"
)

func TestJudgeFinding(t *testing.T) {
	for _, c := range []struct {
		reported, found, cmp string
		short                bool
		shortfall            string
	}{
		{"1200", "900", AtLeast, true, "300"},
		{"1200", "1140", AtLeast, false, ""}, // exactly at the 5% floor
		{"1200", "1139", AtLeast, true, "61"},
		{"1200", "1300", AtLeast, false, ""}, // more found than reported
		{"4.5", "5", AtMost, true, "0.5"},    // a rate kept low, worse on site
		{"4.5", "4.6", AtMost, false, ""},
	} {
		f := InspectionFinding{Reported: MustDecimal(c.reported).Ptr(), Found: MustDecimal(c.found)}
		JudgeFinding(&f, c.cmp, 0.05)
		if f.Short != c.short || (c.short && f.Shortfall.String() != c.shortfall) {
			t.Errorf("%s/%s %s: short %v shortfall %v", c.reported, c.found, c.cmp, f.Short, f.Shortfall)
		}
	}
	f := InspectionFinding{Found: MustDecimal("1")}
	JudgeFinding(&f, AtLeast, 0.05)
	if f.Short {
		t.Error("nothing reported judged short")
	}
}

func TestInspectionValidate(t *testing.T) {
	targets := []TargetRecord{{ID: "t1", Metric: "改造户数"}}
	now := time.Date(2024, 10, 20, 12, 0, 0, 0, Shanghai)
	ok := InspectionInput{Date: "2024-10-15", Inspectors: []string{" 李明", "", "王芳 "}, Place: " 水西镇 ",
		Findings: []InspectionFound{{TargetID: "t1", Found: MustDecimal("900").Ptr()}, {TargetID: "t1", Found: nil}}}
	if err := ok.Validate(targets, 2024, now); err == nil {
		t.Fatal("a repeated target passed")
	}
	ok.Findings = ok.Findings[:1]
	if err := ok.Validate(targets, 2024, now); err != nil || len(ok.Inspectors) != 2 || ok.Place != "水西镇" {
		t.Fatalf("valid visit: %v %+v", err, ok)
	}
	for _, c := range []struct {
		name  string
		edit  func(in *InspectionInput)
		field string
	}{
		{"future", func(in *InspectionInput) { in.Date = "2024-10-21" }, "date"},
		{"other year", func(in *InspectionInput) { in.Date = "2023-10-15" }, "date"},
		{"bad date", func(in *InspectionInput) { in.Date = "10月15日" }, "date"},
		{"no inspectors", func(in *InspectionInput) { in.Inspectors = []string{" "} }, "inspectors"},
		{"no place", func(in *InspectionInput) { in.Place = "" }, "place"},
		{"unknown target", func(in *InspectionInput) { in.Findings[0].TargetID = "t9" }, "findings[0].target_id"},
		{"negative", func(in *InspectionInput) { in.Findings[0].Found = MustDecimal("-1").Ptr() }, "findings[0].found"},
		{"note without figure", func(in *InspectionInput) { in.Findings[0].Found, in.Findings[0].Note = nil, "少了" }, "findings[0].found"},
		{"nothing found", func(in *InspectionInput) { in.Findings = nil }, "narrative"},
	} {
		in := InspectionInput{Date: "2024-10-15", Inspectors: []string{"李明"}, Place: "水西镇",
			Findings: []InspectionFound{{TargetID: "t1", Found: MustDecimal("900").Ptr()}}}
		c.edit(&in)
		err := in.Validate(targets, 2024, now)
		e, isErr := err.(*Error)
		if !isErr || e.Field != c.field {
			t.Errorf("%s: %v, want a problem with %s", c.name, err, c.field)
		}
	}
}
