package indicator

import (
	"minsheng/internal/plan"
)

// Column is one jurisdiction and year of a comparison. PlanID is its
// published plan, "" when it has none.
type Column struct {
	JurisdictionCode string `json:"jurisdiction_code"`
	JurisdictionName string `json:"jurisdiction_name"`
	Year             int    `json:"year"`
	PlanID           string `json:"plan_id,omitempty"`
}

// Cell is one indicator's value in one column: the target that sets it,
// or nothing (Value nil) when the plan sets no such standard.
type Cell struct {
	Column
	Value        *plan.Decimal `json:"value"`
	TargetID     string        `json:"target_id,omitempty"`
	ProjectID    string        `json:"project_id,omitempty"`
	ProjectTitle string        `json:"project_title,omitempty"`
	Metric       string        `json:"metric,omitempty"`
	Text         string        `json:"text,omitempty"`
	// Manual: a person mapped the target to the indicator.
	Manual bool `json:"manual,omitempty"`
	// Others are further values the same plan gives for the indicator
	// (it sets it twice): shown, so that the choice of Value is visible.
	Others []plan.Decimal `json:"others,omitempty"`
}

// Comparison is one indicator across the columns asked for.
type Comparison struct {
	Indicator Indicator `json:"indicator"`
	Cells     []Cell    `json:"cells"`
	// Set counts the columns whose plan sets the indicator.
	Set int `json:"set"`
}

// Compare lays out the indicators ids (all when empty) for the columns,
// from the targets ts. A column takes the first target of its plan, in
// document order, that measures the indicator — a manual mapping before
// the file's phrases, since a person looked at it.
func (s *Set) Compare(ts []Target, ids []string, cols []Column) []Comparison {
	if len(ids) == 0 {
		for _, ind := range s.list {
			ids = append(ids, ind.ID)
		}
	}
	type key struct {
		code string
		year int
		ind  string
	}
	found := map[key][]*Target{}
	for i := range ts {
		t := &ts[i]
		got, manual := s.Match(t)
		for _, id := range got {
			k := key{t.JurisdictionCode, t.Year, id}
			if manual {
				found[k] = append([]*Target{t}, found[k]...)
			} else {
				found[k] = append(found[k], t)
			}
		}
	}
	var out []Comparison
	for _, id := range ids {
		ind, ok := s.Get(id)
		if !ok {
			continue
		}
		c := Comparison{Indicator: ind, Cells: make([]Cell, len(cols))}
		for j, col := range cols {
			cell := Cell{Column: col}
			if col.PlanID != "" {
				if hits := found[key{col.JurisdictionCode, col.Year, id}]; len(hits) > 0 {
					t := hits[0]
					v := t.Value
					cell.Value, cell.TargetID, cell.ProjectID, cell.ProjectTitle = &v, t.TargetID, t.ProjectID, t.ProjectTitle
					cell.Metric, cell.Text, cell.Manual = t.Metric, t.Text, t.Override != nil
					for _, o := range hits[1:] {
						if o.Value.Cmp(v.Decimal) != 0 {
							cell.Others = append(cell.Others, o.Value)
						}
					}
					c.Set++
				}
			}
			c.Cells[j] = cell
		}
		out = append(out, c)
	}
	return out
}
