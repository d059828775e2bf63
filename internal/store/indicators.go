package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"minsheng/internal/indicator"
	"minsheng/internal/plan"
)

// IndicatorTargets lists the targets in force of the published plans of
// the given jurisdictions and years (none given: all), by jurisdiction,
// year, project and target, each with the metric of the target before it
// in its project and the manual indicator mapping, if any — what
// indicator.Set.Compare and Unmatched read. Published plans are public:
// no user is needed.
func (s *Store) IndicatorTargets(ctx context.Context, codes []string, years []int) ([]indicator.Target, error) {
	where, args := []string{"p.retired_by = ''", "t.retired_by = ''"}, []any{}
	if len(codes) > 0 {
		where = append(where, "p.jurisdiction_code IN ("+marks(len(codes))+")")
		for _, c := range codes {
			args = append(args, c)
		}
	}
	if len(years) > 0 {
		where = append(where, "p.year IN ("+marks(len(years))+")")
		for _, y := range years {
			args = append(args, y)
		}
	}
	var out []indicator.Target
	err := s.read(ctx, func(c conn) error {
		rows, err := c.query(`SELECT t.id, p.id, p.seq, p.title, p.plan_id, p.jurisdiction_code, j.name, p.year,
			t.metric, t.text, t.kind, t.value, t.unit, t.base_value, t.base_unit, o.indicator_id
			FROM targets t JOIN projects p ON p.id = t.project_id JOIN jurisdictions j ON j.code = p.jurisdiction_code
			LEFT JOIN indicator_overrides o ON o.target_id = t.id
			WHERE `+strings.Join(where, " AND ")+` ORDER BY p.jurisdiction_code, p.year, p.seq, t.seq`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		prevProject, prevMetric := "", ""
		for rows.Next() {
			var t indicator.Target
			var value string
			var base, baseUnit, override sql.NullString
			if err := rows.Scan(&t.TargetID, &t.ProjectID, &t.ProjectSeq, &t.ProjectTitle, &t.PlanID, &t.JurisdictionCode, &t.JurisdictionName,
				&t.Year, &t.Metric, &t.Text, &t.Kind, &value, &t.Unit, &base, &baseUnit, &override); err != nil {
				return err
			}
			if base.Valid && baseUnit.Valid {
				value, t.Unit = base.String, baseUnit.String
			}
			if t.Value, err = plan.ParseDecimal(value); err != nil {
				return err
			}
			t.Override = strPtr(override)
			if t.ProjectID == prevProject {
				t.PrevMetric = prevMetric
			}
			prevProject, prevMetric = t.ProjectID, t.Metric
			out = append(out, t)
		}
		return rows.Err()
	})
	return out, err
}

func marks(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// IndicatorOverride is a person's mapping of a target to a canonical
// indicator ("" for none), which wins over the indicator file.
type IndicatorOverride struct {
	TargetID    string `json:"target_id"`
	IndicatorID string `json:"indicator_id"`
}

// SetIndicatorOverride maps a target in force to the indicator id ("" for
// none: the target measures no indicator, whatever the file's phrases
// say). The caller checks that id names an indicator of the file in force.
// Needs ActionMapIndicator on the target's project: its jurisdiction's
// supervisor, or an admin. Errors: not_found, forbidden.
func (s *Store) SetIndicatorOverride(ctx context.Context, actor *plan.User, targetID, indicatorID string) error {
	return s.write(ctx, actor, func(t *tx) error {
		p, err := projectOfTarget(t.conn, targetID)
		if err != nil {
			return err
		}
		if err := plan.Authorize(actor, plan.ActionMapIndicator, plan.ProjectResource(p)); err != nil {
			return err
		}
		var before *IndicatorOverride
		var old string
		switch err := t.row("SELECT indicator_id FROM indicator_overrides WHERE target_id = ?", targetID).Scan(&old); {
		case err == nil:
			before = &IndicatorOverride{TargetID: targetID, IndicatorID: old}
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if _, err := t.exec("DELETE FROM indicator_overrides WHERE target_id = ?", targetID); err != nil {
			return err
		}
		if _, err := t.exec("INSERT INTO indicator_overrides (target_id, indicator_id, updated_at, updated_by) VALUES (?, ?, ?, ?)",
			targetID, indicatorID, ts(t.now), actor.ID); err != nil {
			return err
		}
		return t.audit("indicator.map", "target", targetID, before, IndicatorOverride{TargetID: targetID, IndicatorID: indicatorID})
	})
}

// ClearIndicatorOverride removes a person's mapping of a target, so that
// the indicator file decides again; without a mapping it does nothing
// (and logs nothing). Needs ActionMapIndicator.
// Errors: not_found (the target), forbidden.
func (s *Store) ClearIndicatorOverride(ctx context.Context, actor *plan.User, targetID string) error {
	return s.write(ctx, actor, func(t *tx) error {
		p, err := projectOfTarget(t.conn, targetID)
		if err != nil {
			return err
		}
		if err := plan.Authorize(actor, plan.ActionMapIndicator, plan.ProjectResource(p)); err != nil {
			return err
		}
		var old string
		if err := t.row("SELECT indicator_id FROM indicator_overrides WHERE target_id = ?", targetID).Scan(&old); errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return err
		}
		if _, err := t.exec("DELETE FROM indicator_overrides WHERE target_id = ?", targetID); err != nil {
			return err
		}
		return t.audit("indicator.unmap", "target", targetID, IndicatorOverride{TargetID: targetID, IndicatorID: old}, nil)
	})
}

// projectOfTarget returns the project, in force, of a target in force.
func projectOfTarget(c conn, targetID string) (*plan.ProjectRecord, error) {
	var pid string
	err := c.row("SELECT project_id FROM targets WHERE id = ? AND retired_by = ''", targetID).Scan(&pid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("目标 %s 不存在或已被新版本计划取消", targetID)
	}
	if err != nil {
		return nil, err
	}
	p, err := getProject(c, pid)
	if err != nil {
		return nil, err
	}
	if p.RetiredBy != "" {
		return nil, notFound("目标 %s 所属项目已被新版本计划取消", targetID)
	}
	return p, nil
}
