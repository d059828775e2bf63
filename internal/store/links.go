package store

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strconv"
	"time"

	"minsheng/internal/division"
	"minsheng/internal/plan"
)

// ProjectLink says that a lower plan's project (a county's) repeats a
// project of the plan above (its city's): roll-ups over both count it once
// (Rollup leaves the lower one out), and the city's shares in that county
// take their figures from the county project's reports.
type ProjectLink struct {
	ID                    string    `json:"id"`
	UpperProjectID        string    `json:"upper_project_id"`
	UpperTitle            string    `json:"upper_title"`
	UpperJurisdictionCode string    `json:"upper_jurisdiction_code"`
	LowerProjectID        string    `json:"lower_project_id"`
	LowerTitle            string    `json:"lower_title"`
	LowerJurisdictionCode string    `json:"lower_jurisdiction_code"`
	LowerJurisdictionName string    `json:"lower_jurisdiction_name"`
	Score                 float64   `json:"score"`
	CreatedAt             time.Time `json:"created_at"`
	CreatedBy             string    `json:"created_by"`
}

// LinkSuggestion is a pair of projects that look like one project on two
// levels (plan.RepeatScore), not yet linked.
type LinkSuggestion struct {
	UpperProjectID        string  `json:"upper_project_id"`
	UpperTitle            string  `json:"upper_title"`
	LowerProjectID        string  `json:"lower_project_id"`
	LowerTitle            string  `json:"lower_title"`
	LowerJurisdictionCode string  `json:"lower_jurisdiction_code"`
	LowerJurisdictionName string  `json:"lower_jurisdiction_name"`
	Score                 float64 `json:"score"`
}

func shortName(code string) string {
	if d, ok := division.ByCode(code); ok {
		return d.Name
	}
	return code
}

// LinkSuggestions pairs each project in force of the plans below code
// (for the year) that is not linked yet with the project of code's plan it
// most resembles, when plan.RepeatScore reaches plan.RepeatThreshold; best
// first.
func (s *Store) LinkSuggestions(ctx context.Context, code string, year int) ([]LinkSuggestion, error) {
	var out []LinkSuggestion
	err := s.read(ctx, func(c conn) error {
		upper, err := loadProjects(c, "p.jurisdiction_code = ? AND p.year = ? AND p.retired_by = ''", []any{code, year}, false)
		if err != nil || len(upper) == 0 {
			return err
		}
		lo, hi := codeRange(code)
		lower, err := loadProjects(c, `p.jurisdiction_code >= ? AND p.jurisdiction_code <= ? AND p.jurisdiction_code <> ? AND p.year = ? AND p.retired_by = ''
			AND p.id NOT IN (SELECT lower_project_id FROM project_links)`, []any{lo, hi, code, year}, false)
		if err != nil {
			return err
		}
		for i := range lower {
			best, score := -1, plan.RepeatThreshold
			for j := range upper {
				if sc := plan.RepeatScore(&upper[j], &lower[i]); sc >= score {
					best, score = j, sc
				}
			}
			if best >= 0 {
				out = append(out, LinkSuggestion{UpperProjectID: upper[best].ID, UpperTitle: upper[best].Title, LowerProjectID: lower[i].ID,
					LowerTitle: lower[i].Title, LowerJurisdictionCode: lower[i].JurisdictionCode, LowerJurisdictionName: shortName(lower[i].JurisdictionCode), Score: score})
			}
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out, err
}

// Links lists the confirmed links whose higher project is of code's plan
// for the year, by higher project and lower jurisdiction.
func (s *Store) Links(ctx context.Context, code string, year int) ([]ProjectLink, error) {
	var out []ProjectLink
	err := s.read(ctx, func(c conn) error {
		var err error
		out, err = loadLinks(c, "u.jurisdiction_code = ? AND u.year = ?", code, year)
		return err
	})
	return out, err
}

func loadLinks(c conn, where string, args ...any) ([]ProjectLink, error) {
	rows, err := c.query(`SELECT l.id, u.id, u.title, u.jurisdiction_code, lp.id, lp.title, lp.jurisdiction_code, l.score, l.created_at, l.created_by
		FROM project_links l JOIN projects u ON u.id = l.upper_project_id JOIN projects lp ON lp.id = l.lower_project_id
		WHERE `+where+` ORDER BY u.seq, lp.jurisdiction_code`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ProjectLink
	for rows.Next() {
		var l ProjectLink
		var score, created string
		if err := rows.Scan(&l.ID, &l.UpperProjectID, &l.UpperTitle, &l.UpperJurisdictionCode, &l.LowerProjectID, &l.LowerTitle,
			&l.LowerJurisdictionCode, &score, &created, &l.CreatedBy); err != nil {
			return nil, err
		}
		l.Score, _ = strconv.ParseFloat(score, 64)
		l.CreatedAt = parseTS(created)
		l.LowerJurisdictionName = shortName(l.LowerJurisdictionCode)
		out = append(out, l)
	}
	return out, rows.Err()
}

// LinkProjects confirms that lower, a project in force of a plan below
// upper's jurisdiction for the same year, repeats upper. The city's shares
// of upper's targets in lower's jurisdiction then take their figures from
// lower's matching targets (plan.RepeatTarget). Needs ActionLinkProjects
// on upper (the higher jurisdiction's supervisor).
// Errors: invalid (not below, another year), not_found, conflict (lower
// already linked), forbidden.
func (s *Store) LinkProjects(ctx context.Context, actor *plan.User, upperID, lowerID string) (*ProjectLink, error) {
	var out *ProjectLink
	err := s.write(ctx, actor, func(t *tx) error {
		up, err := getProject(t.conn, upperID)
		if err != nil {
			return err
		}
		if err := plan.Authorize(actor, plan.ActionLinkProjects, plan.ProjectResource(up)); err != nil {
			return err
		}
		low, err := getProject(t.conn, lowerID)
		if err != nil {
			return plan.FieldError("lower_project_id", "下级项目 %s 不存在", lowerID)
		}
		switch {
		case up.RetiredBy != "" || low.RetiredBy != "":
			return plan.Errorf(plan.EInvalid, "已被新版本计划取消的项目不能关联")
		case low.JurisdictionCode == up.JurisdictionCode || !plan.JurisdictionCovers(up.JurisdictionCode, low.JurisdictionCode):
			return plan.FieldError("lower_project_id", "「%s」不是%s下辖地区的项目", low.Title, shortName(up.JurisdictionCode))
		case low.Year != up.Year:
			return plan.FieldError("lower_project_id", "「%s」是 %d 年的项目，与「%s」（%d 年）不是同一年度", low.Title, low.Year, up.Title, up.Year)
		}
		var existing string
		switch err := t.row("SELECT upper_project_id FROM project_links WHERE lower_project_id = ?", lowerID).Scan(&existing); {
		case err == nil:
			other, _ := getProject(t.conn, existing)
			title := existing
			if other != nil {
				title = other.Title
			}
			return &plan.Error{Code: plan.EConflict, Field: "lower_project_id", Message: "「" + low.Title + "」已关联到「" + title + "」，请先取消原关联"}
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		l := &ProjectLink{ID: s.id("lnk"), UpperProjectID: up.ID, UpperTitle: up.Title, UpperJurisdictionCode: up.JurisdictionCode,
			LowerProjectID: low.ID, LowerTitle: low.Title, LowerJurisdictionCode: low.JurisdictionCode, LowerJurisdictionName: shortName(low.JurisdictionCode),
			Score: plan.RepeatScore(up, low), CreatedAt: t.now, CreatedBy: actor.ID}
		if _, err := t.exec("INSERT INTO project_links (id, upper_project_id, lower_project_id, score, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)",
			l.ID, up.ID, low.ID, strconv.FormatFloat(l.Score, 'f', 4, 64), ts(t.now), actor.ID); err != nil {
			return err
		}
		if err := t.relinkShares(up, low.JurisdictionCode); err != nil {
			return err
		}
		out = l
		return t.audit("project.link", "project", low.ID, nil, l)
	})
	return out, err
}

// UnlinkProjects removes a link; the city's shares in that county go back
// to being reported on their own. Needs ActionLinkProjects on the higher
// project. Errors: not_found, forbidden.
func (s *Store) UnlinkProjects(ctx context.Context, actor *plan.User, linkID string) error {
	return s.write(ctx, actor, func(t *tx) error {
		ls, err := loadLinks(t.conn, "l.id = ?", linkID)
		if err != nil {
			return err
		}
		if len(ls) == 0 {
			return notFound("关联不存在")
		}
		l := ls[0]
		up, err := getProject(t.conn, l.UpperProjectID)
		if err != nil {
			return err
		}
		if err := plan.Authorize(actor, plan.ActionLinkProjects, plan.ProjectResource(up)); err != nil {
			return err
		}
		if _, err := t.exec("DELETE FROM project_links WHERE id = ?", linkID); err != nil {
			return err
		}
		if err := t.relinkShares(up, l.LowerJurisdictionCode); err != nil {
			return err
		}
		return t.audit("project.unlink", "project", l.LowerProjectID, l, nil)
	})
}

// relinkShares points the shares of up's targets in jurisdiction code at
// the matching targets of the lower project linked to up there (none:
// back to their own reports).
func (t *tx) relinkShares(up *plan.ProjectRecord, code string) error {
	for i := range up.Targets {
		tg := &up.Targets[i]
		if tg.RetiredBy != "" {
			continue
		}
		lower, err := t.linkedTarget(tg, up.ID, code)
		if err != nil {
			return err
		}
		if _, err := t.exec("UPDATE target_shares SET county_target_id = ? WHERE target_id = ? AND jurisdiction_code = ?", lower, tg.ID, code); err != nil {
			return err
		}
	}
	return nil
}

// linkedTarget is the target, in the project of jurisdiction code linked
// to upperProjectID, that measures what tg measures; "" when there is no
// such link or target.
func (t *tx) linkedTarget(tg *plan.TargetRecord, upperProjectID, code string) (string, error) {
	var lowerID string
	err := t.row(`SELECT l.lower_project_id FROM project_links l JOIN projects p ON p.id = l.lower_project_id
		WHERE l.upper_project_id = ? AND p.jurisdiction_code = ?`, upperProjectID, code).Scan(&lowerID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	low, err := getProject(t.conn, lowerID)
	if err != nil {
		return "", err
	}
	if m := plan.RepeatTarget(tg, low); m != nil {
		return m.ID, nil
	}
	return "", nil
}

// linkedDuplicates returns the projects of the year that repeat a project
// of a jurisdiction code covers ("" all): a roll-up over code counts the
// higher project and leaves these out, so that one project is not counted
// twice. A roll-up of the county alone still counts its own project.
func (s *Store) linkedDuplicates(ctx context.Context, code string, year int) (map[string]bool, error) {
	lo, hi := codeRange(code)
	out := map[string]bool{}
	err := s.read(ctx, func(c conn) error {
		// From the links (few) to their projects: CROSS JOIN keeps SQLite
		// from walking every project of the range first (20 ms a national
		// roll-up when there are no links).
		rows, err := c.query(`SELECT l.lower_project_id FROM project_links l CROSS JOIN projects u
			WHERE u.id = l.upper_project_id AND u.jurisdiction_code >= ? AND u.jurisdiction_code <= ? AND u.year = ? AND u.retired_by = ''`, lo, hi, year)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			out[id] = true
		}
		return rows.Err()
	})
	return out, err
}
