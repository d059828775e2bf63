package plan

import "testing"

func TestStatusOf(t *testing.T) {
	d := func(s string) *Decimal { v := MustDecimal(s); return &v }
	qty := func(value, expected string, actual *Decimal) StatusTarget {
		return StatusTarget{Kind: KindQuantity, Comparator: AtLeast, Value: *d(value), Expected: *d(expected), Actual: actual}
	}
	rate := func(value string, actual *Decimal) StatusTarget {
		return StatusTarget{Kind: KindRate, Comparator: AtLeast, Value: *d(value), Expected: *d(value), Actual: actual}
	}
	atMost := func(value string, actual *Decimal) StatusTarget {
		return StatusTarget{Kind: KindQuantity, Comparator: AtMost, Value: *d(value), Expected: *d(value), Actual: actual, Lower: true}
	}
	tests := []struct {
		name string
		in   StatusInput
		want Status
	}{
		{"no report, not yet due", StatusInput{Targets: []StatusTarget{qty("12", "5", nil)}}, StatusDue},
		{"no report, overdue", StatusInput{Late: true}, StatusNotReported},
		{"on plan", StatusInput{Reported: true, Targets: []StatusTarget{qty("12", "5", d("5"))}}, StatusOnTrack},
		{"within tolerance", StatusInput{Reported: true, Targets: []StatusTarget{qty("12", "5", d("4.5"))}}, StatusOnTrack},
		{"behind", StatusInput{Reported: true, Targets: []StatusTarget{qty("12", "5", d("4"))}}, StatusBehind},
		{"far behind", StatusInput{Reported: true, Targets: []StatusTarget{qty("12", "5", d("2.9"))}}, StatusFarBehind},
		{"worst target decides", StatusInput{Reported: true, Targets: []StatusTarget{qty("12", "5", d("9")), qty("10", "5", d("1"))}}, StatusFarBehind},
		{"missing actual counts as zero", StatusInput{Reported: true, Targets: []StatusTarget{qty("12", "5", nil)}}, StatusFarBehind},
		{"nothing expected yet", StatusInput{Reported: true, Targets: []StatusTarget{qty("1", "0", nil)}}, StatusOnTrack},
		{"late but on plan", StatusInput{Reported: true, Late: true, Targets: []StatusTarget{qty("12", "5", d("6"))}}, StatusBehind},
		{"late and far behind", StatusInput{Reported: true, Late: true, Targets: []StatusTarget{qty("12", "5", d("1"))}}, StatusFarBehind},
		{"all met", StatusInput{Reported: true, Targets: []StatusTarget{qty("12", "5", d("12")), rate("95", d("96"))}}, StatusDone},
		{"all met but late", StatusInput{Reported: true, Late: true, Targets: []StatusTarget{qty("12", "5", d("12"))}}, StatusBehind},
		{"levels held are not done before December", StatusInput{Reported: true, Targets: []StatusTarget{rate("95", d("96"))}}, StatusOnTrack},
		{"levels held in December", StatusInput{Reported: true, December: true, Targets: []StatusTarget{rate("95", d("96"))}}, StatusDone},
		{"rate under its level", StatusInput{Reported: true, Targets: []StatusTarget{rate("95", d("80"))}}, StatusBehind},
		{"at most, under", StatusInput{Reported: true, Targets: []StatusTarget{atMost("10", d("8"))}}, StatusOnTrack},
		{"at most, well over", StatusInput{Reported: true, Targets: []StatusTarget{atMost("10", d("20"))}}, StatusFarBehind},
		{"no targets, reported", StatusInput{Reported: true}, StatusOnTrack},
		{"more than: equal is not met", StatusInput{Reported: true, Targets: []StatusTarget{{Kind: KindQuantity, Comparator: MoreThan, Value: *d("10"), Expected: *d("10"), Actual: d("10")}}}, StatusOnTrack},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := StatusOf(tt.in); got != tt.want {
				t.Errorf("StatusOf = %s (%s), want %s (%s)", got, got.Label(), tt.want, tt.want.Label())
			}
		})
	}
}

func TestStatusLabels(t *testing.T) {
	want := map[Status]string{StatusDone: "已完成", StatusOnTrack: "正常", StatusBehind: "滞后", StatusFarBehind: "严重滞后", StatusNotReported: "未报送", StatusDue: "临期"}
	for _, s := range Statuses {
		if s.Label() != want[s] || !s.Valid() {
			t.Errorf("%s: label %q", s, s.Label())
		}
	}
	if Status("x").Valid() {
		t.Error("unknown status is valid")
	}
}
