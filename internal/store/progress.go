package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"minsheng/internal/plan"
	"minsheng/internal/progress"
)

// The bulk upload of a month's figures (internal/progress): every row of
// the file is matched by its key, checked against the database and the
// report rules, and the changed reports are saved as drafts in one
// transaction — all of them or, at the first problem anywhere, none.

// ProgressChange is one value the upload changes.
type ProgressChange struct {
	ProjectID string `json:"project_id"`
	Seq       int    `json:"seq"`
	Project   string `json:"project"`
	Item      string `json:"item"`  // 项目合计, the sub-project or the target
	Field     string `json:"field"` // the column's header
	Before    string `json:"before"`
	After     string `json:"after"`
	Place     string `json:"place"` // where in the file
}

// ProgressWarning is a warning of the report rules, with its place.
type ProgressWarning struct {
	Place   string `json:"place"`
	Message string `json:"message"`
}

// ProgressResult is what an upload changed, or would change (DryRun).
type ProgressResult struct {
	Period   plan.Period       `json:"period"`
	DryRun   bool              `json:"dry_run"`
	Rows     int               `json:"rows"`     // rows read
	Reports  int               `json:"reports"`  // reports created or changed
	Created  int               `json:"created"`  // of which new drafts
	Projects []string          `json:"projects"` // IDs of the reports' projects
	Changes  []ProgressChange  `json:"changes"`
	Warnings []ProgressWarning `json:"warnings"`
}

var errDryRun = errors.New("dry run")

// ApplyProgress saves the figures of an uploaded sheet into the period's
// draft reports of the projects its rows name, after checking every row:
// the key is known, the names beside it still match, the actor may edit
// the project's report (a unit: its own projects), the report is still
// editable, and the report rules (plan.ValidateReport) hold. Blank cells
// leave values as they are. With dryRun nothing is written and the result
// says what would change. Audited per report, and once for the upload.
// Errors: invalid (with Details naming each place; nothing written),
// forbidden (rows of projects the actor may not report on; Details as
// for invalid), unauthorized.
func (s *Store) ApplyProgress(ctx context.Context, actor *plan.User, period plan.Period, f *progress.File, dryRun bool) (*ProgressResult, error) {
	if !period.Valid() {
		return nil, plan.FieldError("period", "月份无效")
	}
	var res *ProgressResult
	err := s.write(ctx, actor, func(t *tx) error {
		var err error
		res, err = t.applyProgress(period, f)
		if err != nil {
			return err
		}
		res.DryRun = dryRun
		if dryRun {
			return errDryRun
		}
		return t.audit("report.bulk", "period", period.String(), nil, map[string]any{
			"file": f.Name, "rows": res.Rows, "reports": res.Reports, "projects": res.Projects})
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// progressProject gathers the rows of one project.
type progressProject struct {
	p    *plan.ProjectRecord
	rows []*progress.Row
}

func (t *tx) applyProgress(period plan.Period, f *progress.File) (*ProgressResult, error) {
	res := &ProgressResult{Period: period, Rows: len(f.Rows), Projects: []string{}, Changes: []ProgressChange{}, Warnings: []ProgressWarning{}}
	var errs progress.Errors
	forbidden := false
	fail := func(r *progress.Row, col progress.Column, format string, args ...any) {
		errs = append(errs, progress.CellError{Place: f.Place(r, col), Message: fmt.Sprintf(format, args...)})
	}
	projects := map[string]*progressProject{}
	var order []string
	for i := range f.Rows {
		r := &f.Rows[i]
		pid, err := t.projectOfKey(r.Key)
		if err != nil {
			return nil, err
		}
		if pid == "" {
			fail(r, progress.ColKey, "编码“%s”在系统中找不到对应的%s（可能来自其他地区或年度的模板）", r.Key, r.Key.Kind.Label())
			continue
		}
		pp := projects[pid]
		if pp == nil {
			p, err := getProject(t.conn, pid)
			if err != nil {
				return nil, err
			}
			pp = &progressProject{p: p}
			projects[pid] = pp
			order = append(order, pid)
		}
		pp.rows = append(pp.rows, r)
	}
	for _, pid := range order {
		pp := projects[pid]
		p := pp.p
		first := pp.rows[0]
		if !t.checkProgressRows(f, pp, period, fail) {
			continue
		}
		cur, err := loadReport(t.conn, p.ID, period)
		if err != nil {
			return nil, err
		}
		state := plan.ReportState("")
		if cur != nil {
			state = cur.State
		}
		switch {
		case !plan.Can(t.actor, plan.ActionEditReport, plan.ReportResource(p, plan.ReportDraft)):
			fail(first, -1, "第%d件“%s”不是本单位负责填报的项目，不能修改", p.Seq, p.Title)
			forbidden = true
			continue
		case !state.Editable():
			fail(first, -1, "第%d件“%s”%s的报告%s，不能再修改", p.Seq, p.Title, period.Label(), state.Label())
			continue
		}
		in, changes := mergeProgress(f, p, cur, pp.rows)
		if len(changes) == 0 {
			continue
		}
		_, warnings, err := t.saveReport(p.ID, period, in)
		var pe *plan.Error
		switch {
		case errors.As(err, &pe) && pe.Code == plan.EInvalid:
			if len(pe.Details) == 0 {
				fail(first, -1, "第%d件“%s”：%s", p.Seq, p.Title, pe.Message)
			}
			for _, d := range pe.Details {
				if d.Severity == plan.ProblemError {
					r, col := placeOfField(p, pp.rows, d.Field)
					fail(r, col, "%s", d.Message)
				}
			}
			continue
		case errors.As(err, &pe) && (pe.Code == plan.EConflict || pe.Code == plan.EForbidden):
			fail(first, -1, "第%d件“%s”：%s", p.Seq, p.Title, pe.Message)
			continue
		case err != nil:
			return nil, err
		}
		for _, w := range warnings {
			r, col := placeOfField(p, pp.rows, w.Field)
			res.Warnings = append(res.Warnings, ProgressWarning{Place: f.Place(r, col), Message: w.Message})
		}
		res.Reports++
		if cur == nil {
			res.Created++
		}
		res.Projects = append(res.Projects, p.ID)
		res.Changes = append(res.Changes, changes...)
	}
	if len(errs) > 0 {
		e := errs.PlanError()
		if forbidden {
			// Rows of projects that are not the unit's: a refusal (403)
			// rather than a mistake in the file.
			e.Code = plan.EForbidden
		}
		return nil, e
	}
	return res, nil
}

// projectOfKey finds the project a row's key belongs to; "" when unknown.
func (t *tx) projectOfKey(k progress.Key) (string, error) {
	var q string
	switch k.Kind {
	case progress.KindProject:
		q = "SELECT id FROM projects WHERE id = ?"
	case progress.KindSubproject:
		q = "SELECT project_id FROM subprojects WHERE id = ? AND retired_by = ''"
	case progress.KindTarget:
		q = "SELECT project_id FROM targets WHERE id = ? AND retired_by = ''"
	}
	var pid string
	err := t.row(q, k.ID).Scan(&pid)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return pid, err
}

// checkProgressRows refuses rows of a project that cannot be written: a
// project of another year or retired, and rows whose names no longer
// match their keys (a row copied over another, keys pasted onto the
// wrong lines).
func (t *tx) checkProgressRows(f *progress.File, pp *progressProject, period plan.Period, fail func(*progress.Row, progress.Column, string, ...any)) bool {
	p, ok := pp.p, true
	first := pp.rows[0]
	switch {
	case p.RetiredBy != "":
		fail(first, -1, "第%d件“%s”已在新版本计划中撤销，不能再填报", p.Seq, p.Title)
		return false
	case p.Year != period.Year:
		fail(first, -1, "“%s”是 %d 年度的项目，不能填入%s", p.Title, p.Year, period.Label())
		return false
	}
	for _, r := range pp.rows {
		if r.Project != "" && r.Project != p.Title {
			fail(r, progress.ColProject, "编码对应的项目是“%s”，与此格“%s”不符：请勿修改编码和名称，或重新下载模板", p.Title, r.Project)
			ok = false
		}
		want := ""
		switch r.Key.Kind {
		case progress.KindSubproject:
			for _, s := range p.Subprojects {
				if s.ID == r.Key.ID {
					want = s.Name
				}
			}
		case progress.KindTarget:
			for _, tg := range p.Targets {
				if tg.ID == r.Key.ID {
					want = tg.Metric
				}
			}
		}
		if want != "" && r.Name != "" && r.Name != want {
			fail(r, progress.ColName, "编码对应的是“%s”，与此格“%s”不符：请勿修改编码和名称，或重新下载模板", want, r.Name)
			ok = false
		}
	}
	return ok
}

// mergeProgress lays the file's values over the current report and lists
// what changes.
func mergeProgress(f *progress.File, p *plan.ProjectRecord, cur *storedReport, rows []*progress.Row) (ReportInput, []ProgressChange) {
	in := ReportInput{Targets: []plan.ReportTarget{}, Funds: []plan.SubprojectFunds{}}
	if cur != nil {
		r := cur.Report
		in.Version = r.Version
		in.Targets = append(in.Targets, r.Targets...)
		in.Investment, in.Disbursed, in.Allocated = r.Investment, r.Disbursed, r.Allocated
		in.Funds = append(in.Funds, r.Funds...)
		in.Progress, in.Problems, in.NextSteps = r.Progress, r.Problems, r.NextSteps
	}
	var changes []ProgressChange
	change := func(r *progress.Row, item string, col progress.Column, before, after string) {
		if before == after {
			return
		}
		changes = append(changes, ProgressChange{ProjectID: p.ID, Seq: p.Seq, Project: p.Title, Item: item,
			Field: progress.Headers[col], Before: before, After: after, Place: f.Place(r, col)})
	}
	setDec := func(r *progress.Row, item string, col progress.Column, dst **plan.Decimal) {
		v := r.Figure(col)
		if v == nil {
			return
		}
		if *dst == nil || !(*dst).Equal(v.Decimal) {
			change(r, item, col, decText(*dst), v.String())
			*dst = v
		}
	}
	setText := func(r *progress.Row, col progress.Column, dst *string) {
		if v := r.Text(col); v != "" && v != *dst {
			change(r, "项目合计", col, *dst, v)
			*dst = v
		}
	}
	for _, r := range rows {
		switch r.Key.Kind {
		case progress.KindProject:
			setDec(r, "项目合计", progress.ColSpent, &in.Investment)
			setDec(r, "项目合计", progress.ColAllocated, &in.Allocated)
			setDec(r, "项目合计", progress.ColDisbursed, &in.Disbursed)
			setText(r, progress.ColProgress, &in.Progress)
			setText(r, progress.ColProblems, &in.Problems)
			setText(r, progress.ColNextSteps, &in.NextSteps)
		case progress.KindSubproject:
			i := fundsIndex(&in, r.Key.ID)
			fr := &in.Funds[i]
			setDec(r, r.Name, progress.ColSpent, &fr.Spent)
			setDec(r, r.Name, progress.ColAllocated, &fr.Allocated)
			setDec(r, r.Name, progress.ColDisbursed, &fr.Disbursed)
		case progress.KindTarget:
			i := targetIndex(&in, r.Key.ID)
			setDec(r, r.Name, progress.ColActual, &in.Targets[i].Actual)
		}
	}
	return in, changes
}

func fundsIndex(in *ReportInput, id string) int {
	for i := range in.Funds {
		if in.Funds[i].SubprojectID == id {
			return i
		}
	}
	in.Funds = append(in.Funds, plan.SubprojectFunds{SubprojectID: id})
	return len(in.Funds) - 1
}

func targetIndex(in *ReportInput, id string) int {
	for i := range in.Targets {
		if in.Targets[i].TargetID == id {
			return i
		}
	}
	in.Targets = append(in.Targets, plan.ReportTarget{TargetID: id})
	return len(in.Targets) - 1
}

func decText(d *plan.Decimal) string {
	if d == nil {
		return ""
	}
	return d.String()
}

// placeOfField finds the row and column of a report field named by a
// validation problem (targets.ID, funds.ID.allocated_wan, investment_wan
// …) among a project's rows; the project's first row when the field has
// no row in the file (a value kept from the draft).
func placeOfField(p *plan.ProjectRecord, rows []*progress.Row, field string) (*progress.Row, progress.Column) {
	find := func(k progress.Key) *progress.Row {
		for _, r := range rows {
			if r.Key == k {
				return r
			}
		}
		return nil
	}
	col := progress.Column(-1)
	var key progress.Key
	switch {
	case strings.HasPrefix(field, "targets."):
		key, col = progress.Key{Kind: progress.KindTarget, ID: strings.TrimPrefix(field, "targets.")}, progress.ColActual
	case strings.HasPrefix(field, "funds."):
		id, sub, _ := strings.Cut(strings.TrimPrefix(field, "funds."), ".")
		key, col = progress.Key{Kind: progress.KindSubproject, ID: id}, moneyColumn(sub)
	default:
		key, col = progress.Key{Kind: progress.KindProject, ID: p.ID}, moneyColumn(field)
		switch field {
		case "progress":
			col = progress.ColProgress
		case "problems":
			col = progress.ColProblems
		case "next_steps":
			col = progress.ColNextSteps
		}
	}
	if r := find(key); r != nil {
		return r, col
	}
	return rows[0], -1
}

func moneyColumn(field string) progress.Column {
	switch field {
	case "investment_wan", "spent_wan":
		return progress.ColSpent
	case "allocated_wan":
		return progress.ColAllocated
	case "disbursed_wan":
		return progress.ColDisbursed
	}
	return -1
}
