package supervise

import (
	"math"
	"strconv"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// Forecast methods.
const (
	ForecastLinear = "linear" // least squares on the cumulative series
	ForecastLevel  = "level"  // a level to hold: the latest value stands
	ForecastNone   = "none"   // nothing reported yet, or a yes/no milestone
)

// Forecast is a target's projected year-end value.
type Forecast struct {
	TargetID string        `json:"target_id"`
	Metric   string        `json:"metric"`
	Unit     string        `json:"unit"`
	Value    plan.Decimal  `json:"value"`  // the annual target
	Latest   *plan.Decimal `json:"latest"` // the latest reported value
	// Projected is the value expected at the end of December; nil when
	// Method is ForecastNone.
	Projected *plan.Decimal `json:"projected"`
	Method    string        `json:"method"`
	// Points is the number of reported months the projection rests on.
	Points int `json:"points"`
	// Miss: the projection does not meet the annual target.
	Miss bool `json:"miss"`
}

// ForecastTarget projects a target's year-end value from the months
// reported through the dashboard's month:
//
//   - a running total (quantity, progress) is fitted by ordinary least
//     squares to the points (0, 0) — the year starts from nothing — and
//     (m, value reported for month m) for every month m with a report,
//     and the line is read at m = 12. The projection is never below the
//     latest value (a running total does not fall) and a percentage is
//     capped at 100. One report is thus extrapolated at its average pace
//     (value × 12 / m); several follow the trend of all of them, so one
//     early burst or a slow start weighs less than the pace since.
//   - a level (rate, standard, or a target "at most"): the latest value,
//     since it is held rather than built up.
//   - a milestone (yes/no) or a target with nothing reported: no
//     projection, and no warning.
//
// Miss is set when the projection does not meet the target under its
// comparator (plan.Met).
func ForecastTarget(t *plan.TargetRecord, months []store.TargetMonth) Forecast {
	f := Forecast{TargetID: t.ID, Metric: t.Metric, Unit: t.Unit, Value: t.Value, Method: ForecastNone}
	var xs, ys []float64
	for _, m := range months {
		if m.Actual != nil {
			f.Latest = m.Actual
			v, _ := m.Actual.Float64()
			xs, ys = append(xs, float64(m.Month)), append(ys, v)
		}
	}
	f.Points = len(xs)
	if f.Latest == nil || t.Kind == plan.KindMilestone {
		return f
	}
	lower := t.Comparator == plan.AtMost || t.Comparator == plan.LessThan
	if !t.Cumulative() || lower {
		f.Method, f.Projected = ForecastLevel, f.Latest
		f.Miss = !plan.Met(t, f.Latest)
		return f
	}
	xs, ys = append([]float64{0}, xs...), append([]float64{0}, ys...)
	y := LinearAt(xs, ys, 12)
	latest, _ := f.Latest.Float64()
	y = math.Max(y, latest)
	if t.Percent() {
		y = math.Min(y, 100)
	}
	d, err := plan.ParseDecimal(strconv.FormatFloat(y, 'f', 2, 64))
	if err != nil {
		return f
	}
	if d.LessThan(f.Latest.Decimal) {
		d = *f.Latest
	}
	f.Method, f.Projected = ForecastLinear, &d
	f.Miss = !plan.Met(t, f.Projected)
	return f
}

// LinearAt fits y = a + b·x by ordinary least squares and returns the
// line's value at x. With one point it returns that point's y; with no
// points, 0.
func LinearAt(xs, ys []float64, x float64) float64 {
	n := float64(len(xs))
	switch len(xs) {
	case 0:
		return 0
	case 1:
		return ys[0]
	}
	var sx, sy, sxx, sxy float64
	for i := range xs {
		sx += xs[i]
		sy += ys[i]
		sxx += xs[i] * xs[i]
		sxy += xs[i] * ys[i]
	}
	den := n*sxx - sx*sx
	if den == 0 {
		return sy / n
	}
	b := (n*sxy - sx*sy) / den
	a := (sy - b*sx) / n
	return a + b*x
}

// ProjectForecast is a project's forecasts and its early warning.
type ProjectForecast struct {
	ProjectID string     `json:"project_id"`
	Targets   []Forecast `json:"targets"`
	// Warning (预警): the project is green this month but some target's
	// projection misses its annual value.
	Warning bool `json:"warning"`
}

// Forecasts projects every target of every project of a timeline at its
// Through month, with the early-warning flag for projects still on plan.
func Forecasts(tl *Timeline) map[string]ProjectForecast {
	out := map[string]ProjectForecast{}
	for i := range tl.Projects {
		p := &tl.Projects[i]
		line := tl.Line(p.ID)
		if line == nil {
			continue
		}
		pf := ProjectForecast{ProjectID: p.ID}
		byID := map[string]*plan.TargetRecord{}
		for j := range p.Targets {
			byID[p.Targets[j].ID] = &p.Targets[j]
		}
		miss := false
		for _, dt := range line.Targets {
			t := byID[dt.TargetID]
			if t == nil {
				continue
			}
			f := ForecastTarget(t, dt.Months)
			miss = miss || f.Miss
			pf.Targets = append(pf.Targets, f)
		}
		if st := tl.Status(p.ID, tl.Through); st != nil && st.Status == plan.StatusOnTrack && miss {
			pf.Warning = true
		}
		out[p.ID] = pf
	}
	return out
}
