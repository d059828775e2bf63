package store

import (
	"context"
	"database/sql"
	"strings"

	"minsheng/internal/plan"
)

// loadMonthlyPlan returns a project's monthly plan, or nil.
func loadMonthlyPlan(c conn, projectID string) (*plan.MonthlyPlan, error) {
	plans, err := loadMonthlyPlans(c, "mp.project_id = ?", []any{projectID})
	return plans[projectID], err
}

// loadMonthlyPlans reads the monthly plans that where selects (on
// monthly_plans mp and projects p), by project ID: loadMonthlyPlan's
// three queries for all of them, not for each (a jurisdiction's dashboard
// and status engine read every approved plan of its year).
func loadMonthlyPlans(c conn, where string, args []any) (map[string]*plan.MonthlyPlan, error) {
	from := " FROM monthly_plans mp JOIN projects p ON p.id = mp.project_id WHERE " + where
	rows, err := c.query(`SELECT mp.project_id, mp.state, mp.version, mp.deadline, mp.return_reason, mp.updated_at, mp.updated_by,
		mp.submitted_at, mp.approved_at, mp.approved_by`+from, args...)
	if err != nil {
		return nil, err
	}
	out := map[string]*plan.MonthlyPlan{}
	for rows.Next() {
		var mp plan.MonthlyPlan
		var updated string
		var submitted, approved sql.NullString
		if err := rows.Scan(&mp.ProjectID, &mp.State, &mp.Version, &mp.Deadline, &mp.ReturnReason,
			&updated, &mp.UpdatedBy, &submitted, &approved, &mp.ApprovedBy); err != nil {
			rows.Close()
			return nil, err
		}
		mp.UpdatedAt, mp.SubmittedAt, mp.ApprovedAt = parseTS(updated), parseTSPtr(submitted), parseTSPtr(approved)
		mp.Targets = []plan.MonthlyTarget{}
		out[mp.ProjectID] = &mp
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	if err := loadMonthlyTargets(c, out, from, args); err != nil {
		return nil, err
	}
	return out, loadMonthlyInvestment(c, out, from, args)
}

// loadMonthlyTargets fills in the planned cumulative values, by target
// (in the order of the project's targets) and month.
func loadMonthlyTargets(c conn, out map[string]*plan.MonthlyPlan, from string, args []any) error {
	rows, err := c.query(`SELECT m.project_id, m.target_id, m.month, m.value FROM monthly_plan_targets m JOIN targets t ON t.id = m.target_id
		WHERE m.project_id IN (SELECT mp.project_id`+from+`) ORDER BY m.project_id, t.seq, m.month`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pid, tid, v string
		var month int
		if err := rows.Scan(&pid, &tid, &month, &v); err != nil {
			return err
		}
		d, err := plan.ParseDecimal(v)
		if err != nil {
			return err
		}
		mp := out[pid]
		if mp == nil {
			continue
		}
		if n := len(mp.Targets); n == 0 || mp.Targets[n-1].TargetID != tid {
			mp.Targets = append(mp.Targets, plan.MonthlyTarget{TargetID: tid})
		}
		if month >= 1 && month <= 12 {
			mp.Targets[len(mp.Targets)-1].Cumulative[month-1] = &d
		}
	}
	return rows.Err()
}

// loadMonthlyInvestment fills in the planned investment by month.
func loadMonthlyInvestment(c conn, out map[string]*plan.MonthlyPlan, from string, args []any) error {
	rows, err := c.query(`SELECT m.project_id, m.month, m.value FROM monthly_plan_investment m
		WHERE m.project_id IN (SELECT mp.project_id`+from+`)`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pid, v string
		var month int
		if err := rows.Scan(&pid, &month, &v); err != nil {
			return err
		}
		d, err := plan.ParseDecimal(v)
		if err != nil {
			return err
		}
		if mp := out[pid]; mp != nil && month >= 1 && month <= 12 {
			mp.Investment[month-1] = &d
		}
	}
	return rows.Err()
}

// GetMonthlyPlan returns a project's monthly plan. Errors: not_found (no
// project or no plan yet — after the read check), forbidden.
func (s *Store) GetMonthlyPlan(ctx context.Context, actor *plan.User, projectID string) (*plan.MonthlyPlan, error) {
	var out *plan.MonthlyPlan
	err := s.read(ctx, func(c conn) error {
		p, err := getProject(c, projectID)
		if err != nil {
			return err
		}
		mp, err := loadMonthlyPlan(c, projectID)
		if err != nil {
			return err
		}
		state := plan.MonthlyPlanState("")
		if mp != nil {
			state = mp.State
		}
		if err := plan.Authorize(actor, plan.ActionRead, plan.MonthlyPlanResource(p, state)); err != nil {
			return err
		}
		if mp == nil {
			return notFound("该项目尚未编制月度计划")
		}
		out = mp
		return nil
	})
	return out, err
}

// ApprovedMonthlyPlans returns the approved monthly plans of the projects
// of a jurisdiction's plan for a year, by project ID: the baselines of
// supervision (see plan.Expected).
func (s *Store) ApprovedMonthlyPlans(ctx context.Context, jurisdictionCode string, year int) (map[string]*plan.MonthlyPlan, error) {
	var out map[string]*plan.MonthlyPlan
	err := s.read(ctx, func(c conn) error {
		var err error
		out, err = loadMonthlyPlans(c, "p.jurisdiction_code = ? AND p.year = ? AND mp.state = 'approved'", []any{jurisdictionCode, year})
		return err
	})
	return out, err
}

// SaveMonthlyPlan saves the reporting unit's draft of a project's monthly
// plan: planned cumulative values per target and month, planned
// investment per month, deadline. mp.Version is the version the writer
// started from (0 to create). Needs ActionEditMonthly.
// Errors: invalid (plan.MonthlyPlan.Validate), conflict (stale version,
// not a draft, retired project), not_found, forbidden.
func (s *Store) SaveMonthlyPlan(ctx context.Context, actor *plan.User, projectID string, mp *plan.MonthlyPlan) (*plan.MonthlyPlan, error) {
	var out *plan.MonthlyPlan
	err := s.write(ctx, actor, func(t *tx) error {
		p, cur, err := t.monthlyOp(projectID, plan.ActionEditMonthly)
		if err != nil {
			return err
		}
		if p.RetiredBy != "" {
			return plan.Errorf(plan.EConflict, "项目已在新版本计划中撤销")
		}
		state := plan.MonthlyPlanState("")
		curVersion := 0
		if cur != nil {
			state, curVersion = cur.State, cur.Version
		}
		if _, err := plan.MonthlyTransition(state, plan.MonthlySave); err != nil {
			return err
		}
		if mp.Version != curVersion {
			return staleConflict()
		}
		if err := mp.Validate(p.ActiveTargets(), p.Year).Err(); err != nil {
			return err
		}
		if cur == nil {
			if _, err := t.exec(`INSERT INTO monthly_plans (project_id, state, version, deadline, updated_at, updated_by) VALUES (?, 'draft', 1, ?, ?, ?)`,
				projectID, mp.Deadline, ts(t.now), actor.ID); err != nil {
				return err
			}
		} else {
			res, err := t.exec(`UPDATE monthly_plans SET version = version + 1, deadline = ?, updated_at = ?, updated_by = ? WHERE project_id = ? AND version = ?`,
				mp.Deadline, ts(t.now), actor.ID, projectID, mp.Version)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return staleConflict()
			}
			for _, table := range []string{"monthly_plan_targets", "monthly_plan_investment"} {
				if _, err := t.exec("DELETE FROM "+table+" WHERE project_id = ?", projectID); err != nil {
					return err
				}
			}
		}
		for _, mt := range mp.Targets {
			for i, v := range mt.Cumulative {
				if v != nil {
					if _, err := t.exec("INSERT INTO monthly_plan_targets (project_id, target_id, month, value) VALUES (?, ?, ?, ?)",
						projectID, mt.TargetID, i+1, v.String()); err != nil {
						return err
					}
				}
			}
		}
		for i, v := range mp.Investment {
			if v != nil {
				if _, err := t.exec("INSERT INTO monthly_plan_investment (project_id, month, value) VALUES (?, ?, ?)", projectID, i+1, v.String()); err != nil {
					return err
				}
			}
		}
		if out, err = loadMonthlyPlan(t.conn, projectID); err != nil {
			return err
		}
		return t.auditIn(ScopeOf(p.JurisdictionCode, p.Year), "monthly_plan.save", "monthly_plan", projectID, cur, out)
	})
	return out, err
}

func (t *tx) monthlyOp(projectID string, action plan.Action) (*plan.ProjectRecord, *plan.MonthlyPlan, error) {
	p, err := getProject(t.conn, projectID)
	if err != nil {
		return nil, nil, err
	}
	cur, err := loadMonthlyPlan(t.conn, projectID)
	if err != nil {
		return nil, nil, err
	}
	state := plan.MonthlyPlanState("")
	if cur != nil {
		state = cur.State
	}
	if err := plan.Authorize(t.actor, action, plan.MonthlyPlanResource(p, state)); err != nil {
		return nil, nil, err
	}
	return p, cur, nil
}

// SubmitMonthlyPlan submits a draft monthly plan for approval; version is
// the version the writer saw (0: no check). Needs ActionEditMonthly.
// Errors: conflict, not_found, forbidden.
func (s *Store) SubmitMonthlyPlan(ctx context.Context, actor *plan.User, projectID string, version int) (*plan.MonthlyPlan, error) {
	return s.moveMonthly(ctx, actor, projectID, version, plan.MonthlySubmit, "")
}

// ApproveMonthlyPlan approves a submitted monthly plan; from then on it is
// the project's baseline. Needs ActionApproveMonthly. Errors: conflict,
// not_found, forbidden.
func (s *Store) ApproveMonthlyPlan(ctx context.Context, actor *plan.User, projectID string) (*plan.MonthlyPlan, error) {
	return s.moveMonthly(ctx, actor, projectID, 0, plan.MonthlyApprove, "")
}

// ReturnMonthlyPlan sends a submitted monthly plan back to draft with a
// reason. Needs ActionApproveMonthly. Errors: invalid (no reason),
// conflict, not_found, forbidden.
func (s *Store) ReturnMonthlyPlan(ctx context.Context, actor *plan.User, projectID, reason string) (*plan.MonthlyPlan, error) {
	return s.moveMonthly(ctx, actor, projectID, 0, plan.MonthlyReturn, reason)
}

// ReopenMonthlyPlan sends an approved monthly plan back to draft with a
// reason (the baseline falls back to 序时进度 until it is approved again).
// Needs ActionApproveMonthly. Errors: invalid, conflict, not_found,
// forbidden.
func (s *Store) ReopenMonthlyPlan(ctx context.Context, actor *plan.User, projectID, reason string) (*plan.MonthlyPlan, error) {
	return s.moveMonthly(ctx, actor, projectID, 0, plan.MonthlyReopen, reason)
}

func (s *Store) moveMonthly(ctx context.Context, actor *plan.User, projectID string, version int, action plan.MonthlyAction, reason string) (*plan.MonthlyPlan, error) {
	needed := plan.ActionApproveMonthly
	if action == plan.MonthlySubmit {
		needed = plan.ActionEditMonthly
	}
	reason = strings.TrimSpace(reason)
	var out *plan.MonthlyPlan
	err := s.write(ctx, actor, func(t *tx) error {
		p, cur, err := t.monthlyOp(projectID, needed)
		if err != nil {
			return err
		}
		if (action == plan.MonthlyReturn || action == plan.MonthlyReopen) && reason == "" {
			return plan.FieldError("reason", "退回月度计划时必须填写理由")
		}
		state := plan.MonthlyPlanState("")
		if cur != nil {
			state = cur.State
		}
		next, err := plan.MonthlyTransition(state, action)
		if err != nil {
			return err
		}
		if version != 0 && version != cur.Version {
			return staleConflict()
		}
		q := "UPDATE monthly_plans SET state = ?, version = version + 1, return_reason = ?, updated_at = ?, updated_by = ?"
		args := []any{string(next), reason, ts(t.now), actor.ID}
		switch action {
		case plan.MonthlySubmit:
			q += ", submitted_at = ?"
			args = append(args, ts(t.now))
		case plan.MonthlyApprove:
			q += ", approved_at = ?, approved_by = ?"
			args = append(args, ts(t.now), actor.ID)
		default:
			q += ", approved_at = NULL, approved_by = ''"
		}
		if _, err := t.exec(q+" WHERE project_id = ? AND version = ?", append(args, projectID, cur.Version)...); err != nil {
			return err
		}
		if out, err = loadMonthlyPlan(t.conn, projectID); err != nil {
			return err
		}
		// What the roll-up reads changes with approval only.
		if state == plan.MonthlyApproved || next == plan.MonthlyApproved {
			if _, err := t.refreshFacts([]plan.ProjectRecord{*p}, "p.id = ?", []any{p.ID}, nil); err != nil {
				return err
			}
		}
		return t.auditIn(ScopeOf(p.JurisdictionCode, p.Year), "monthly_plan."+string(action), "monthly_plan", projectID, cur, out)
	})
	return out, err
}
