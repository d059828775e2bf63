package store

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"minsheng/internal/plan"
)

// The status history: one current row per project and month, written by
// the status engine (internal/supervise) and kept when it changes. The
// engine decides what a status is; the store only keeps the rows, with
// the fingerprint (Basis) of the inputs each was computed from, so that a
// recomputation rewrites only the months whose inputs changed.

// StatusRecord is a project's status for a month as the engine recorded it.
type StatusRecord struct {
	ProjectID string      `json:"project_id"`
	Period    plan.Period `json:"period"`
	Status    plan.Status `json:"status"`
	// Behind, Run, DueSoon, Ratio and Reason are those of plan.Assessment.
	Behind  bool    `json:"behind"`
	Run     int     `json:"run"`
	DueSoon bool    `json:"due_soon"`
	Ratio   float64 `json:"ratio"`
	Reason  string  `json:"reason"`
	// Targets are the targets' statuses that month.
	Targets []plan.TargetAssessment `json:"targets"`
	// Basis fingerprints the inputs; equal bases mean equal inputs.
	Basis        string     `json:"basis"`
	ComputedAt   time.Time  `json:"computed_at"`
	SupersededAt *time.Time `json:"superseded_at,omitempty"`
}

const statusColumns = `project_id, period, status, behind, run, due_soon, ratio, reason, detail, basis, computed_at, superseded_at`

func scanStatus(r interface{ Scan(...any) error }) (StatusRecord, error) {
	var sr StatusRecord
	var behind, dueSoon int
	var ratio, detail, computed string
	var superseded sql.NullString
	if err := r.Scan(&sr.ProjectID, &sr.Period, &sr.Status, &behind, &sr.Run, &dueSoon, &ratio, &sr.Reason, &detail, &sr.Basis, &computed, &superseded); err != nil {
		return sr, err
	}
	sr.Behind, sr.DueSoon = behind != 0, dueSoon != 0
	sr.Ratio, _ = strconv.ParseFloat(ratio, 64)
	sr.ComputedAt, sr.SupersededAt = parseTS(computed), parseTSPtr(superseded)
	sr.Targets = []plan.TargetAssessment{}
	return sr, fromJSON(detail, &sr.Targets)
}

func loadStatuses(c conn, where string, args ...any) ([]StatusRecord, error) {
	rows, err := c.query("SELECT "+statusColumns+" FROM project_statuses WHERE "+where+" ORDER BY period, project_id, computed_at", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StatusRecord
	for rows.Next() {
		sr, err := scanStatus(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sr)
	}
	return out, rows.Err()
}

// StatusHistory returns the current status rows of a jurisdiction's
// projects for a year, by month and project. Statuses are derived from
// submitted and accepted reports only, so they are as public as the
// dashboard: no user is needed.
func (s *Store) StatusHistory(ctx context.Context, jurisdictionCode string, year int) ([]StatusRecord, error) {
	var out []StatusRecord
	err := s.read(ctx, func(c conn) error {
		var err error
		out, err = loadStatuses(c, "jurisdiction_code = ? AND year = ? AND superseded_at IS NULL", jurisdictionCode, year)
		return err
	})
	return out, err
}

// StatusRevisions returns every row ever computed for a project's month,
// oldest first: what the month showed, and when it changed.
func (s *Store) StatusRevisions(ctx context.Context, projectID string, period plan.Period) ([]StatusRecord, error) {
	var out []StatusRecord
	err := s.read(ctx, func(c conn) error {
		var err error
		out, err = loadStatuses(c, "project_id = ? AND period = ?", projectID, period.String())
		return err
	})
	return out, err
}

// StatusChange is one month whose status a SaveStatuses call changed.
type StatusChange struct {
	ProjectID string      `json:"project_id"`
	Period    plan.Period `json:"period"`
	From      plan.Status `json:"from,omitempty"` // "" for a month first computed
	To        plan.Status `json:"to"`
}

// SaveStatuses records computed statuses of a jurisdiction's year: a row
// whose basis and figures equal the current one is left alone; otherwise
// the current row is stamped superseded and the new one added. One audit
// row lists the months whose status changed. Needs ActionIssueLetter on
// the jurisdiction (its supervisor, or the engine as plan.SystemUser).
// Errors: invalid, forbidden.
//
// Two computations saving at once (two pages refreshing the same month on
// PostgreSQL) may both try to add the same current row; the loser tries
// again, now seeing the winner's rows.
func (s *Store) SaveStatuses(ctx context.Context, actor *plan.User, jurisdictionCode string, year int, recs []StatusRecord) ([]StatusChange, error) {
	var changes []StatusChange
	var err error
	for range 3 {
		changes, err = s.saveStatuses(ctx, actor, jurisdictionCode, year, recs)
		if plan.ErrorCode(err) != plan.EConflict {
			break
		}
	}
	return changes, err
}

func (s *Store) saveStatuses(ctx context.Context, actor *plan.User, jurisdictionCode string, year int, recs []StatusRecord) ([]StatusChange, error) {
	var changes []StatusChange
	err := s.write(ctx, actor, func(t *tx) error {
		if err := plan.Authorize(actor, plan.ActionIssueLetter, plan.Resource{Kind: plan.ResourceJurisdiction, JurisdictionCode: jurisdictionCode}); err != nil {
			return err
		}
		cur, err := loadStatuses(t.conn, "jurisdiction_code = ? AND year = ? AND superseded_at IS NULL", jurisdictionCode, year)
		if err != nil {
			return err
		}
		byKey := map[string]*StatusRecord{}
		for i := range cur {
			byKey[cur[i].ProjectID+"|"+cur[i].Period.String()] = &cur[i]
		}
		written := 0
		for _, r := range recs {
			if r.Period.Year != year || !r.Status.Valid() {
				return plan.FieldError("period", "状态记录的月份或状态无效：%s %s", r.Period, r.Status)
			}
			old := byKey[r.ProjectID+"|"+r.Period.String()]
			if old != nil && sameStatus(old, &r) {
				continue
			}
			if old != nil {
				if _, err := t.exec("UPDATE project_statuses SET superseded_at = ? WHERE project_id = ? AND period = ? AND superseded_at IS NULL",
					ts(t.now), r.ProjectID, r.Period.String()); err != nil {
					return err
				}
			}
			if r.Targets == nil {
				r.Targets = []plan.TargetAssessment{}
			}
			if _, err := t.exec(`INSERT INTO project_statuses (id, project_id, jurisdiction_code, year, period, status, behind, run, due_soon,
				ratio, reason, detail, basis, computed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				s.id("pst"), r.ProjectID, jurisdictionCode, year, r.Period.String(), string(r.Status), boolInt(r.Behind), r.Run, boolInt(r.DueSoon),
				strconv.FormatFloat(r.Ratio, 'f', 4, 64), r.Reason, toJSON(r.Targets), r.Basis, ts(t.now)); err != nil {
				return err
			}
			written++
			from := plan.Status("")
			if old != nil {
				from = old.Status
			}
			if from != r.Status {
				changes = append(changes, StatusChange{ProjectID: r.ProjectID, Period: r.Period, From: from, To: r.Status})
			}
		}
		if written == 0 {
			return nil
		}
		return t.auditIn(ScopeOf(jurisdictionCode, year), "status.recompute", "jurisdiction", jurisdictionCode, nil,
			map[string]any{"year": year, "rows": written, "changes": changes})
	})
	return changes, err
}

func sameStatus(a, b *StatusRecord) bool {
	if a.Basis != b.Basis || a.Status != b.Status || a.Behind != b.Behind || a.Run != b.Run || a.DueSoon != b.DueSoon ||
		a.Reason != b.Reason || strconv.FormatFloat(a.Ratio, 'f', 4, 64) != strconv.FormatFloat(b.Ratio, 'f', 4, 64) {
		return false
	}
	return toJSON(a.Targets) == toJSON(b.Targets) || len(a.Targets) == 0 && len(b.Targets) == 0
}

// ReportTime is when and in which state a project's report for a month
// stands: what the status engine needs to judge lateness and to notice
// that a report changed.
type ReportTime struct {
	ProjectID   string           `json:"project_id"`
	Period      plan.Period      `json:"period"`
	State       plan.ReportState `json:"state"`
	Version     int              `json:"version"`
	SubmittedAt *time.Time       `json:"submitted_at,omitempty"`
}

// ReportTimes lists the reports of a jurisdiction's projects in force for
// a year, without their content.
func (s *Store) ReportTimes(ctx context.Context, jurisdictionCode string, year int) ([]ReportTime, error) {
	var out []ReportTime
	err := s.read(ctx, func(c conn) error {
		rows, err := c.query(`SELECT r.project_id, r.period, r.state, r.version, r.submitted_at FROM reports r JOIN projects p ON p.id = r.project_id
			WHERE p.jurisdiction_code = ? AND p.year = ? AND p.retired_by = '' ORDER BY r.project_id, r.period`, jurisdictionCode, year)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var rt ReportTime
			var submitted sql.NullString
			if err := rows.Scan(&rt.ProjectID, &rt.Period, &rt.State, &rt.Version, &submitted); err != nil {
				return err
			}
			rt.SubmittedAt = parseTSPtr(submitted)
			out = append(out, rt)
		}
		return rows.Err()
	})
	return out, err
}
