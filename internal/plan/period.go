package plan

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// Shanghai is China Standard Time. A fixed UTC+8 zone rather than
// time.LoadLocation("Asia/Shanghai"): China has kept UTC+8 without daylight
// saving since 1991, and a fixed zone needs no tzdata on the servers of a
// government intranet.
var Shanghai = time.FixedZone("CST", 8*60*60)

// DefaultDueDay is the day of the following month by which a month's report
// is due, unless configured otherwise.
const DefaultDueDay = 5

// Period is a calendar month of reporting, in Shanghai time. The zero
// Period is invalid. It prints and stores as "2024-05", which also sorts
// correctly as text.
type Period struct {
	Year  int
	Month time.Month
}

// ParsePeriod reads "2024-05".
func ParsePeriod(s string) (Period, error) {
	var y, m int
	if len(s) != 7 || s[4] != '-' {
		return Period{}, FieldError("period", "月份格式应为 YYYY-MM（如 2024-05），而不是「%s」", s)
	}
	if _, err := fmt.Sscanf(s, "%4d-%2d", &y, &m); err != nil || y < 2000 || y > 2100 || m < 1 || m > 12 {
		return Period{}, FieldError("period", "月份格式应为 YYYY-MM（如 2024-05），而不是「%s」", s)
	}
	return Period{Year: y, Month: time.Month(m)}, nil
}

// MustPeriod is ParsePeriod for literals in code and tests.
func MustPeriod(s string) Period {
	p, err := ParsePeriod(s)
	if err != nil {
		panic(err)
	}
	return p
}

// PeriodOf returns the month that contains t in Shanghai time.
func PeriodOf(t time.Time) Period {
	t = t.In(Shanghai)
	return Period{Year: t.Year(), Month: t.Month()}
}

// IsZero reports whether p is the zero Period.
func (p Period) IsZero() bool { return p.Year == 0 && p.Month == 0 }

// Valid reports whether p names a real month.
func (p Period) Valid() bool {
	return p.Year >= 2000 && p.Year <= 2100 && p.Month >= 1 && p.Month <= 12
}

func (p Period) String() string { return fmt.Sprintf("%04d-%02d", p.Year, int(p.Month)) }

// Label is the Chinese name of the month, 2024年5月.
func (p Period) Label() string { return fmt.Sprintf("%d年%d月", p.Year, int(p.Month)) }

// Next returns the following month.
func (p Period) Next() Period {
	if p.Month == time.December {
		return Period{p.Year + 1, time.January}
	}
	return Period{p.Year, p.Month + 1}
}

// Prev returns the preceding month.
func (p Period) Prev() Period {
	if p.Month == time.January {
		return Period{p.Year - 1, time.December}
	}
	return Period{p.Year, p.Month - 1}
}

// Before reports whether p is an earlier month than q.
func (p Period) Before(q Period) bool {
	return p.Year < q.Year || p.Year == q.Year && p.Month < q.Month
}

// Start is the first instant of the month in Shanghai.
func (p Period) Start() time.Time { return time.Date(p.Year, p.Month, 1, 0, 0, 0, 0, Shanghai) }

// End is the first instant after the month.
func (p Period) End() time.Time { return p.Next().Start() }

// DueDate is the day the month's report is due: day dueDay of the next
// month, at midnight Shanghai (a report is on time through the whole of that
// day). A dueDay outside 1–28 falls back to DefaultDueDay so that every month
// has the day.
func (p Period) DueDate(dueDay int) time.Time {
	if dueDay < 1 || dueDay > 28 {
		dueDay = DefaultDueDay
	}
	n := p.Next()
	return time.Date(n.Year, n.Month, dueDay, 0, 0, 0, 0, Shanghai)
}

// LateAfter is the first instant at which the month's report is late.
func (p Period) LateAfter(dueDay int) time.Time { return p.DueDate(dueDay).AddDate(0, 0, 1) }

// IsLate reports whether a report submitted at t (or still not submitted
// at t) is late.
func (p Period) IsLate(t time.Time, dueDay int) bool { return !t.Before(p.LateAfter(dueDay)) }

// MarshalText writes "2024-05".
func (p Period) MarshalText() ([]byte, error) {
	if p.IsZero() {
		return []byte{}, nil
	}
	return []byte(p.String()), nil
}

// UnmarshalText reads "2024-05"; an empty text is the zero Period.
func (p *Period) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*p = Period{}
		return nil
	}
	q, err := ParsePeriod(string(b))
	if err != nil {
		return err
	}
	*p = q
	return nil
}

// Value stores the period as its text.
func (p Period) Value() (driver.Value, error) { return p.String(), nil }

// Scan reads a period stored as text.
func (p *Period) Scan(v any) error {
	switch x := v.(type) {
	case string:
		return p.UnmarshalText([]byte(x))
	case []byte:
		return p.UnmarshalText(x)
	case nil:
		*p = Period{}
		return nil
	}
	return fmt.Errorf("plan.Period: cannot scan %T", v)
}
