package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"minsheng/internal/division"
	"minsheng/internal/plan"
)

// Share is one lower jurisdiction's part of a split target (任务分解).
// CountyTargetID is the lower plan's own target for the same work, when a
// confirmed link (links.go) says its plan repeats the project: that
// target's reports give the share's figures.
type Share struct {
	ID               string       `json:"id"`
	TargetID         string       `json:"target_id"`
	JurisdictionCode string       `json:"jurisdiction_code"`
	JurisdictionName string       `json:"jurisdiction_name"`
	UnitID           string       `json:"unit_id"`
	UnitName         string       `json:"unit_name"`
	Value            plan.Decimal `json:"value"`
	CountyTargetID   string       `json:"county_target_id,omitempty"`
	UpdatedAt        time.Time    `json:"updated_at"`
}

// ShareLine is a share with its figure for a month.
type ShareLine struct {
	Share
	// Actual is the latest cumulative figure through the month (nil: none
	// reported yet), from ReportedPeriod.
	Actual         *plan.Decimal `json:"actual"`
	ReportedPeriod string        `json:"reported_period,omitempty"`
	// Source says where Actual comes from: "share" (the unit reported the
	// share) or "county_plan" (the report of the lower plan's own target).
	Source   string       `json:"source"`
	Expected plan.Decimal `json:"expected"`
	Status   plan.Status  `json:"status"`
	// Completion is Actual / Value (0 without a figure).
	Completion float64 `json:"completion"`
}

// SplitRollup is a split target seen from above for a month: the sum of
// the lower jurisdictions' figures against the target, and each one's line.
type SplitRollup struct {
	Target           plan.TargetRecord `json:"target"`
	ProjectID        string            `json:"project_id"`
	ProjectSeq       int               `json:"project_seq"`
	ProjectTitle     string            `json:"project_title"`
	JurisdictionCode string            `json:"jurisdiction_code"`
	Year             int               `json:"year"`
	Period           plan.Period       `json:"period"`
	Assigned         plan.Decimal      `json:"assigned"` // sum of the shares
	Actual           plan.Decimal      `json:"actual"`   // sum of the lines' figures
	Completion       float64           `json:"completion"`
	Lines            []ShareLine       `json:"items"`
}

// lowerJurisdictions are the jurisdictions directly below code that a
// target of code can be split among: a city's counties, a province's
// cities (and the counties it administers directly), by GB/T 2260.
func lowerJurisdictions(code string) map[string]string {
	out := map[string]string{}
	for _, d := range division.Children(code) {
		if d.Level != division.LevelTown {
			out[d.Code] = d.Name
		}
	}
	return out
}

// SplitTarget replaces the split of a target in force among the
// jurisdictions below its own (plan.ValidateSplit: the shares add up to
// the target, each names its reporting unit, created if new). A
// jurisdiction left out loses its share, unless it has reported on it.
// Needs ActionSplitTarget on the target's project.
// Errors: invalid (naming the jurisdiction and field), not_found,
// conflict (dropping a share that was reported), forbidden.
func (s *Store) SplitTarget(ctx context.Context, actor *plan.User, targetID string, shares []plan.ShareInput) ([]Share, error) {
	var out []Share
	err := s.write(ctx, actor, func(t *tx) error {
		p, err := projectOfTarget(t.conn, targetID)
		if err != nil {
			return err
		}
		if err := plan.Authorize(actor, plan.ActionSplitTarget, plan.ProjectResource(p)); err != nil {
			return err
		}
		target := targetIn(p, targetID)
		children := lowerJurisdictions(p.JurisdictionCode)
		for i := range shares {
			shares[i].Unit = strings.TrimSpace(shares[i].Unit)
		}
		if err := plan.ValidateSplit(target, children, shares).Err(); err != nil {
			return err
		}
		before, err := loadShares(t.conn, "s.target_id = ?", targetID)
		if err != nil {
			return err
		}
		keep := map[string]bool{}
		for _, in := range shares {
			keep[in.JurisdictionCode] = true
		}
		for _, old := range before {
			if keep[old.JurisdictionCode] {
				continue
			}
			var n int
			if err := t.row("SELECT COUNT(*) FROM share_reports WHERE share_id = ?", old.ID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return &plan.Error{Code: plan.EConflict, Field: "shares",
					Message: old.JurisdictionName + "已报送分解任务的完成情况，不能取消其任务；如需调整，请保留该地并修改分解数"}
			}
			if _, err := t.exec("DELETE FROM target_shares WHERE id = ?", old.ID); err != nil {
				return err
			}
		}
		existing := map[string]Share{}
		for _, old := range before {
			existing[old.JurisdictionCode] = old
		}
		for _, in := range shares {
			if err := t.requireJurisdiction(in.JurisdictionCode); err != nil {
				return err
			}
			u, err := t.ensureUnit(in.JurisdictionCode, in.Unit)
			if err != nil {
				return err
			}
			lower, err := t.linkedTarget(target, p.ID, in.JurisdictionCode)
			if err != nil {
				return err
			}
			if old, ok := existing[in.JurisdictionCode]; ok {
				_, err = t.exec("UPDATE target_shares SET unit_id = ?, value = ?, county_target_id = ?, updated_at = ?, updated_by = ? WHERE id = ?",
					u.ID, in.Value.String(), lower, ts(t.now), actor.ID, old.ID)
			} else {
				_, err = t.exec(`INSERT INTO target_shares (id, target_id, jurisdiction_code, unit_id, value, county_target_id, created_at, updated_at, updated_by)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, s.id("shr"), targetID, in.JurisdictionCode, u.ID, in.Value.String(), lower, ts(t.now), ts(t.now), actor.ID)
			}
			if err != nil {
				return err
			}
		}
		if out, err = loadShares(t.conn, "s.target_id = ?", targetID); err != nil {
			return err
		}
		return t.audit("target.split", "target", targetID, nilIfEmpty(before), out)
	})
	return out, err
}

func nilIfEmpty(xs []Share) any {
	if len(xs) == 0 {
		return nil
	}
	return xs
}

func targetIn(p *plan.ProjectRecord, id string) *plan.TargetRecord {
	for i := range p.Targets {
		if p.Targets[i].ID == id {
			return &p.Targets[i]
		}
	}
	return nil
}

// loadShares reads the shares where selects (alias s), by target and code.
func loadShares(c conn, where string, args ...any) ([]Share, error) {
	rows, err := c.query(`SELECT s.id, s.target_id, s.jurisdiction_code, COALESCE(j.name, ''), s.unit_id, u.name, s.value, s.county_target_id, s.updated_at
		FROM target_shares s JOIN units u ON u.id = s.unit_id LEFT JOIN jurisdictions j ON j.code = s.jurisdiction_code
		WHERE `+where+` ORDER BY s.target_id, s.jurisdiction_code`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Share
	for rows.Next() {
		var sh Share
		var v, updated string
		if err := rows.Scan(&sh.ID, &sh.TargetID, &sh.JurisdictionCode, &sh.JurisdictionName, &sh.UnitID, &sh.UnitName, &v, &sh.CountyTargetID, &updated); err != nil {
			return nil, err
		}
		if d, ok := division.ByCode(sh.JurisdictionCode); ok {
			sh.JurisdictionName = d.Name // the short name: 广丰区, not 江西省上饶市广丰区
		}
		var err error
		if sh.Value, err = plan.ParseDecimal(v); err != nil {
			return nil, err
		}
		sh.UpdatedAt = parseTS(updated)
		out = append(out, sh)
	}
	return out, rows.Err()
}

// shareResource is a share as plan.Can sees it: a report of the lower
// jurisdiction that the share's unit writes.
func shareResource(sh *Share) plan.Resource {
	return plan.Resource{Kind: plan.ResourceReport, JurisdictionCode: sh.JurisdictionCode, ReportingUnitIDs: []string{sh.UnitID}}
}

// SaveShareReport records the cumulative figure a share reached by the end
// of a month (this year's months up to the current one), as its unit
// reports it; saving again replaces it. Needs ActionEditReport on the
// share (its unit). Errors: invalid (bad month, negative, below an earlier
// month's figure), not_found, conflict (the figure comes from the lower
// plan's own target), forbidden.
func (s *Store) SaveShareReport(ctx context.Context, actor *plan.User, shareID string, period plan.Period, actual plan.Decimal, note string) error {
	return s.write(ctx, actor, func(t *tx) error {
		shs, err := loadShares(t.conn, "s.id = ?", shareID)
		if err != nil {
			return err
		}
		if len(shs) == 0 {
			return notFound("分解任务不存在")
		}
		sh := &shs[0]
		if err := plan.Authorize(actor, plan.ActionEditReport, shareResource(sh)); err != nil {
			return err
		}
		if sh.CountyTargetID != "" {
			return plan.Errorf(plan.EConflict, "该任务的完成情况取自本地计划中对应项目的月度报告，无需另行报送")
		}
		p, err := projectOfTarget(t.conn, sh.TargetID)
		if err != nil {
			return err
		}
		if !period.Valid() || period.Year != p.Year {
			return plan.FieldError("period", "月份应在 %d 年内", p.Year)
		}
		if plan.PeriodOf(t.now).Before(period) {
			return plan.FieldError("period", "%s尚未到来，不能报送", period.Label())
		}
		if actual.IsNegative() {
			return plan.FieldError("actual", "累计完成数不能为负")
		}
		if actual.Exponent() < -4 {
			return plan.FieldError("actual", "累计完成数最多保留 4 位小数")
		}
		if len([]rune(note)) > 500 {
			return plan.FieldError("note", "说明不能超过 500 字")
		}
		var prevPeriod, prev string
		err = t.row("SELECT period, actual FROM share_reports WHERE share_id = ? AND period < ? ORDER BY period DESC LIMIT 1", shareID, period.String()).Scan(&prevPeriod, &prev)
		switch {
		case err == nil:
			if pv, perr := plan.ParseDecimal(prev); perr == nil && actual.Cmp(pv.Decimal) < 0 {
				return plan.FieldError("actual", "累计完成数 %s 少于 %s 已报的 %s；累计数只增不减", actual, prevPeriod, pv)
			}
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		var before any
		var old string
		switch err := t.row("SELECT actual FROM share_reports WHERE share_id = ? AND period = ?", shareID, period.String()).Scan(&old); {
		case err == nil:
			before = map[string]string{"period": period.String(), "actual": old}
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if _, err := t.exec("DELETE FROM share_reports WHERE share_id = ? AND period = ?", shareID, period.String()); err != nil {
			return err
		}
		if _, err := t.exec("INSERT INTO share_reports (share_id, period, actual, note, reported_at, reported_by) VALUES (?, ?, ?, ?, ?, ?)",
			shareID, period.String(), actual.String(), note, ts(t.now), actor.ID); err != nil {
			return err
		}
		return t.audit("share.report", "share", shareID, before, map[string]string{"period": period.String(), "actual": actual.String(), "note": note})
	})
}

// SplitRollups returns, for a month, every split target of the plan of a
// jurisdiction for the month's year, with its lines (see SplitRollup), by
// project and target. Published plans and their figures are read by those
// who may read the jurisdiction's reports; the caller checks.
func (s *Store) SplitRollups(ctx context.Context, code string, period plan.Period) ([]SplitRollup, error) {
	var ids []string
	err := s.read(ctx, func(c conn) error {
		rows, err := c.query(`SELECT DISTINCT s.target_id, p.seq, t.seq FROM target_shares s JOIN targets t ON t.id = s.target_id JOIN projects p ON p.id = t.project_id
			WHERE p.jurisdiction_code = ? AND p.year = ? AND p.retired_by = '' AND t.retired_by = '' ORDER BY p.seq, t.seq`, code, period.Year)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var a, b int
			if err := rows.Scan(&id, &a, &b); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	out := make([]SplitRollup, 0, len(ids))
	for _, id := range ids {
		r, err := s.SplitRollup(ctx, id, period)
		if err != nil {
			return nil, err
		}
		out = append(out, *r)
	}
	return out, nil
}

// SplitRollup returns a target's split for a month: each lower
// jurisdiction's latest figure through the month (from its share reports,
// or from the lower plan's own target's submitted or accepted reports when
// linked), its status against 序时进度 (plan.ShareStatus; 临期 while no
// figure is in and the month's due day has not passed) and the sum
// against the target. Errors: not_found.
func (s *Store) SplitRollup(ctx context.Context, targetID string, period plan.Period) (*SplitRollup, error) {
	var r *SplitRollup
	now := s.now()
	err := s.read(ctx, func(c conn) error {
		p, err := projectOfTarget(c, targetID)
		if err != nil {
			return err
		}
		tg := targetIn(p, targetID)
		r = &SplitRollup{Target: *tg, ProjectID: p.ID, ProjectSeq: p.Seq, ProjectTitle: p.Title, JurisdictionCode: p.JurisdictionCode,
			Year: p.Year, Period: period, Lines: []ShareLine{}}
		shares, err := loadShares(c, "s.target_id = ?", targetID)
		if err != nil {
			return err
		}
		for _, sh := range shares {
			line := ShareLine{Share: sh, Source: "share"}
			var per, v string
			if sh.CountyTargetID != "" {
				line.Source = "county_plan"
				err = c.row(`SELECT r.period, rt.actual FROM report_targets rt JOIN reports r ON r.id = rt.report_id
					WHERE rt.target_id = ? AND rt.actual IS NOT NULL AND r.state IN ('submitted', 'accepted') AND r.period >= ? AND r.period <= ?
					ORDER BY r.period DESC LIMIT 1`, sh.CountyTargetID, plan.Period{Year: period.Year, Month: 1}.String(), period.String()).Scan(&per, &v)
			} else {
				err = c.row(`SELECT period, actual FROM share_reports WHERE share_id = ? AND period >= ? AND period <= ? ORDER BY period DESC LIMIT 1`,
					sh.ID, plan.Period{Year: period.Year, Month: 1}.String(), period.String()).Scan(&per, &v)
			}
			switch {
			case err == nil:
				d, err := plan.ParseDecimal(v)
				if err != nil {
					return err
				}
				line.Actual, line.ReportedPeriod = &d, per
				r.Actual = r.Actual.Add(d)
				if sh.Value.IsPositive() {
					line.Completion = d.Div(sh.Value.Decimal).InexactFloat64()
				}
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
			line.Status, line.Expected = plan.ShareStatus(tg, sh.Value, line.Actual, period.Month)
			if line.Actual == nil && !period.IsLate(now, s.DueDay) {
				line.Status = plan.StatusDue // the month's figure is not due yet
			}
			r.Assigned = r.Assigned.Add(sh.Value)
			r.Lines = append(r.Lines, line)
		}
		if tg.Value.IsPositive() {
			r.Completion = r.Actual.Div(tg.Value.Decimal).InexactFloat64()
		}
		return nil
	})
	return r, err
}

// ShareTask is a share as the lower jurisdiction sees it: what the higher
// plan asks of it, with the figures reported so far this year.
type ShareTask struct {
	Share
	UpperJurisdictionCode string            `json:"upper_jurisdiction_code"`
	UpperJurisdictionName string            `json:"upper_jurisdiction_name"`
	ProjectID             string            `json:"project_id"`
	ProjectTitle          string            `json:"project_title"`
	Year                  int               `json:"year"`
	Target                plan.TargetRecord `json:"target"`
	Reports               []ShareReport     `json:"reports"`
}

// ShareReport is one month's figure of a share.
type ShareReport struct {
	Period     string       `json:"period"`
	Actual     plan.Decimal `json:"actual"`
	Note       string       `json:"note"`
	ReportedAt time.Time    `json:"reported_at"`
}

// ShareTasks lists the shares of a year given to a lower jurisdiction
// (code) or, when unitID is set, to that unit, with their reports by month.
func (s *Store) ShareTasks(ctx context.Context, code, unitID string, year int) ([]ShareTask, error) {
	var out []ShareTask
	err := s.read(ctx, func(c conn) error {
		where := "s.target_id IN (SELECT t.id FROM targets t JOIN projects p ON p.id = t.project_id WHERE t.retired_by = '' AND p.retired_by = '' AND p.year = ?)"
		args := []any{year}
		if code != "" {
			where, args = where+" AND s.jurisdiction_code = ?", append(args, code)
		}
		if unitID != "" {
			where, args = where+" AND s.unit_id = ?", append(args, unitID)
		}
		shares, err := loadShares(c, where, args...)
		if err != nil {
			return err
		}
		for _, sh := range shares {
			p, err := projectOfTarget(c, sh.TargetID)
			if err != nil {
				return err
			}
			task := ShareTask{Share: sh, UpperJurisdictionCode: p.JurisdictionCode, ProjectID: p.ID, ProjectTitle: p.Title, Year: p.Year,
				Target: *targetIn(p, sh.TargetID), Reports: []ShareReport{}}
			if d, ok := division.ByCode(p.JurisdictionCode); ok {
				task.UpperJurisdictionName = d.Name
			}
			rows, err := c.query("SELECT period, actual, note, reported_at FROM share_reports WHERE share_id = ? ORDER BY period", sh.ID)
			if err != nil {
				return err
			}
			for rows.Next() {
				var rep ShareReport
				var v, at string
				if err := rows.Scan(&rep.Period, &v, &rep.Note, &at); err != nil {
					rows.Close()
					return err
				}
				if rep.Actual, err = plan.ParseDecimal(v); err != nil {
					rows.Close()
					return err
				}
				rep.ReportedAt = parseTS(at)
				task.Reports = append(task.Reports, rep)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			out = append(out, task)
		}
		return nil
	})
	return out, err
}

// GetShare returns a share. Errors: not_found.
func (s *Store) GetShare(ctx context.Context, id string) (*Share, error) {
	var sh *Share
	err := s.read(ctx, func(c conn) error {
		shs, err := loadShares(c, "s.id = ?", id)
		if err != nil {
			return err
		}
		if len(shs) == 0 {
			return notFound("分解任务不存在")
		}
		sh = &shs[0]
		return nil
	})
	return sh, err
}

// UnitHasShares reports whether a unit reports any share of a target in
// force (for the navigation of its users).
func (s *Store) UnitHasShares(ctx context.Context, unitID string) (bool, error) {
	var n int
	err := s.read(ctx, func(c conn) error {
		return c.row(`SELECT COUNT(*) FROM target_shares s JOIN targets t ON t.id = s.target_id
			WHERE s.unit_id = ? AND t.retired_by = ''`, unitID).Scan(&n)
	})
	return n > 0, err
}
