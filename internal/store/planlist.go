package store

import (
	"context"
	"strings"

	"minsheng/internal/plan"
)

// PlanSummary is a plan version in a list: what the list shows of its
// document, kept beside it (plans.summary) when the document is written,
// so that a list of thousands of plans reads no document.
type PlanSummary struct {
	ID               string            `json:"id"`
	State            plan.PlanState    `json:"state"`
	Version          int               `json:"version"`
	JurisdictionCode string            `json:"jurisdiction_code"`
	Jurisdiction     plan.Jurisdiction `json:"jurisdiction"`
	Year             int               `json:"year"`
	Title            string            `json:"title"`
	DocNumber        *string           `json:"doc_number"`
	Projects         int               `json:"project_count"`
	Findings         int               `json:"finding_count"`
}

// planSummaryJSON is what plans.summary holds of a document.
func planSummaryJSON(doc *plan.Plan) string {
	return toJSON(struct {
		Jurisdiction plan.Jurisdiction `json:"jurisdiction"`
		DocNumber    *string           `json:"doc_number"`
		Projects     int               `json:"project_count"`
		Findings     int               `json:"finding_count"`
	}{doc.Jurisdiction, doc.DocNumber, len(doc.Projects), len(doc.Findings)})
}

// planKeys is the order of PlanSummaries: newest year first, then by
// jurisdiction, newest version first.
var planKeys = keyset{{"year", true}, {"jurisdiction_code", false}, {"version", true}, {"id", false}}

// PlanSummaries returns one page of the plan versions f selects that actor
// may read (drafts are private to their jurisdiction), in planKeys order,
// and the cursor of the next page. Errors: invalid (cursor).
func (s *Store) PlanSummaries(ctx context.Context, actor *plan.User, f PlanFilter, pg Page) ([]PlanSummary, string, error) {
	after, where, err := planKeys.where(pg.After)
	if err != nil {
		return nil, "", err
	}
	conds, args := []string{after}, where
	if f.JurisdictionCode != "" {
		conds, args = append(conds, "jurisdiction_code = ?"), append(args, f.JurisdictionCode)
	}
	if f.Year != 0 {
		conds, args = append(conds, "year = ?"), append(args, f.Year)
	}
	if f.State != "" {
		conds, args = append(conds, "state = ?"), append(args, string(f.State))
	}
	var out []PlanSummary
	err = s.read(ctx, func(c conn) error {
		rows, err := c.query("SELECT id, state, version, jurisdiction_code, year, title, summary FROM plans WHERE "+
			strings.Join(conds, " AND ")+planKeys.orderBy()+pg.limit(), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var ps PlanSummary
			var summary string
			if err := rows.Scan(&ps.ID, &ps.State, &ps.Version, &ps.JurisdictionCode, &ps.Year, &ps.Title, &summary); err != nil {
				return err
			}
			if err := fromJSON(summary, &ps); err != nil {
				return err
			}
			out = append(out, ps)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, "", err
	}
	out, next := cut(pg, out, func(ps *PlanSummary) []any { return []any{ps.Year, ps.JurisdictionCode, ps.Version, ps.ID} })
	readable := out[:0]
	for _, ps := range out {
		if plan.Can(actor, plan.ActionRead, plan.PlanResource(&plan.PlanVersion{JurisdictionCode: ps.JurisdictionCode, State: ps.State})) {
			readable = append(readable, ps)
		}
	}
	return readable, next, nil
}
