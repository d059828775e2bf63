package store

import "context"

// PublishedPlan is one published plan in the index of plans: which
// jurisdiction and year, without the document, which is large.
type PublishedPlan struct {
	ID               string `json:"id"`
	JurisdictionCode string `json:"jurisdiction_code"`
	JurisdictionName string `json:"jurisdiction_name"`
	Year             int    `json:"year"`
}

// PublishedPlans lists every published plan by jurisdiction code and
// year: what a page's jurisdiction selector needs, in one cheap query even
// with thousands of plans (ListPlans reads every document).
func (s *Store) PublishedPlans(ctx context.Context) ([]PublishedPlan, error) {
	var out []PublishedPlan
	err := s.read(ctx, func(c conn) error {
		rows, err := c.query(`SELECT p.id, p.jurisdiction_code, j.name, p.year FROM plans p
			JOIN jurisdictions j ON j.code = p.jurisdiction_code
			WHERE p.state = 'published' ORDER BY p.jurisdiction_code, p.year`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var pp PublishedPlan
			if err := rows.Scan(&pp.ID, &pp.JurisdictionCode, &pp.JurisdictionName, &pp.Year); err != nil {
				return err
			}
			out = append(out, pp)
		}
		return rows.Err()
	})
	return out, err
}
