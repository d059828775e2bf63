package plan

import (
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Inspection is an on-site visit (实地督查) of the supervision office to a
// project: who went, when and where, and what they found against the
// figures the lead unit last reported. A visit that finds less than was
// reported, beyond the tolerance, is discrepant (核查不符): the reports it
// checked are marked, and the escalation ladder may start from it.
type Inspection struct {
	ID               string              `json:"id"`
	ProjectID        string              `json:"project_id"`
	ProjectSeq       int                 `json:"project_seq"`
	ProjectTitle     string              `json:"project_title"`
	JurisdictionCode string              `json:"jurisdiction_code"`
	Year             int                 `json:"year"`
	Date             string              `json:"date"` // 2024-10-15, the day of the visit (Asia/Shanghai)
	Inspectors       []string            `json:"inspectors"`
	Place            string              `json:"place"`
	Narrative        string              `json:"narrative"`
	Findings         []InspectionFinding `json:"findings"`
	Photos           []Attachment        `json:"photos"`
	// Discrepant is set when a finding is short beyond the tolerance.
	Discrepant bool `json:"discrepant"`
	// LetterID is the 提示函/督办函 the visit started, if any.
	LetterID  string    `json:"letter_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

// InspectionFinding is what the inspectors found for one target, beside
// the figure last reported for it (a snapshot taken when the visit was
// recorded: a later correction of the report does not rewrite the visit).
type InspectionFinding struct {
	TargetID string `json:"target_id"`
	Metric   string `json:"metric"`
	Unit     string `json:"unit"`
	// Period is the month of the report whose figure was checked; zero when
	// nothing had been reported.
	Period   Period   `json:"period"`
	Reported *Decimal `json:"reported"`
	Found    Decimal  `json:"found"`
	Note     string   `json:"note,omitempty"`
	// Short is set when Found falls below Reported by more than the
	// tolerance; Shortfall is Reported − Found then.
	Short     bool     `json:"short"`
	Shortfall *Decimal `json:"shortfall,omitempty"`
}

// ShortRatio is the share of the reported figure the visit did not find
// (0.25 for 1200 reported, 900 found); 0 when not short.
func (f *InspectionFinding) ShortRatio() float64 {
	if !f.Short || f.Reported == nil || !f.Reported.IsPositive() || f.Shortfall == nil {
		return 0
	}
	s, _ := f.Shortfall.Float64()
	r, _ := f.Reported.Float64()
	return s / r
}

// InspectionInput is a visit as the supervisor records it.
type InspectionInput struct {
	Date       string            `json:"date"`
	Inspectors []string          `json:"inspectors"`
	Place      string            `json:"place"`
	Narrative  string            `json:"narrative"`
	Findings   []InspectionFound `json:"findings"`
	// Escalate asks the ladder to draft a letter when the visit is
	// discrepant (the default on the form).
	Escalate bool `json:"escalate"`
}

// InspectionFound is one figure found on site.
type InspectionFound struct {
	TargetID string   `json:"target_id"`
	Found    *Decimal `json:"found"`
	Note     string   `json:"note"`
}

// Limits of a visit's texts.
const (
	maxInspectors     = 20
	maxInspectionText = 5000
)

// Validate checks a visit against the project's targets and the clock
// (a visit cannot be in the future, nor outside the project's year), with
// every problem named by field.
func (in *InspectionInput) Validate(targets []TargetRecord, year int, now time.Time) error {
	var ps Problems
	d, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(in.Date), Shanghai)
	switch {
	case err != nil:
		ps.errorf("date", "督查日期应写作 2024-10-15，而不是「%s」", in.Date)
	case d.Year() != year:
		ps.errorf("date", "督查日期应在项目所属的 %d 年度内", year)
	case d.After(now.In(Shanghai)):
		ps.errorf("date", "督查日期 %s 晚于今天", in.Date)
	}
	var names []string
	for _, n := range in.Inspectors {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	in.Inspectors = names
	switch {
	case len(names) == 0:
		ps.errorf("inspectors", "请填写督查人员")
	case len(names) > maxInspectors:
		ps.errorf("inspectors", "督查人员不能超过 %d 人", maxInspectors)
	}
	for _, n := range names {
		if len([]rune(n)) > 50 {
			ps.errorf("inspectors", "督查人员姓名「%s」过长", n)
		}
	}
	in.Place = strings.TrimSpace(in.Place)
	if in.Place == "" {
		ps.errorf("place", "请填写督查地点")
	} else if len([]rune(in.Place)) > 200 {
		ps.errorf("place", "督查地点不能超过 200 字")
	}
	if len([]rune(in.Narrative)) > maxInspectionText {
		ps.errorf("narrative", "督查情况说明不能超过 %d 字", maxInspectionText)
	}
	known := map[string]*TargetRecord{}
	for i := range targets {
		known[targets[i].ID] = &targets[i]
	}
	seen := map[string]bool{}
	var kept []InspectionFound
	for i, f := range in.Findings {
		field := "findings[" + strconv.Itoa(i) + "]"
		t := known[f.TargetID]
		switch {
		case t == nil:
			ps.errorf(field+".target_id", "目标「%s」不属于该项目", f.TargetID)
			continue
		case seen[f.TargetID]:
			ps.errorf(field+".target_id", "目标「%s」重复填写", t.Metric)
			continue
		}
		seen[f.TargetID] = true
		if len([]rune(f.Note)) > 500 {
			ps.errorf(field+".note", "「%s」的核查说明不能超过 500 字", t.Metric)
		}
		if f.Found == nil {
			if strings.TrimSpace(f.Note) != "" {
				ps.errorf(field+".found", "「%s」填写了核查说明，请同时填写核查数", t.Metric)
			}
			continue // not checked on this visit
		}
		if f.Found.IsNegative() {
			ps.errorf(field+".found", "「%s」的核查数不能为负数", t.Metric)
		}
		kept = append(kept, f)
	}
	in.Findings = kept
	if len(kept) == 0 && strings.TrimSpace(in.Narrative) == "" {
		ps.errorf("narrative", "请至少填写一项核查数或督查情况说明")
	}
	return ps.Err()
}

// JudgeFinding compares what was found with what was reported: short when
// found < reported × (1 − tolerance) — or, for a target to be kept low
// (comparator <= or <, such as an unemployment rate), when found >
// reported × (1 + tolerance): the reality is worse than the report either
// way. Nothing reported is never short (the missing report is the status
// engine's business).
func JudgeFinding(f *InspectionFinding, comparator string, tolerance float64) {
	f.Short, f.Shortfall = false, nil
	if f.Reported == nil {
		return
	}
	if comparator == AtMost || comparator == LessThan {
		ceiling := f.Reported.Mul(Decimal{decimal.NewFromFloat(1 + tolerance)})
		if f.Found.GreaterThan(ceiling.Decimal) {
			d := f.Found.Sub(*f.Reported)
			f.Short, f.Shortfall = true, &d
		}
		return
	}
	floor := f.Reported.Mul(Decimal{decimal.NewFromFloat(1 - tolerance)})
	if f.Found.LessThan(floor.Decimal) {
		d := f.Reported.Sub(f.Found)
		f.Short, f.Shortfall = true, &d
	}
}

// ShortFindings are the findings of a visit that were short.
func (in *Inspection) ShortFindings() []InspectionFinding {
	var out []InspectionFinding
	for _, f := range in.Findings {
		if f.Short {
			out = append(out, f)
		}
	}
	return out
}

// Checks reports whether the visit found the report of period short: the
// report is then marked 核查不符.
func (in *Inspection) Checks(period Period) bool {
	for _, f := range in.Findings {
		if f.Short && f.Period == period {
			return true
		}
	}
	return false
}

// InspectionResource describes the visits of a project: the supervisor
// records them; the project's units, leaders and (for 人大票决 projects)
// deputies read them. They are not public.
func InspectionResource(p *ProjectRecord) Resource {
	r := ProjectResource(p)
	r.Kind = ResourceInspection
	return r
}
