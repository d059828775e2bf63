package plan

import (
	"testing"
	"time"
)

func TestValidateFunds(t *testing.T) {
	d := func(s string) *Decimal { return MustDecimal(s).Ptr() }
	subs := []SubprojectRecord{
		{ID: "s1", Name: "老旧小区改造", Investment: d("300")},
		{ID: "s2", Name: "雨污分流", Investment: d("200")},
		{ID: "s3", Name: "已撤销", RetiredBy: "pv2"},
	}
	prev := &Report{Allocated: d("100"), Disbursed: d("50"), Funds: []SubprojectFunds{{SubprojectID: "s1", Allocated: d("60"), Disbursed: d("30"), Spent: d("40")}}}
	cases := []struct {
		name     string
		r        Report
		previous *Report
		errors   []string // fields
		warnings []string
	}{
		{name: "nothing given"},
		{name: "consistent", r: Report{Allocated: d("120"), Disbursed: d("80"), Investment: d("100"),
			Funds: []SubprojectFunds{{SubprojectID: "s1", Allocated: d("70"), Disbursed: d("40"), Spent: d("60")}, {SubprojectID: "s2", Allocated: d("50")}}},
			previous: prev},
		{name: "negative allocation", r: Report{Allocated: d("-1")}, errors: []string{"allocated_wan"}},
		{name: "allocation falls", r: Report{Allocated: d("99.99")}, previous: prev, errors: []string{"allocated_wan"}},
		{name: "allocation equal to last month", r: Report{Allocated: d("100")}, previous: prev},
		{name: "sub-project figure falls", r: Report{Funds: []SubprojectFunds{{SubprojectID: "s1", Spent: d("39")}}}, previous: prev,
			errors: []string{"funds.s1.spent_wan"}},
		{name: "sub-project new this month", r: Report{Funds: []SubprojectFunds{{SubprojectID: "s2", Spent: d("1")}}}, previous: prev},
		{name: "disbursed above allocated", r: Report{Allocated: d("10"), Disbursed: d("11")}, warnings: []string{"disbursed_wan"}},
		{name: "sub-project disbursed above allocated", r: Report{Funds: []SubprojectFunds{{SubprojectID: "s1", Allocated: d("5"), Disbursed: d("6")}}},
			warnings: []string{"funds.s1.disbursed_wan"}},
		{name: "sub-project spent above its investment", r: Report{Funds: []SubprojectFunds{{SubprojectID: "s2", Spent: d("200.01")}}},
			warnings: []string{"funds.s2.spent_wan"}},
		{name: "sub-projects add up to more than the project", r: Report{Allocated: d("100"),
			Funds: []SubprojectFunds{{SubprojectID: "s1", Allocated: d("60")}, {SubprojectID: "s2", Allocated: d("41")}}},
			warnings: []string{"allocated_wan"}},
		{name: "unknown, retired and repeated sub-projects", r: Report{Funds: []SubprojectFunds{{SubprojectID: "x"}, {SubprojectID: "s3"},
			{SubprojectID: "s2", Spent: d("1")}, {SubprojectID: "s2", Spent: d("2")}}},
			errors: []string{"funds.x", "funds.s3", "funds.s2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ps Problems
			validateFunds(&c.r, ReportCheck{Previous: c.previous, Subprojects: subs}, &ps)
			check := func(kind string, got Problems, want []string) {
				t.Helper()
				if len(got) != len(want) {
					t.Fatalf("%s: %+v, want fields %v", kind, got, want)
				}
				for i := range want {
					if got[i].Field != want[i] || got[i].Message == "" {
						t.Fatalf("%s %d: %+v, want field %s", kind, i, got[i], want[i])
					}
				}
			}
			check("errors", ps.Errors(), c.errors)
			check("warnings", ps.Warnings(), c.warnings)
		})
	}
}

func TestDisbursementRate(t *testing.T) {
	d := func(s string) *Decimal { return MustDecimal(s).Ptr() }
	for _, c := range []struct {
		disb, alloc, planned *Decimal
		rate                 float64
		base                 string
		ok                   bool
	}{
		{d("80"), d("100"), d("400"), 0.8, FundsBaseAllocated, true},
		{d("80"), nil, d("400"), 0.2, FundsBasePlanned, true},
		{d("80"), d("0"), d("400"), 0.2, FundsBasePlanned, true},
		{d("80"), nil, nil, 0, "", false},
		{nil, d("100"), d("400"), 0, "", false},
	} {
		rate, base, ok := DisbursementRate(c.disb, c.alloc, c.planned)
		if rate != c.rate || base != c.base || ok != c.ok {
			t.Errorf("DisbursementRate(%v, %v, %v) = %v %q %v", c.disb, c.alloc, c.planned, rate, base, ok)
		}
	}
}

func TestSubprojectPlannedThrough(t *testing.T) {
	s := &SubprojectRecord{Investment: MustDecimal("120").Ptr()}
	if got := SubprojectPlannedThrough(s, nil, time.March); got.String() != "30" {
		t.Fatalf("without a monthly plan: %v", got)
	}
	mp := &MonthlyPlan{}
	mp.Investment[0], mp.Investment[1], mp.Investment[11] = MustDecimal("50").Ptr(), MustDecimal("150").Ptr(), MustDecimal("200").Ptr()
	// The project plans 200 of 400 by March: the sub-project half of its 120.
	if got := SubprojectPlannedThrough(s, mp, time.March); got.String() != "60" {
		t.Fatalf("with a monthly plan: %v", got)
	}
	if SubprojectPlannedThrough(&SubprojectRecord{}, mp, time.March) != nil {
		t.Fatal("a sub-project without investment has a plan")
	}
}
