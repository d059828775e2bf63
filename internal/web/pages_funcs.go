package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"minsheng/internal/plan"
)

// pageFuncs are the template functions of every page.
var pageFuncs = template.FuncMap{
	"num":            formatNum,
	"wan":            formatWan,
	"pct":            formatPct,
	"pctw":           pctWidth,
	"pctleft":        pctLeft,
	"datetime":       formatDateTime,
	"date":           formatDate,
	"cndate":         chineseDate,
	"mergeArgs":      mergeArgs, // pages_votes.go
	"join":           func(xs []string) string { return strings.Join(xs, "、") },
	"add":            func(a, b int) int { return a + b },
	"status":         func(s plan.Status) plan.Status { return s },
	"statusOf":       func(s string) plan.Status { return plan.Status(s) },
	"months":         func() []int { return []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12} },
	"subprojectName": subprojectName,
	"comparator": func(c string) string {
		return comparatorLabels[c]
	},
	"kindLabel":   func(k string) string { return kindLabels[k] },
	"sourceLabel": sourceLabel,
	"severity": func(s string) string {
		switch s {
		case plan.SeverityError:
			return "错误"
		case plan.SeverityWarning:
			return "警告"
		}
		return "信息"
	},
	"deref": func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	},
	"str": func(v any) string { return fmt.Sprint(v) },
	// isImage: an attachment shown as a thumbnail.
	"isImage": func(a plan.Attachment) bool { return strings.HasPrefix(a.ContentType, "image/") },
}

var comparatorLabels = map[string]string{
	plan.AtLeast: "不少于", plan.MoreThan: "超过", plan.AtMost: "不超过", plan.LessThan: "低于", plan.Exactly: "达到", plan.About: "约",
}

var kindLabels = map[string]string{
	plan.KindQuantity: "数量", plan.KindRate: "比率", plan.KindStandard: "标准", plan.KindProgress: "工程进度", plan.KindMilestone: "节点",
}

// sourceLabel says where an expected value came from.
func sourceLabel(src string) string {
	switch src {
	case plan.BaselineMonthlyPlan:
		return "按已审核的月度计划"
	case plan.BaselineLinear:
		return "按序时进度"
	case plan.BaselineConstant:
		return "全年保持"
	case plan.BaselineYearEnd:
		return "年底前完成"
	}
	return ""
}

// decOf accepts the decimal shapes templates meet.
func decOf(v any) (decimal.Decimal, bool) {
	switch x := v.(type) {
	case plan.Decimal:
		return x.Decimal, true
	case *plan.Decimal:
		if x == nil {
			return decimal.Decimal{}, false
		}
		return x.Decimal, true
	case decimal.Decimal:
		return x, true
	case float64:
		return decimal.NewFromFloat(x), true
	case int:
		return decimal.NewFromInt(int64(x)), true
	}
	return decimal.Decimal{}, false
}

// formatNum prints a value with thousands separators and at most two
// decimals (four below 1, so that 0.0833 亿元 still shows); "—" for none.
func formatNum(v any) string {
	d, ok := decOf(v)
	if !ok {
		return "—"
	}
	places := int32(2)
	if d.Abs().LessThan(decimal.NewFromInt(1)) {
		places = 4
	}
	return groupDigits(d.Round(places).String())
}

// formatWan prints an amount of 万元 with two decimals at most.
func formatWan(v any) string {
	d, ok := decOf(v)
	if !ok {
		return "—"
	}
	return groupDigits(d.Round(2).String())
}

func groupDigits(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String()
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// formatPct prints a ratio (0.452) as 45.2%.
func formatPct(r float64) string {
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return "—"
	}
	return strconv.FormatFloat(math.Round(r*1000)/10, 'f', -1, 64) + "%"
}

// pctWidth is a ratio as a CSS width, clamped to 0–100%.
func pctWidth(r float64) template.CSS {
	if math.IsNaN(r) || r < 0 {
		r = 0
	}
	if r > 1 {
		r = 1
	}
	return template.CSS(fmt.Sprintf("width:%.1f%%", r*100))
}

// pctLeft is a ratio as a CSS left offset, clamped to 0–100%.
func pctLeft(r float64) template.CSS {
	if math.IsNaN(r) || r < 0 {
		r = 0
	}
	if r > 1 {
		r = 1
	}
	return template.CSS(fmt.Sprintf("left:%.1f%%", r*100))
}

func formatDateTime(t any) string {
	switch x := t.(type) {
	case time.Time:
		if x.IsZero() {
			return "—"
		}
		return x.In(plan.Shanghai).Format("2006-01-02 15:04")
	case *time.Time:
		if x == nil || x.IsZero() {
			return "—"
		}
		return x.In(plan.Shanghai).Format("2006-01-02 15:04")
	}
	return "—"
}

func formatDate(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(plan.Shanghai).Format("2006-01-02")
}

// ratio divides two decimals as floats for display (bars, percentages).
func ratio(a, b decimal.Decimal) float64 {
	fb, _ := b.Float64()
	if fb == 0 {
		return math.NaN()
	}
	fa, _ := a.Float64()
	return fa / fb
}

// chart is what static/app.js draws with ECharts, and what the page shows
// as a table when scripts are off. Values are floats: a chart only shows
// them; the exact decimals are in the tables.
type chart struct {
	ID         string        `json:"-"`
	Title      string        `json:"title,omitempty"`
	Type       string        `json:"type"` // line, bar, donut, hbar
	Unit       string        `json:"unit,omitempty"`
	Categories []string      `json:"categories,omitempty"`
	Series     []chartSeries `json:"series,omitempty"`
	Items      []chartItem   `json:"items,omitempty"`
	// Caption is shown under the chart and in print.
	Caption string `json:"-"`
	// Label names the chart for screen readers when it has no title.
	Label string `json:"-"`
}

type chartSeries struct {
	Name   string     `json:"name"`
	Kind   string     `json:"kind,omitempty"` // line (default) or bar
	Color  string     `json:"color,omitempty"`
	Dashed bool       `json:"dashed,omitempty"`
	Data   []*float64 `json:"data"`
}

type chartItem struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Color string  `json:"color,omitempty"`
}

// JSON is the chart for the data-chart attribute.
func (c *chart) JSON() string {
	b, _ := json.Marshal(c)
	return string(b)
}

// Rows are the chart's data as table rows: one per category (or item).
func (c *chart) Rows() [][]string {
	var rows [][]string
	if len(c.Items) > 0 {
		for _, it := range c.Items {
			rows = append(rows, []string{it.Name, formatNum(it.Value)})
		}
		return rows
	}
	for i, cat := range c.Categories {
		row := []string{cat}
		for _, s := range c.Series {
			v := "—"
			if i < len(s.Data) && s.Data[i] != nil {
				v = formatNum(*s.Data[i])
			}
			row = append(row, v)
		}
		rows = append(rows, row)
	}
	return rows
}

// Heads are the table's column heads.
func (c *chart) Heads() []string {
	if len(c.Items) > 0 {
		return []string{"类别", "数量"}
	}
	h := []string{""}
	for _, s := range c.Series {
		name := s.Name
		if c.Unit != "" {
			name += "（" + c.Unit + "）"
		}
		h = append(h, name)
	}
	return h
}

func floatOf(d *plan.Decimal) *float64 {
	if d == nil {
		return nil
	}
	f, _ := d.Float64()
	return &f
}

func monthNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = strconv.Itoa(i+1) + "月"
	}
	return out
}

// Status colours: the traffic lights of DESIGN.md, also in app.css.
var statusColors = map[plan.Status]string{
	plan.StatusDone:        "#1b5e20",
	plan.StatusOnTrack:     "#43a047",
	plan.StatusBehind:      "#f9a825",
	plan.StatusFarBehind:   "#d32f2f",
	plan.StatusNotReported: "#9e9e9e",
	plan.StatusDue:         "#1e88e5",
}

const (
	colorAccent  = "#1f4e8c"
	colorPlanned = "#8a94a6"
	colorActual  = "#1f4e8c"
	colorDisb    = "#43a047"
)
