package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"minsheng/internal/plan"
)

// Carry-over of multi-year projects into next year's plan (see
// plan.MatchCarryOver and plan.SetYearShare). On a draft plan the
// supervisor confirms or corrects which projects and sub-projects continue
// last year's published ones, and sets each multi-year sub-project's
// year-end share; saving writes this year's share into the draft's
// targets and keeps the decisions in carryover_links. Publishing the draft
// turns them into project_predecessors and subproject_predecessors, which
// the project page follows to show last year's reports and the progress
// across years.

// CarryOver is the carry-over of a draft (or published) plan.
type CarryOver struct {
	PlanID   string `json:"plan_id"`
	Year     int    `json:"year"`
	PrevYear int    `json:"prev_year"`
	// Prev are last year's published projects of the jurisdiction (none:
	// nothing to carry over, only this year's shares to set).
	Prev []plan.ProjectRecord `json:"-"`
	// Links are the saved decisions, or, before any is saved, the
	// proposals of plan.MatchCarryOver (Saved false).
	Links []plan.CarryLink `json:"links"`
	Saved bool             `json:"saved"`
	// Items are the plan's multi-year sub-projects.
	Items []plan.MultiYearItem `json:"items"`
	// Reached is, per last year's sub-project ID, the share of the whole
	// works (%) it had reached: before last year, plus last year's latest
	// reported progress.
	Reached map[string]plan.Decimal `json:"reached"`
}

// Link returns the link of a project (sub "") or sub-project of the plan.
func (c *CarryOver) Link(projectIndex int, sub string) *plan.CarryLink {
	for i := range c.Links {
		if c.Links[i].ProjectIndex == projectIndex && c.Links[i].Subproject == sub {
			return &c.Links[i]
		}
	}
	return nil
}

// PrevProject returns last year's project by ID, or nil.
func (c *CarryOver) PrevProject(id string) *plan.ProjectRecord {
	for i := range c.Prev {
		if c.Prev[i].ID == id {
			return &c.Prev[i]
		}
	}
	return nil
}

// GetCarryOver returns the carry-over of a plan version to those who may
// read it. Errors: not_found, forbidden.
func (s *Store) GetCarryOver(ctx context.Context, actor *plan.User, planID string) (*CarryOver, error) {
	var out *CarryOver
	err := s.read(ctx, func(c conn) error {
		pv, err := scanPlan(c.row("SELECT "+planColumns+" FROM plans WHERE id = ?", planID))
		if err != nil {
			return err
		}
		if !plan.Can(actor, plan.ActionRead, plan.PlanResource(pv)) {
			return notFound("计划不存在")
		}
		out, err = loadCarryOver(c, pv)
		return err
	})
	return out, err
}

func loadCarryOver(c conn, pv *plan.PlanVersion) (*CarryOver, error) {
	co := &CarryOver{PlanID: pv.ID, Year: pv.Year, PrevYear: pv.Year - 1, Items: plan.MultiYearItems(&pv.Document),
		Reached: map[string]plan.Decimal{}, Links: []plan.CarryLink{}}
	var err error
	if co.Prev, err = loadProjects(c, "p.jurisdiction_code = ? AND p.year = ? AND p.retired_by = ''", []any{pv.JurisdictionCode, pv.Year - 1}, false); err != nil {
		return nil, err
	}
	rows, err := c.query(`SELECT project_index, subproject, prev_project_id, prev_subproject_id, score, year_end, reached_before
		FROM carryover_links WHERE plan_id = ? ORDER BY project_index, subproject`, pv.ID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var l plan.CarryLink
		var score string
		var yearEnd, reached sql.NullString
		if err := rows.Scan(&l.ProjectIndex, &l.Subproject, &l.PrevProjectID, &l.PrevSubprojectID, &score, &yearEnd, &reached); err != nil {
			rows.Close()
			return nil, err
		}
		l.Score, _ = strconv.ParseFloat(score, 64)
		if l.YearEnd, err = scanDec(yearEnd); err != nil {
			rows.Close()
			return nil, err
		}
		if l.ReachedBefore, err = scanDec(reached); err != nil {
			rows.Close()
			return nil, err
		}
		co.Saved = true
		if l.ProjectIndex >= 0 {
			co.Links = append(co.Links, l)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if !co.Saved {
		co.Links = plan.MatchCarryOver(co.Prev, &pv.Document)
	}
	if co.Links == nil {
		co.Links = []plan.CarryLink{}
	}
	if co.Items == nil {
		co.Items = []plan.MultiYearItem{}
	}
	for _, p := range co.Prev {
		for _, sp := range p.Subprojects {
			if r, ok, err := reachedShare(c, &p, &sp); err != nil {
				return nil, err
			} else if ok {
				co.Reached[sp.ID] = r
			}
		}
	}
	return co, nil
}

// reachedShare is the share of the whole works (%) a sub-project had
// reached by the end of its year: what it carried in (its own predecessor
// link) plus the latest reported value of its progress target. ok is false
// for a sub-project without a progress target.
func reachedShare(c conn, p *plan.ProjectRecord, sp *plan.SubprojectRecord) (plan.Decimal, bool, error) {
	var tg *plan.TargetRecord
	for i, t := range p.Targets {
		if t.RetiredBy == "" && t.Kind == plan.KindProgress && t.Subproject != nil && *t.Subproject == sp.Name {
			tg = &p.Targets[i]
		}
	}
	if tg == nil {
		return plan.Decimal{}, false, nil
	}
	var before sql.NullString
	err := c.row("SELECT reached_before FROM subproject_predecessors WHERE subproject_id = ?", sp.ID).Scan(&before)
	if err != nil && err != sql.ErrNoRows {
		return plan.Decimal{}, false, err
	}
	total := plan.Decimal{}
	if d, err := scanDec(before); err != nil {
		return plan.Decimal{}, false, err
	} else if d != nil {
		total = *d
	}
	_, latest, err := lastReported(c, p.ID, tg.ID, strconv.Itoa(p.Year)+"-12")
	if err != nil {
		return plan.Decimal{}, false, err
	}
	if latest != nil {
		total = total.Add(*latest)
	}
	return total, true, nil
}

// SaveCarryOver records the supervisor's carry-over decisions on a draft
// (replacing earlier ones) and writes each multi-year sub-project's share
// for this year into the draft's targets (plan.SetYearShare: the year-end
// share less what last year's linked sub-project reached). rev is the
// draft's Rev the supervisor started from. Needs ActionEditPlan.
// Errors: invalid (a link to something that is not last year's, an index
// or name not in the draft, a share outside 0–100), conflict (stale rev,
// not a draft), not_found, forbidden.
func (s *Store) SaveCarryOver(ctx context.Context, actor *plan.User, planID string, rev int, links []plan.CarryLink) (*CarryOver, error) {
	var out *CarryOver
	err := s.write(ctx, actor, func(t *tx) error {
		pv, err := scanPlan(t.row("SELECT "+planColumns+" FROM plans WHERE id = ?", planID))
		if err != nil {
			return err
		}
		if err := plan.Authorize(actor, plan.ActionEditPlan, plan.PlanResource(pv)); err != nil {
			return err
		}
		if pv.State != plan.PlanDraft {
			return plan.Errorf(plan.EConflict, "计划已%s，不能再修改结转设置", pv.State.Label())
		}
		co, err := loadCarryOver(t.conn, pv)
		if err != nil {
			return err
		}
		doc := pv.Document
		doc.Projects = append([]plan.Project(nil), doc.Projects...)
		doc.Findings = append([]plan.Finding(nil), doc.Findings...)
		seen := map[string]bool{}
		var ps plan.Problems
		var kept []plan.CarryLink
		for i, l := range links {
			field := "links[" + strconv.Itoa(i) + "]"
			if l.ProjectIndex < 0 || l.ProjectIndex >= len(doc.Projects) {
				ps = append(ps, problemf(field+".project_index", "计划中没有第 %d 个项目", l.ProjectIndex+1))
				continue
			}
			np := &doc.Projects[l.ProjectIndex]
			key := strconv.Itoa(l.ProjectIndex) + "|" + l.Subproject
			if seen[key] {
				ps = append(ps, problemf(field, "「%s」重复设置", cmpName(np.Title, l.Subproject)))
				continue
			}
			seen[key] = true
			if l.Subproject != "" && !hasSubproject(np, l.Subproject) {
				ps = append(ps, problemf(field+".subproject", "项目「%s」没有子项目「%s」", np.Title, l.Subproject))
				continue
			}
			l.ReachedBefore = nil
			if l.PrevProjectID != "" {
				pp := co.PrevProject(l.PrevProjectID)
				if pp == nil {
					ps = append(ps, problemf(field+".prev_project_id", "「%s」关联的不是 %d 年已发布计划中的项目", cmpName(np.Title, l.Subproject), co.PrevYear))
					continue
				}
				if l.Subproject == "" {
					l.PrevSubprojectID = ""
				} else {
					if l.PrevSubprojectID == "" || !hasSubprojectID(pp, l.PrevSubprojectID) {
						ps = append(ps, problemf(field+".prev_subproject_id", "子项目「%s」关联的不是 %d 年项目「%s」的子项目", l.Subproject, co.PrevYear, pp.Title))
						continue
					}
					if r, ok := co.Reached[l.PrevSubprojectID]; ok {
						l.ReachedBefore = &r
					}
				}
			} else {
				l.PrevSubprojectID = ""
			}
			if l.YearEnd != nil {
				if l.Subproject == "" {
					ps = append(ps, problemf(field+".year_end", "本年度工程量比例只对跨年度子项目设置"))
					continue
				}
				before := plan.Decimal{}
				if l.ReachedBefore != nil {
					before = *l.ReachedBefore
				}
				if l.YearEnd.LessThan(before.Decimal) {
					ps = append(ps, problemf(field+".year_end", "子项目「%s」年末累计比例 %s%% 低于上年末已完成的 %s%%", l.Subproject, l.YearEnd, before))
					continue
				}
				if err := plan.SetYearShare(&doc, l.ProjectIndex, l.Subproject, *l.YearEnd, before); err != nil {
					var pe *plan.Error
					if errors.As(err, &pe) {
						ps = append(ps, problemf(field+".year_end", "%s", pe.Message))
						continue
					}
					return err
				}
			}
			if l.PrevProjectID == "" && l.YearEnd == nil {
				continue // nothing to keep: new, with the document's figures
			}
			kept = append(kept, l)
		}
		if err := ps.Err(); err != nil {
			return err
		}
		if _, err := t.exec("DELETE FROM carryover_links WHERE plan_id = ?", pv.ID); err != nil {
			return err
		}
		// The row of index -1 records that the decisions were saved, so
		// that "nothing continues" is not taken for "not yet reviewed".
		kept = append([]plan.CarryLink{{ProjectIndex: -1}}, kept...)
		for _, l := range kept {
			if _, err := t.exec(`INSERT INTO carryover_links (plan_id, project_index, subproject, prev_project_id, prev_subproject_id, score, year_end, reached_before)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, pv.ID, l.ProjectIndex, l.Subproject, l.PrevProjectID, l.PrevSubprojectID,
				strconv.FormatFloat(l.Score, 'f', 3, 64), decPtr(l.YearEnd), decPtr(l.ReachedBefore)); err != nil {
				return err
			}
		}
		after, err := t.replaceDraft(pv, rev, &doc, "plan.carryover")
		if err != nil {
			return err
		}
		if err := t.audit("plan.carryover.links", "plan", pv.ID, nil, map[string]any{"links": kept[1:]}); err != nil {
			return err
		}
		out, err = loadCarryOver(t.conn, after)
		return err
	})
	return out, err
}

func problemf(field, format string, args ...any) plan.Problem {
	return plan.Problem{Field: field, Message: fmt.Sprintf(format, args...), Severity: plan.ProblemError}
}

func cmpName(project, sub string) string {
	if sub == "" {
		return project
	}
	return sub
}

func hasSubproject(p *plan.Project, name string) bool {
	for _, s := range p.Subprojects {
		if s.Name == name {
			return true
		}
	}
	return false
}

func hasSubprojectID(p *plan.ProjectRecord, id string) bool {
	for _, s := range p.Subprojects {
		if s.ID == id && s.RetiredBy == "" {
			return true
		}
	}
	return false
}

// applyCarryOver turns a plan's saved carry-over links into predecessor
// rows of the projects and sub-projects just published (PublishPlan).
func (t *tx) applyCarryOver(pv *plan.PlanVersion) error {
	rows, err := t.query(`SELECT project_index, subproject, prev_project_id, prev_subproject_id, reached_before FROM carryover_links
		WHERE plan_id = ? AND project_index >= 0 AND prev_project_id <> '' ORDER BY project_index, subproject`, pv.ID)
	if err != nil {
		return err
	}
	type row struct {
		index             int
		sub, prevP, prevS string
		reached           sql.NullString
	}
	var rs []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.index, &r.sub, &r.prevP, &r.prevS, &r.reached); err != nil {
			rows.Close()
			return err
		}
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range rs {
		var projectID string
		if err := t.row("SELECT id FROM projects WHERE plan_id = ? AND doc_index = ? AND retired_by = ''", pv.ID, r.index).Scan(&projectID); err != nil {
			return err
		}
		if r.sub == "" {
			if _, err := t.exec("DELETE FROM project_predecessors WHERE project_id = ?", projectID); err != nil {
				return err
			}
			if _, err := t.exec("INSERT INTO project_predecessors (project_id, prev_project_id) VALUES (?, ?)", projectID, r.prevP); err != nil {
				return err
			}
			continue
		}
		var subID string
		if err := t.row("SELECT id FROM subprojects WHERE project_id = ? AND name = ? AND retired_by = ''", projectID, r.sub).Scan(&subID); err != nil {
			return err
		}
		if _, err := t.exec("DELETE FROM subproject_predecessors WHERE subproject_id = ?", subID); err != nil {
			return err
		}
		if _, err := t.exec("INSERT INTO subproject_predecessors (subproject_id, prev_subproject_id, reached_before) VALUES (?, ?, ?)",
			subID, r.prevS, r.reached); err != nil {
			return err
		}
	}
	if len(rs) == 0 {
		return nil
	}
	return t.audit("plan.carryover.apply", "plan", pv.ID, nil, map[string]any{"links": len(rs)})
}

// History is a project's past: the projects of earlier years it continues
// (nearest first) and, per sub-project that continues one, the progress
// across years.
type History struct {
	Prev        []plan.ProjectRecord `json:"prev"`
	Subprojects []SubprojectHistory  `json:"subprojects"`
}

// SubprojectHistory is a continuing sub-project's progress across years,
// as shares (%) of the whole works.
type SubprojectHistory struct {
	SubprojectID     string        `json:"subproject_id"`
	Name             string        `json:"name"`
	Years            string        `json:"years"`
	PrevProjectID    string        `json:"prev_project_id"`
	PrevSubprojectID string        `json:"prev_subproject_id"`
	PrevName         string        `json:"prev_name"`
	ReachedBefore    *plan.Decimal `json:"reached_before"` // by the end of last year, as saved; nil when last year had no split
	YearTarget       *plan.Decimal `json:"year_target"`    // this year's share
	YearActual       *plan.Decimal `json:"year_actual"`    // this year's latest reported
	Cumulative       plan.Decimal  `json:"cumulative"`     // reached before + this year's
}

// ProjectHistory returns a project's history across years. Public
// structure (projects are public); the figures are of submitted or
// accepted reports only. Errors: not_found.
func (s *Store) ProjectHistory(ctx context.Context, projectID string) (*History, error) {
	h := &History{Prev: []plan.ProjectRecord{}, Subprojects: []SubprojectHistory{}}
	err := s.read(ctx, func(c conn) error {
		p, err := getProject(c, projectID)
		if err != nil {
			return err
		}
		id := p.ID
		for range 10 { // a chain of years; bounded against a cycle
			var prev string
			err := c.row("SELECT prev_project_id FROM project_predecessors WHERE project_id = ?", id).Scan(&prev)
			if err == sql.ErrNoRows {
				break
			}
			if err != nil {
				return err
			}
			pp, err := getProject(c, prev)
			if err != nil {
				return err
			}
			h.Prev = append(h.Prev, *pp)
			id = prev
		}
		for _, sp := range p.Subprojects {
			if sp.RetiredBy != "" {
				continue
			}
			var prevS string
			var reached sql.NullString
			err := c.row("SELECT prev_subproject_id, reached_before FROM subproject_predecessors WHERE subproject_id = ?", sp.ID).Scan(&prevS, &reached)
			if err == sql.ErrNoRows {
				continue
			}
			if err != nil {
				return err
			}
			sh := SubprojectHistory{SubprojectID: sp.ID, Name: sp.Name, PrevSubprojectID: prevS}
			if sp.Years != nil {
				sh.Years = *sp.Years
			}
			if err := c.row("SELECT s.name, s.project_id FROM subprojects s WHERE s.id = ?", prevS).Scan(&sh.PrevName, &sh.PrevProjectID); err != nil {
				return err
			}
			if sh.ReachedBefore, err = scanDec(reached); err != nil {
				return err
			}
			if sh.ReachedBefore != nil {
				sh.Cumulative = *sh.ReachedBefore
			}
			for _, t := range p.ActiveTargets() {
				if t.Kind == plan.KindProgress && t.Subproject != nil && *t.Subproject == sp.Name {
					v := t.Value
					sh.YearTarget = &v
					_, latest, err := lastReported(c, p.ID, t.ID, strconv.Itoa(p.Year)+"-12")
					if err != nil {
						return err
					}
					if latest != nil {
						sh.YearActual = latest
						sh.Cumulative = sh.Cumulative.Add(*latest)
					}
				}
			}
			h.Subprojects = append(h.Subprojects, sh)
		}
		return nil
	})
	return h, err
}
