package store

import (
	"context"
	"database/sql"
	"strings"

	"minsheng/internal/plan"
)

// ProjectFilter selects projects for ListProjects; zero fields select all.
type ProjectFilter struct {
	// PlanID selects the projects a plan version published and that are
	// still in force under it: for the published version, its projects; a
	// superseded version's surviving projects point to its successor.
	PlanID           string
	JurisdictionCode string
	Year             int
	// UnitID selects projects the unit is named on (lead or responsible).
	UnitID string
	// IncludeRetired also lists projects a later version dropped.
	IncludeRetired bool
}

// GetProject returns a project with its units, all its targets (retired
// ones marked by RetiredBy) and its sub-projects in force. Published
// projects are public: no user is needed. Errors: not_found.
func (s *Store) GetProject(ctx context.Context, id string) (*plan.ProjectRecord, error) {
	var p *plan.ProjectRecord
	err := s.read(ctx, func(c conn) error {
		var err error
		p, err = getProject(c, id)
		return err
	})
	return p, err
}

func getProject(c conn, id string) (*plan.ProjectRecord, error) {
	ps, err := getProjects(c, []string{id})
	if err != nil {
		return nil, err
	}
	return &ps[0], nil
}

// getProjects is getProject of several projects, in the order of ids,
// with one look at the tables' generation.
func getProjects(c conn, ids []string) ([]plan.ProjectRecord, error) {
	var generation string
	if c.projects != nil {
		var err error
		if generation, err = projectsGeneration(c); err != nil {
			return nil, err
		}
	}
	out := make([]plan.ProjectRecord, 0, len(ids))
	for _, id := range ids {
		if c.projects != nil {
			if p := c.projects.get(id, generation); p != nil {
				out = append(out, *p)
				continue
			}
		}
		ps, err := loadProjects(c, "p.id = ?", []any{id}, true)
		if err != nil {
			return nil, err
		}
		if len(ps) == 0 {
			return nil, notFound("项目不存在")
		}
		if c.projects != nil {
			c.projects.put(generation, &ps[0])
		}
		out = append(out, ps[0])
	}
	return out, nil
}

// ListProjects returns the projects f selects, by jurisdiction, year and
// seq, each with units, targets and sub-projects.
func (s *Store) ListProjects(ctx context.Context, f ProjectFilter) ([]plan.ProjectRecord, error) {
	out, _, err := s.ProjectsPage(ctx, f, Page{})
	return out, err
}

// ProjectsPage is one page of ListProjects and the cursor of the next.
// Errors: invalid (cursor).
func (s *Store) ProjectsPage(ctx context.Context, f ProjectFilter, pg Page) ([]plan.ProjectRecord, string, error) {
	var where []string
	var args []any
	if f.PlanID != "" {
		where, args = append(where, "p.plan_id = ?"), append(args, f.PlanID)
	}
	if f.JurisdictionCode != "" {
		where, args = append(where, "p.jurisdiction_code = ?"), append(args, f.JurisdictionCode)
	}
	if f.Year != 0 {
		where, args = append(where, "p.year = ?"), append(args, f.Year)
	}
	if f.UnitID != "" {
		where, args = append(where, "p.id IN (SELECT project_id FROM project_units WHERE unit_id = ?)"), append(args, f.UnitID)
	}
	if !f.IncludeRetired {
		where = append(where, "p.retired_by = ''")
	}
	after, afterArgs, err := projectKeys.where(pg.After)
	if err != nil {
		return nil, "", err
	}
	where, args = append(where, after), append(args, afterArgs...)
	var out []plan.ProjectRecord
	err = s.read(ctx, func(c conn) error {
		var err error
		out, err = loadProjectsPage(c, strings.Join(where, " AND "), args, f.IncludeRetired, pg.limit())
		return err
	})
	if err != nil {
		return nil, "", err
	}
	out, next := cut(pg, out, func(p *plan.ProjectRecord) []any { return []any{p.JurisdictionCode, p.Year, p.RetiredBy, p.Seq, p.ID} })
	return out, next, nil
}

// projectKeys is the order of project lists.
var projectKeys = keyset{{"p.jurisdiction_code", false}, {"p.year", false}, {"p.retired_by", false}, {"p.seq", false}, {"p.id", false}}

// loadProjects reads the projects matching where (on alias p) and, in three
// more queries, their units, targets and sub-projects.
func loadProjects(c conn, where string, args []any, retiredTargets bool) ([]plan.ProjectRecord, error) {
	return loadProjectsPage(c, where, args, retiredTargets, "")
}

// loadProjectsPage is loadProjects of the first rows in projectKeys order
// that tail (Page.limit) keeps.
func loadProjectsPage(c conn, where string, args []any, retiredTargets bool, tail string) ([]plan.ProjectRecord, error) {
	rows, err := c.query(`SELECT p.id, p.plan_id, p.jurisdiction_code, p.year, p.seq, p.category_seq, p.category_title, p.title, p.text,
		p.tags, p.leaders, p.investment_wan, p.retired_by, p.created_at, p.updated_at
		FROM projects p WHERE `+where+projectKeys.orderBy()+tail, args...)
	if err != nil {
		return nil, err
	}
	var out []plan.ProjectRecord
	index := map[string]int{}
	for rows.Next() {
		var p plan.ProjectRecord
		var cat sql.NullInt64
		var tags, leaders, created, updated string
		var inv sql.NullString
		if err := rows.Scan(&p.ID, &p.PlanID, &p.JurisdictionCode, &p.Year, &p.Seq, &cat, &p.CategoryTitle, &p.Title, &p.Text,
			&tags, &leaders, &inv, &p.RetiredBy, &created, &updated); err != nil {
			rows.Close()
			return nil, err
		}
		if cat.Valid {
			n := int(cat.Int64)
			p.CategorySeq = &n
		}
		fromJSON(tags, &p.Tags)
		fromJSON(leaders, &p.Leaders)
		if p.Investment, err = scanDec(inv); err != nil {
			rows.Close()
			return nil, err
		}
		p.CreatedAt, p.UpdatedAt = parseTS(created), parseTS(updated)
		p.Units, p.Targets, p.Subprojects = []plan.ProjectUnit{}, []plan.TargetRecord{}, []plan.SubprojectRecord{}
		index[p.ID] = len(out)
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	sub := "SELECT p.id FROM projects p WHERE " + where
	if tail != "" {
		sub += projectKeys.orderBy() + tail
	}

	rows, err = c.query(`SELECT pu.project_id, pu.unit_id, u.name, pu.role FROM project_units pu JOIN units u ON u.id = pu.unit_id
		WHERE pu.project_id IN (`+sub+`) ORDER BY pu.project_id, pu.role, pu.position`, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var pid string
		var u plan.ProjectUnit
		if err := rows.Scan(&pid, &u.UnitID, &u.UnitName, &u.Role); err != nil {
			rows.Close()
			return nil, err
		}
		if i, ok := index[pid]; ok {
			out[i].Units = append(out[i].Units, u)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	tq := `SELECT ` + targetColumns + ` FROM targets t WHERE t.project_id IN (` + sub + `)`
	if !retiredTargets {
		tq += " AND t.retired_by = ''"
	}
	rows, err = c.query(tq+" ORDER BY t.project_id, t.retired_by, t.seq", args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		t, err := scanTarget(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if i, ok := index[t.ProjectID]; ok {
			out[i].Targets = append(out[i].Targets, t)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	rows, err = c.query(`SELECT id, project_id, seq, name, content, investment_wan, locations, years, expected, leaders, units
		FROM subprojects WHERE retired_by = '' AND project_id IN (`+sub+`) ORDER BY project_id, seq`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var sp plan.SubprojectRecord
		var content, inv, years, expected sql.NullString
		var locs, leaders, units string
		if err := rows.Scan(&sp.ID, &sp.ProjectID, &sp.Seq, &sp.Name, &content, &inv, &locs, &years, &expected, &leaders, &units); err != nil {
			return nil, err
		}
		sp.Content, sp.Years, sp.Expected = strPtr(content), strPtr(years), strPtr(expected)
		if sp.Investment, err = scanDec(inv); err != nil {
			return nil, err
		}
		fromJSON(locs, &sp.Locations)
		fromJSON(leaders, &sp.Leaders)
		fromJSON(units, &sp.Units)
		if i, ok := index[sp.ProjectID]; ok {
			out[i].Subprojects = append(out[i].Subprojects, sp)
		}
	}
	return out, rows.Err()
}

const targetColumns = "t.id, t.project_id, t.seq, t.text, t.metric, t.comparator, t.value, t.unit, t.base_value, t.base_unit, t.kind, t.subproject, t.retired_by"

func scanTarget(r interface{ Scan(...any) error }) (plan.TargetRecord, error) {
	var t plan.TargetRecord
	var value string
	var base, baseUnit, subproject sql.NullString
	if err := r.Scan(&t.ID, &t.ProjectID, &t.Seq, &t.Text, &t.Metric, &t.Comparator, &value, &t.Unit, &base, &baseUnit, &t.Kind, &subproject, &t.RetiredBy); err != nil {
		return t, err
	}
	var err error
	if t.Value, err = plan.ParseDecimal(value); err != nil {
		return t, err
	}
	if t.BaseValue, err = scanDec(base); err != nil {
		return t, err
	}
	t.BaseUnit, t.Subproject = strPtr(baseUnit), strPtr(subproject)
	return t, nil
}
