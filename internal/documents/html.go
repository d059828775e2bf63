package documents

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"strings"

	"minsheng/internal/plan"
)

//go:embed templates/print.tmpl
var printFS embed.FS

// printTemplates are the printable HTML versions of letters and
// bulletins: one self-contained page each (styles inline, the chart an
// inline SVG, nothing loaded from elsewhere), laid out for A4 with the
// margins and type of GB/T 9704 under @media print.
var printTemplates = template.Must(template.New("print").Funcs(template.FuncMap{
	"join":        strings.Join,
	"dateOrBlank": dateOrBlank,
	"pct":         pct,
	"pct0":        pct0,
	"statusText":  statusText,
	"inc":         func(i int) int { return i + 1 },
	"month":       func(p plan.Period) int { return int(p.Month) },
	"statusChart": statusChart,
	"wan":         wanText,
	"lines": func(s string) []string {
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				out = append(out, l)
			}
		}
		return out
	},
}).ParseFS(printFS, "templates/print.tmpl"))

// WriteLetterHTML writes the letter as a printable HTML page.
func WriteLetterHTML(w io.Writer, d LetterDoc) error {
	return printTemplates.ExecuteTemplate(w, "letter", d)
}

// WriteBulletinHTML writes the bulletin as a printable HTML page.
func WriteBulletinHTML(w io.Writer, b Bulletin) error {
	return printTemplates.ExecuteTemplate(w, "bulletin", &b)
}

// Status colours, as the dashboard shows them.
var statusColors = map[plan.Status]string{
	plan.StatusDone:        "#1b5e20",
	plan.StatusOnTrack:     "#43a047",
	plan.StatusBehind:      "#f9a825",
	plan.StatusFarBehind:   "#d32f2f",
	plan.StatusNotReported: "#9e9e9e",
	plan.StatusDue:         "#1e88e5",
}

// statusChart draws the projects' statuses as one stacked bar with a
// legend, in SVG.
func statusChart(b *Bulletin) template.HTML {
	s := b.Summary
	counts := []struct {
		st plan.Status
		n  int
	}{{plan.StatusDone, s.Done}, {plan.StatusOnTrack, s.OnTrack}, {plan.StatusBehind, s.Behind},
		{plan.StatusFarBehind, s.FarBehind}, {plan.StatusNotReported, s.NotReported}, {plan.StatusDue, s.Due}}
	total := 0
	for _, c := range counts {
		total += c.n
	}
	var sb strings.Builder
	const width, barH = 560.0, 26.0
	sb.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 560 64" width="100%" role="img" aria-label="项目状态分布">`)
	x := 0.0
	for _, c := range counts {
		if c.n == 0 || total == 0 {
			continue
		}
		w := width * float64(c.n) / float64(total)
		fmt.Fprintf(&sb, `<rect x="%.1f" y="0" width="%.1f" height="%.0f" fill="%s"/>`, x, w, barH, statusColors[c.st])
		if w > 24 {
			fmt.Fprintf(&sb, `<text x="%.1f" y="17" fill="#fff" text-anchor="middle">%d</text>`, x+w/2, c.n)
		}
		x += w
	}
	lx := 0.0
	for _, c := range counts {
		fmt.Fprintf(&sb, `<rect x="%.0f" y="42" width="12" height="12" fill="%s"/><text x="%.0f" y="52">%s %d件</text>`,
			lx, statusColors[c.st], lx+16, template.HTMLEscapeString(c.st.Label()), c.n)
		lx += 93
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}
