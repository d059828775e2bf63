package plan

import (
	"encoding/json"
	"testing"
	"time"
)

func TestParsePeriod(t *testing.T) {
	tests := []struct {
		in      string
		want    Period
		wantErr bool
	}{
		{"2024-05", Period{2024, time.May}, false},
		{"2024-12", Period{2024, time.December}, false},
		{"2024-13", Period{}, true},
		{"2024-00", Period{}, true},
		{"2024-5", Period{}, true},
		{"202405", Period{}, true},
		{"abcd-ef", Period{}, true},
		{"", Period{}, true},
	}
	for _, tt := range tests {
		got, err := ParsePeriod(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParsePeriod(%q) = %v, %v; want %v, err=%v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err != nil && ErrorCode(err) != EInvalid {
			t.Errorf("ParsePeriod(%q) error code %q, want invalid", tt.in, ErrorCode(err))
		}
	}
}

func TestPeriodArithmetic(t *testing.T) {
	tests := []struct{ p, next, prev string }{
		{"2024-05", "2024-06", "2024-04"},
		{"2024-12", "2025-01", "2024-11"},
		{"2024-01", "2024-02", "2023-12"},
	}
	for _, tt := range tests {
		p := MustPeriod(tt.p)
		if got := p.Next().String(); got != tt.next {
			t.Errorf("%s.Next() = %s, want %s", tt.p, got, tt.next)
		}
		if got := p.Prev().String(); got != tt.prev {
			t.Errorf("%s.Prev() = %s, want %s", tt.p, got, tt.prev)
		}
		if !p.Prev().Before(p) || p.Before(p.Prev()) {
			t.Errorf("%s: Before is wrong", tt.p)
		}
	}
}

func TestPeriodDue(t *testing.T) {
	p := MustPeriod("2024-12")
	due := p.DueDate(0) // default: the 5th of next month
	if want := time.Date(2025, 1, 5, 0, 0, 0, 0, Shanghai); !due.Equal(want) {
		t.Fatalf("DueDate = %v, want %v", due, want)
	}
	tests := []struct {
		at   time.Time
		late bool
	}{
		{time.Date(2025, 1, 5, 23, 59, 59, 0, Shanghai), false},
		{time.Date(2025, 1, 6, 0, 0, 0, 0, Shanghai), true},
		// 2025-01-05 16:30 UTC is 06 00:30 in Shanghai: late.
		{time.Date(2025, 1, 5, 16, 30, 0, 0, time.UTC), true},
		{time.Date(2025, 1, 5, 15, 30, 0, 0, time.UTC), false},
	}
	for _, tt := range tests {
		if got := p.IsLate(tt.at, DefaultDueDay); got != tt.late {
			t.Errorf("IsLate(%v) = %v, want %v", tt.at, got, tt.late)
		}
	}
	if got := MustPeriod("2024-05").DueDate(10); got.Day() != 10 || got.Month() != time.June {
		t.Errorf("configurable due day: got %v", got)
	}
	// The month of an instant is taken in Shanghai: 2024-05-31 17:00 UTC is June 1st there.
	if got := PeriodOf(time.Date(2024, 5, 31, 17, 0, 0, 0, time.UTC)).String(); got != "2024-06" {
		t.Errorf("PeriodOf = %s, want 2024-06", got)
	}
}

func TestPeriodJSON(t *testing.T) {
	var v struct {
		P Period `json:"p"`
	}
	if err := json.Unmarshal([]byte(`{"p":"2024-05"}`), &v); err != nil || v.P != MustPeriod("2024-05") {
		t.Fatalf("unmarshal: %v %v", v.P, err)
	}
	b, _ := json.Marshal(v)
	if string(b) != `{"p":"2024-05"}` {
		t.Fatalf("marshal: %s", b)
	}
	if err := json.Unmarshal([]byte(`{"p":"2024-5"}`), &v); err == nil {
		t.Fatal("bad period accepted")
	}
}
