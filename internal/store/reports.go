package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"minsheng/internal/metrics"
	"minsheng/internal/plan"
)

// ReportInput is what the reporting unit writes into its draft, the body
// of PUT /api/v1/projects/{id}/reports/{period}. Values are year-to-date
// totals (see plan.Report).
type ReportInput struct {
	// Version is the report version the writer started from: 0 for a
	// report not yet created.
	Version    int                 `json:"version"`
	Targets    []plan.ReportTarget `json:"targets"`
	Investment *plan.Decimal       `json:"investment_wan"`
	Disbursed  *plan.Decimal       `json:"disbursed_wan"`
	// Allocated and Funds: the funds allocated and the sub-projects' money
	// (plan.SubprojectFunds, funds.go).
	Allocated *plan.Decimal          `json:"allocated_wan"`
	Funds     []plan.SubprojectFunds `json:"funds"`
	Progress  string                 `json:"progress"`
	Problems  string                 `json:"problems"`
	NextSteps string                 `json:"next_steps"`
}

// HasContent tells whether in carries any of a report's content, beyond
// the version.
func (in *ReportInput) HasContent() bool {
	return in.Targets != nil || in.Investment != nil || in.Disbursed != nil || in.Allocated != nil || in.Funds != nil ||
		in.Progress != "" || in.Problems != "" || in.NextSteps != ""
}

// ContributionInput is what a responsible unit adds to a report.
type ContributionInput struct {
	Text       string        `json:"text"`
	Investment *plan.Decimal `json:"investment_wan"`
}

// ReportFilter selects reports for ListReports; zero fields select all.
type ReportFilter struct {
	JurisdictionCode string
	Year             int
	Period           plan.Period // zero: every period
	State            plan.ReportState
	ProjectID        string
}

const reportColumns = `r.id, r.project_id, r.period, r.state, r.version, r.submitted_version, r.investment_wan, r.disbursed_wan,
	r.progress, r.problems, r.next_steps, r.return_reason, r.created_at, r.updated_at, r.updated_by,
	r.submitted_at, r.submitted_by, r.accepted_at, r.accepted_by, p.jurisdiction_code, p.seq`

// storedReport is a report with what the store keeps beside it.
type storedReport struct {
	plan.Report
	submittedVersion int
	// The project's, for the list's order (reportKeys).
	jurisdictionCode string
	seq              int
}

func scanReport(r interface{ Scan(...any) error }) (*storedReport, error) {
	var sr storedReport
	rp := &sr.Report
	var inv, disb, submittedAt, acceptedAt sql.NullString
	var created, updated string
	if err := r.Scan(&rp.ID, &rp.ProjectID, &rp.Period, &rp.State, &rp.Version, &sr.submittedVersion, &inv, &disb,
		&rp.Progress, &rp.Problems, &rp.NextSteps, &rp.ReturnReason, &created, &updated, &rp.UpdatedBy,
		&submittedAt, &rp.SubmittedBy, &acceptedAt, &rp.AcceptedBy, &sr.jurisdictionCode, &sr.seq); err != nil {
		return nil, err
	}
	var err error
	if rp.Investment, err = scanDec(inv); err != nil {
		return nil, err
	}
	if rp.Disbursed, err = scanDec(disb); err != nil {
		return nil, err
	}
	rp.CreatedAt, rp.UpdatedAt = parseTS(created), parseTS(updated)
	rp.SubmittedAt, rp.AcceptedAt = parseTSPtr(submittedAt), parseTSPtr(acceptedAt)
	rp.Targets, rp.Attachments, rp.Contributions, rp.Funds = []plan.ReportTarget{}, []plan.Attachment{}, []plan.Contribution{}, []plan.SubprojectFunds{}
	return &sr, nil
}

// reportKeys is the order of report lists.
var reportKeys = keyset{{"p.jurisdiction_code", false}, {"r.period", false}, {"p.seq", false}, {"r.id", false}}

// loadReports reads the reports matching where (alias r, with projects p
// joined) and their targets, contributions and attachments, in
// reportKeys order; tail limits them (Page.limit).
func loadReports(c conn, where string, args []any, tail string) ([]storedReport, error) {
	return loadReportsWith(c, where, args, tail, partAll)
}

// loadReportsWith is loadReports reading only the parts given.
func loadReportsWith(c conn, where string, args []any, tail string, parts reportParts) ([]storedReport, error) {
	from := " FROM reports r JOIN projects p ON p.id = r.project_id WHERE " + where
	rows, err := c.query("SELECT "+reportColumns+from+reportKeys.orderBy()+tail, args...)
	if err != nil {
		return nil, err
	}
	var out []storedReport
	index := map[string]int{}
	for rows.Next() {
		sr, err := scanReport(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		index[sr.ID] = len(out)
		out = append(out, *sr)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	// A page's parts by its reports' IDs: the query again as a subquery
	// would sort the whole range once per part (a province's month of
	// reports: about a second). Longer lists keep the subquery.
	if len(out) <= maxPageIDs {
		ids := make([]any, len(out))
		for i := range out {
			ids[i] = out[i].ID
		}
		return out, loadReportParts(c, out, index, "IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")+")", ids, parts)
	}
	return out, loadReportParts(c, out, index, "IN (SELECT r.id"+from+reportKeys.orderBy()+tail+")", args, parts)
}

// maxPageIDs is the longest list of IDs a query names one by one: the
// largest page and the row that tells a next page exists (Page.limit).
const maxPageIDs = MaxPageLimit + 1

// Which of a report's child rows to read.
type reportParts uint8

const (
	partTargets reportParts = 1 << iota
	partContributions
	partAttachments
	partFunds // the allocation and the sub-projects' funds (funds.go)
	partAll   = partTargets | partContributions | partAttachments | partFunds
)

// loadReportParts reads the parts of the reports out (index: by ID) whose
// IDs the condition ids (e.g. "= ?" or "IN (subquery)") with args selects.
func loadReportParts(c conn, out []storedReport, index map[string]int, ids string, args []any, parts reportParts) error {
	if parts&partTargets != 0 {
		rows, err := c.query(`SELECT rt.report_id, rt.target_id, rt.actual, rt.note FROM report_targets rt JOIN targets t ON t.id = rt.target_id
			WHERE rt.report_id `+ids+` ORDER BY rt.report_id, t.seq`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var rid string
			var rt plan.ReportTarget
			var actual sql.NullString
			if err := rows.Scan(&rid, &rt.TargetID, &actual, &rt.Note); err != nil {
				rows.Close()
				return err
			}
			if rt.Actual, err = scanDec(actual); err != nil {
				rows.Close()
				return err
			}
			out[index[rid]].Targets = append(out[index[rid]].Targets, rt)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	if parts&partFunds != 0 {
		if err := loadReportFunds(c, ids, args, out, index); err != nil {
			return err
		}
	}
	if parts&partContributions != 0 {
		rows, err := c.query(`SELECT rc.report_id, rc.unit_id, u.name, rc.text, rc.investment_wan, rc.updated_at, rc.updated_by
			FROM report_contributions rc JOIN units u ON u.id = rc.unit_id WHERE rc.report_id `+ids+` ORDER BY rc.report_id, u.name`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var rid, updated string
			var ct plan.Contribution
			var inv sql.NullString
			if err := rows.Scan(&rid, &ct.UnitID, &ct.UnitName, &ct.Text, &inv, &updated, &ct.UpdatedBy); err != nil {
				rows.Close()
				return err
			}
			if ct.Investment, err = scanDec(inv); err != nil {
				rows.Close()
				return err
			}
			ct.UpdatedAt = parseTS(updated)
			out[index[rid]].Contributions = append(out[index[rid]].Contributions, ct)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	if parts&partAttachments == 0 {
		return nil
	}
	rows, err := c.query(`SELECT ra.report_id, ra.sha256, ra.name, a.content_type, a.size, ra.added_at, ra.added_by
		FROM report_attachments ra JOIN attachments a ON a.sha256 = ra.sha256 WHERE ra.report_id `+ids+` ORDER BY ra.report_id, ra.added_at, ra.name`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var rid, added string
		var at plan.Attachment
		if err := rows.Scan(&rid, &at.SHA256, &at.Name, &at.ContentType, &at.Size, &added, &at.AddedBy); err != nil {
			return err
		}
		at.AddedAt = parseTS(added)
		out[index[rid]].Attachments = append(out[index[rid]].Attachments, at)
	}
	return rows.Err()
}

// loadReport returns the report of a project and period with all its
// parts, or nil.
func loadReport(c conn, projectID string, period plan.Period) (*storedReport, error) {
	return loadReportWith(c, projectID, period, partAll)
}

// loadReportWith returns the report of a project and period with the parts
// asked for, or nil.
func loadReportWith(c conn, projectID string, period plan.Period, parts reportParts) (*storedReport, error) {
	sr, err := scanReport(c.row("SELECT "+reportColumns+" FROM reports r JOIN projects p ON p.id = r.project_id WHERE r.project_id = ? AND r.period = ?",
		projectID, period.String()))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return sr, sr.loadParts(c, parts)
}

// loadParts reads the parts of one report.
func (sr *storedReport) loadParts(c conn, parts reportParts) error {
	if parts == 0 {
		return nil
	}
	out := []storedReport{*sr}
	err := loadReportParts(c, out, map[string]int{sr.ID: 0}, "= ?", []any{sr.ID}, parts)
	*sr = out[0]
	return err
}

// GetReport returns a project's report for a period, with its targets,
// contributions and attachments. Errors: not_found (no such project, or
// no report yet — after the read check, so that it tells nothing to those
// who may not read), forbidden, unauthorized.
func (s *Store) GetReport(ctx context.Context, actor *plan.User, projectID string, period plan.Period) (*plan.Report, error) {
	var out *plan.Report
	err := s.read(ctx, func(c conn) error {
		p, err := getProject(c, projectID)
		if err != nil {
			return err
		}
		sr, err := loadReport(c, projectID, period)
		if err != nil {
			return err
		}
		state := plan.ReportState("")
		if sr != nil {
			state = sr.State
		}
		if err := plan.Authorize(actor, plan.ActionRead, plan.ReportResource(p, state)); err != nil {
			return err
		}
		if sr == nil {
			return notFound("%s的报告尚未填报", period.Label())
		}
		out = &sr.Report
		return nil
	})
	return out, err
}

// ListReports returns the reports f selects that actor may read (the
// supervisor's review queue is State: submitted), by jurisdiction, period
// and project seq.
func (s *Store) ListReports(ctx context.Context, actor *plan.User, f ReportFilter) ([]plan.Report, error) {
	out, _, err := s.ReportsPage(ctx, actor, f, Page{})
	return out, err
}

// ReportsPage is one page of ListReports and the cursor of the next.
// A page holds at most pg.Limit reports, fewer when some of those in
// the actor's range are not the actor's to read. Errors: invalid (cursor).
func (s *Store) ReportsPage(ctx context.Context, actor *plan.User, f ReportFilter, pg Page) ([]plan.Report, string, error) {
	after, afterArgs, err := reportKeys.where(pg.After)
	if err != nil {
		return nil, "", err
	}
	where, args := []string{after}, afterArgs
	if f.JurisdictionCode != "" {
		where, args = append(where, "p.jurisdiction_code = ?"), append(args, f.JurisdictionCode)
	}
	if f.Year != 0 {
		where, args = append(where, "p.year = ?"), append(args, f.Year)
	}
	if !f.Period.IsZero() {
		where, args = append(where, "r.period = ?"), append(args, f.Period.String())
	}
	if f.State != "" {
		where, args = append(where, "r.state = ?"), append(args, string(f.State))
	}
	if f.ProjectID != "" {
		where, args = append(where, "r.project_id = ?"), append(args, f.ProjectID)
	}
	// Read only what the actor may see (plan.Can still decides each
	// report): a unit's projects, or its jurisdiction and those under it.
	// Without this a province's leader loaded the nation's reports.
	switch {
	case actor.IsSystem():
	case actor != nil && actor.Role.NeedsUnit():
		where, args = append(where, "r.project_id IN (SELECT project_id FROM project_units WHERE unit_id = ?)"), append(args, actor.UnitID)
	case actor != nil && actor.JurisdictionCode != "":
		where, args = append(where, "p.jurisdiction_code LIKE ?"), append(args, plan.CoveredPrefix(actor.JurisdictionCode)+"%")
	default:
		return nil, "", nil // no jurisdiction, no unit: no report to read
	}
	var out []plan.Report
	var next string
	err = s.read(ctx, func(c conn) error {
		rs, err := loadReports(c, strings.Join(where, " AND "), args, pg.limit())
		if err != nil {
			return err
		}
		rs, next = cut(pg, rs, func(r *storedReport) []any {
			return []any{r.jurisdictionCode, r.Period.String(), r.seq, r.ID}
		})
		projects := map[string]*plan.ProjectRecord{}
		for _, sr := range rs {
			p := projects[sr.ProjectID]
			if p == nil {
				if p, err = getProject(c, sr.ProjectID); err != nil {
					return err
				}
				projects[sr.ProjectID] = p
			}
			if plan.Can(actor, plan.ActionRead, plan.ReportResource(p, sr.State)) {
				out = append(out, sr.Report)
			}
		}
		return nil
	})
	return out, next, err
}

// ReportRevisions returns every kept state of a report, oldest first.
// Needs read access to the report as it is now. Errors: not_found,
// forbidden.
func (s *Store) ReportRevisions(ctx context.Context, actor *plan.User, projectID string, period plan.Period) ([]plan.Revision, error) {
	var out []plan.Revision
	err := s.read(ctx, func(c conn) error {
		p, err := getProject(c, projectID)
		if err != nil {
			return err
		}
		sr, err := loadReport(c, projectID, period)
		if err != nil {
			return err
		}
		if sr == nil {
			return notFound("%s的报告尚未填报", period.Label())
		}
		if err := plan.Authorize(actor, plan.ActionRead, plan.ReportResource(p, sr.State)); err != nil {
			return err
		}
		rows, err := c.query("SELECT seq, action, state, version, actor_id, at, reason, snapshot FROM report_revisions WHERE report_id = ? ORDER BY seq", sr.ID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var rv plan.Revision
			var at, snap string
			if err := rows.Scan(&rv.Seq, &rv.Action, &rv.State, &rv.Version, &rv.ActorID, &at, &rv.Reason, &snap); err != nil {
				return err
			}
			rv.At = parseTS(at)
			if err := fromJSON(snap, &rv.Snapshot); err != nil {
				return err
			}
			out = append(out, rv)
		}
		return rows.Err()
	})
	return out, err
}

// reportOp is the common frame of every report write: it loads the project
// and the report, checks the actor may do action in the report's state,
// and after change has written, keeps a revision and an audit row.
type reportOp struct {
	t       *tx
	project *plan.ProjectRecord
	period  plan.Period
	cur     *storedReport // nil when the report does not exist yet
	// written is the content writeContent replaced, as a read of it gives
	// it back (asStored): finish need not read it again. Nil: not replaced.
	written *plan.Report
}

// The actor needs one of actions.
func (t *tx) reportOp(projectID string, period plan.Period, actions ...plan.Action) (*reportOp, error) {
	if !period.Valid() {
		return nil, plan.FieldError("period", "月份无效")
	}
	p, err := getProject(t.conn, projectID)
	if err != nil {
		return nil, err
	}
	cur, err := loadReport(t.conn, projectID, period)
	if err != nil {
		return nil, err
	}
	state := plan.ReportState("")
	if cur != nil {
		state = cur.State
	}
	res := plan.ReportResource(p, state)
	allowed := false
	for _, a := range actions {
		allowed = allowed || plan.Can(t.actor, a, res)
	}
	if !allowed {
		return nil, plan.Authorize(t.actor, actions[0], res)
	}
	return &reportOp{t: t, project: p, period: period, cur: cur}, nil
}

// version is the report's version, 0 before it exists.
func (op *reportOp) version() int {
	if op.cur == nil {
		return 0
	}
	return op.cur.Version
}

func (op *reportOp) state() plan.ReportState {
	if op.cur == nil {
		return ""
	}
	return op.cur.State
}

// checkWritable refuses writes to a retired project or a month outside the
// project's year or still to come.
func (op *reportOp) checkWritable() error {
	if op.project.RetiredBy != "" {
		return plan.Errorf(plan.EConflict, "项目已在新版本计划中撤销，不能再填报")
	}
	if op.period.Year != op.project.Year {
		return plan.FieldError("period", "%s不在项目所属的 %d 年度内", op.period.Label(), op.project.Year)
	}
	if plan.PeriodOf(op.t.now).Before(op.period) {
		return plan.FieldError("period", "%s尚未到来，不能填报", op.period.Label())
	}
	return nil
}

// previousAccepted returns the accepted report of the month before, in the
// same year, or nil.
func (op *reportOp) previousAccepted() (*plan.Report, error) {
	if op.period.Month == time.January {
		return nil, nil
	}
	prev, err := loadReportWith(op.t.conn, op.project.ID, op.period.Prev(), 0)
	if err != nil || prev == nil || prev.State != plan.ReportAccepted {
		return nil, err
	}
	// Validation reads its figures, its targets' values and its funds only.
	return &prev.Report, prev.loadParts(op.t.conn, partTargets|partFunds)
}

func (op *reportOp) validate(r *plan.Report, submitting bool) (plan.Problems, error) {
	prev, err := op.previousAccepted()
	if err != nil {
		return nil, err
	}
	ps := plan.ValidateReport(r, plan.ReportCheck{Targets: op.project.ActiveTargets(), Previous: prev,
		Submitting: submitting, PlannedInvestment: op.project.Investment, Subprojects: op.project.Subprojects})
	return ps.Warnings(), ps.Err()
}

// finish reloads the report's row, keeps a revision of the report and
// audits the change. Of its parts it reads again only the contributions or
// attachments that action writes; the content is what writeContent wrote
// (op.written) or what was read before.
func (op *reportOp) finish(action plan.ReportAction, reason string) (*plan.Report, error) {
	t := op.t
	var parts reportParts
	switch action {
	case plan.ReportContribute:
		parts = partContributions
	case plan.ReportAttach:
		parts = partAttachments
	}
	after, err := loadReportWith(t.conn, op.project.ID, op.period, parts)
	if err != nil {
		return nil, err
	}
	content := op.written
	if content == nil && op.cur != nil {
		content = &op.cur.Report
	}
	if content != nil {
		after.Targets, after.Allocated, after.Funds = content.Targets, content.Allocated, content.Funds
	}
	if op.cur != nil {
		if parts&partContributions == 0 {
			after.Contributions = op.cur.Contributions
		}
		if parts&partAttachments == 0 {
			after.Attachments = op.cur.Attachments
		}
	}
	// One JSON of the report, for its revision and its audit row.
	snapshot := toJSON(after.Report)
	// The next seq in the same statement: one round trip less per write.
	if _, err := t.exec(`INSERT INTO report_revisions (report_id, seq, action, state, version, actor_id, at, reason, snapshot)
		SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, CAST(? AS INTEGER), ?, ?, ?, ? FROM report_revisions WHERE report_id = ?`,
		after.ID, string(action), string(after.State), after.Version, t.actor.ID, ts(t.now), reason, snapshot, after.ID); err != nil {
		return nil, err
	}
	var before any
	if op.cur != nil {
		before = op.cur.Report
	}
	if err := t.reportFacts(op.project, op.period, op.state(), after.State); err != nil {
		return nil, err
	}
	if err := t.auditIn(ScopeOf(op.project.JurisdictionCode, op.project.Year), "report."+string(action), "report", after.ID, before, json.RawMessage(snapshot)); err != nil {
		return nil, err
	}
	return &after.Report, nil
}

// SaveReport saves the reporting unit's draft of a project's report for a
// period, creating it (in.Version 0) or updating it (in.Version = the
// current version). A draft stays a draft, a returned report stays
// returned (its reason stays shown) until resubmitted. It returns the saved
// report and the validation's warnings. Needs ActionEditReport.
// Errors: invalid (validation, with Details; period outside the project's
// year or in the future), conflict (stale version — the API's 409; report
// already submitted or accepted; retired project), not_found, forbidden.
func (s *Store) SaveReport(ctx context.Context, actor *plan.User, projectID string, period plan.Period, in ReportInput) (*plan.Report, plan.Problems, error) {
	var out *plan.Report
	var warnings plan.Problems
	err := s.write(ctx, actor, func(t *tx) error {
		var err error
		out, warnings, err = t.saveReport(projectID, period, in)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return out, warnings, nil
}

// saveReport is SaveReport inside a transaction (also used by the bulk
// upload, which saves many reports in one).
func (t *tx) saveReport(projectID string, period plan.Period, in ReportInput) (out *plan.Report, warnings plan.Problems, err error) {
	err = func() error {
		op, err := t.reportOp(projectID, period, plan.ActionEditReport)
		if err != nil {
			return err
		}
		if err := op.checkWritable(); err != nil {
			return err
		}
		if _, err := plan.ReportTransition(op.state(), plan.ReportSave); err != nil {
			return err
		}
		if in.Version != op.version() {
			return staleConflict()
		}
		draft := in.report(projectID, period)
		if warnings, err = op.validate(&draft, false); err != nil {
			return err
		}
		if err := op.writeContent(in, false); err != nil {
			return err
		}
		out, err = op.finish(plan.ReportSave, "")
		return err
	}()
	return out, warnings, err
}

// report is the draft in describes.
func (in *ReportInput) report(projectID string, period plan.Period) plan.Report {
	return plan.Report{ProjectID: projectID, Period: period, Targets: in.Targets, Investment: in.Investment,
		Disbursed: in.Disbursed, Allocated: in.Allocated, Funds: in.Funds, Progress: in.Progress, Problems: in.Problems, NextSteps: in.NextSteps}
}

// writeContent writes in as the report's content: a new report, or the
// current one from version in.Version (else a stale conflict). A save
// leaves the state as it was (a new report is a draft); submit makes it
// submitted in the same statement, from in.Version.
func (op *reportOp) writeContent(in ReportInput, submit bool) error {
	t := op.t
	state, submittedAt, submittedBy := plan.ReportDraft, any(nil), ""
	if submit {
		state, submittedAt, submittedBy = plan.ReportSubmitted, ts(t.now), t.actor.ID
	}
	var id string
	if op.cur == nil {
		id = t.s.id("rpt")
		if _, err := t.exec(`INSERT INTO reports (id, project_id, period, state, version, submitted_version, investment_wan, disbursed_wan,
			progress, problems, next_steps, created_at, updated_at, updated_by, submitted_at, submitted_by)
			VALUES (?, ?, ?, ?, 1, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, op.project.ID, op.period.String(), string(state), decPtr(in.Investment), decPtr(in.Disbursed), in.Progress, in.Problems,
			in.NextSteps, ts(t.now), ts(t.now), t.actor.ID, submittedAt, submittedBy); err != nil {
			return err
		}
	} else {
		id = op.cur.ID
		set := ""
		args := []any{decPtr(in.Investment), decPtr(in.Disbursed), in.Progress, in.Problems, in.NextSteps, ts(t.now), t.actor.ID}
		if submit {
			set = "state = 'submitted', submitted_version = ?, submitted_at = ?, submitted_by = ?, "
			args = append([]any{in.Version, submittedAt, submittedBy}, args...)
		}
		res, err := t.exec(`UPDATE reports SET `+set+`version = version + 1, investment_wan = ?, disbursed_wan = ?, progress = ?,
			problems = ?, next_steps = ?, updated_at = ?, updated_by = ? WHERE id = ? AND version = ?`, append(args, id, in.Version)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return staleConflict()
		}
		if _, err := t.exec("DELETE FROM report_targets WHERE report_id = ?", id); err != nil {
			return err
		}
		if _, err := t.exec("DELETE FROM report_funds WHERE report_id = ?", id); err != nil {
			return err
		}
	}
	if err := insertReportTargets(t, id, in.Targets); err != nil {
		return err
	}
	if err := insertReportFunds(t, id, in.Allocated, in.Funds); err != nil {
		return err
	}
	op.written = op.asStored(in)
	return nil
}

// asStored is the content of in as a read of the report gives it back:
// actuals in the order of the project's targets, sub-projects' funds in
// that of its sub-projects, empty funds left out. (Decimals need no care:
// a Decimal's text, stored or shown, is the same for 1.50 and 1.5.)
func (op *reportOp) asStored(in ReportInput) *plan.Report {
	r := &plan.Report{Targets: slices.Clone(in.Targets), Allocated: in.Allocated, Funds: []plan.SubprojectFunds{}}
	if r.Targets == nil {
		r.Targets = []plan.ReportTarget{}
	}
	targetSeq := map[string]int{}
	for _, tg := range op.project.Targets {
		targetSeq[tg.ID] = tg.Seq
	}
	slices.SortStableFunc(r.Targets, func(a, b plan.ReportTarget) int { return targetSeq[a.TargetID] - targetSeq[b.TargetID] })
	for _, f := range in.Funds {
		if !f.Empty() {
			r.Funds = append(r.Funds, f)
		}
	}
	subSeq := map[string]int{}
	for _, sp := range op.project.Subprojects {
		subSeq[sp.ID] = sp.Seq
	}
	slices.SortStableFunc(r.Funds, func(a, b plan.SubprojectFunds) int { return subSeq[a.SubprojectID] - subSeq[b.SubprojectID] })
	return r
}

// insertReportTargets writes a report's actuals.
func insertReportTargets(t *tx, reportID string, targets []plan.ReportTarget) error {
	rows := make([][]any, len(targets))
	for i, rt := range targets {
		rows[i] = []any{reportID, rt.TargetID, decPtr(rt.Actual), rt.Note}
	}
	return t.execRows("INSERT INTO report_targets (report_id, target_id, actual, note) VALUES ", "(?, ?, ?, ?)", "", rows)
}

// SaveAndSubmitReport writes the report's content and submits it in one
// transaction: the API's POST …/submit with a report in its body, for a
// client that sends a finished report in one request. All or nothing: the
// content must pass the checks of a save and of a submission, else
// nothing is written. in.Version is the version the writer started from
// (0 for a report not yet created). A retried request — the report is
// submitted from in.Version with the same content — returns it
// unchanged. It returns the report and the validation's warnings. Needs
// ActionEditReport. Errors: as SaveReport and SubmitReport.
func (s *Store) SaveAndSubmitReport(ctx context.Context, actor *plan.User, projectID string, period plan.Period, in ReportInput) (*plan.Report, plan.Problems, error) {
	var out *plan.Report
	var warnings plan.Problems
	submitted := false
	err := s.write(ctx, actor, func(t *tx) error {
		submitted = false
		op, err := t.reportOp(projectID, period, plan.ActionEditReport)
		if err != nil {
			return err
		}
		draft := in.report(projectID, period)
		if op.cur != nil && op.cur.State == plan.ReportSubmitted && op.cur.submittedVersion == in.Version && sameContent(&op.cur.Report, &draft) {
			out = &op.cur.Report
			return nil
		}
		if err := op.checkWritable(); err != nil {
			return err
		}
		from := op.state()
		if from == "" {
			from = plan.ReportDraft // created by this request
		}
		if _, err := plan.ReportTransition(from, plan.ReportSubmit); err != nil {
			return err
		}
		if in.Version != op.version() {
			return staleConflict()
		}
		if warnings, err = op.validate(&draft, true); err != nil {
			return err
		}
		if err := op.writeContent(in, true); err != nil {
			return err
		}
		out, err = op.finish(plan.ReportSubmit, "")
		submitted = err == nil
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if submitted {
		metrics.ReportsSubmitted.Inc()
	}
	return out, warnings, nil
}

// sameContent tells whether a stored report holds what the draft does.
func sameContent(r, draft *plan.Report) bool {
	return toJSON(content(r)) == toJSON(content(draft))
}

// content is what a report's writer gives, in a comparable form: the
// actuals by target, empty ones left out; decimals in their shortest
// form (decPtr), so that 1.50 and 1.5 compare equal.
func content(r *plan.Report) any {
	actual := map[string]string{}
	for _, rt := range r.Targets {
		if rt.Actual != nil || rt.Note != "" {
			actual[rt.TargetID] = toJSON([]any{decPtr(rt.Actual), rt.Note})
		}
	}
	var funds []string
	for _, f := range r.Funds {
		if !f.Empty() {
			funds = append(funds, toJSON([]any{f.SubprojectID, decPtr(f.Allocated), decPtr(f.Disbursed), decPtr(f.Spent)}))
		}
	}
	return []any{actual, decPtr(r.Investment), decPtr(r.Disbursed), decPtr(r.Allocated), funds, r.Progress, r.Problems, r.NextSteps}
}

// SubmitReport reports a draft or returned report to the supervisor after
// checking it is complete. version is the version the reporter saw (0: the
// current one, no check). Submitting is idempotent: when the report is
// already submitted and version is the one that was submitted (or the
// current one), it returns the report unchanged, without a second
// revision — a retried request after a lost answer does no harm. Needs
// ActionEditReport. Errors: invalid (incomplete or wrong values), conflict
// (stale version, wrong state), not_found, forbidden.
func (s *Store) SubmitReport(ctx context.Context, actor *plan.User, projectID string, period plan.Period, version int) (*plan.Report, error) {
	var out *plan.Report
	submitted := false
	err := s.write(ctx, actor, func(t *tx) error {
		submitted = false
		op, err := t.reportOp(projectID, period, plan.ActionEditReport)
		if err != nil {
			return err
		}
		if op.cur != nil && op.cur.State == plan.ReportSubmitted &&
			(version == 0 || version == op.cur.Version || version == op.cur.submittedVersion) {
			out = &op.cur.Report
			return nil
		}
		if _, err := plan.ReportTransition(op.state(), plan.ReportSubmit); err != nil {
			return err
		}
		if err := op.checkWritable(); err != nil {
			return err
		}
		if version == 0 {
			version = op.cur.Version
		}
		if version != op.cur.Version {
			return staleConflict()
		}
		if _, err := op.validate(&op.cur.Report, true); err != nil {
			return err
		}
		res, err := t.exec(`UPDATE reports SET state = 'submitted', version = version + 1, submitted_version = ?, submitted_at = ?, submitted_by = ?,
			updated_at = ?, updated_by = ? WHERE id = ? AND version = ?`,
			version, ts(t.now), actor.ID, ts(t.now), actor.ID, op.cur.ID, version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return staleConflict()
		}
		out, err = op.finish(plan.ReportSubmit, "")
		submitted = err == nil
		return err
	})
	if err == nil && submitted {
		metrics.ReportsSubmitted.Inc()
	}
	return out, err
}

// AcceptReport confirms a submitted report. Accepting an accepted report
// again returns it unchanged (a retried request). Needs ActionReviewReport.
// Errors: conflict (not submitted), not_found, forbidden.
func (s *Store) AcceptReport(ctx context.Context, actor *plan.User, projectID string, period plan.Period) (*plan.Report, error) {
	var out *plan.Report
	err := s.write(ctx, actor, func(t *tx) error {
		op, err := t.reportOp(projectID, period, plan.ActionReviewReport)
		if err != nil {
			return err
		}
		if op.cur != nil && op.cur.State == plan.ReportAccepted {
			out = &op.cur.Report
			return nil
		}
		if _, err := plan.ReportTransition(op.state(), plan.ReportAccept); err != nil {
			return err
		}
		if _, err := t.exec(`UPDATE reports SET state = 'accepted', version = version + 1, return_reason = '', accepted_at = ?, accepted_by = ?,
			updated_at = ?, updated_by = ? WHERE id = ?`, ts(t.now), actor.ID, ts(t.now), actor.ID, op.cur.ID); err != nil {
			return err
		}
		out, err = op.finish(plan.ReportAccept, "")
		return err
	})
	return out, err
}

// ReturnReport sends a submitted report back to the reporting unit with a
// reason. Needs ActionReviewReport. Errors: invalid (empty reason),
// conflict (not submitted), not_found, forbidden.
func (s *Store) ReturnReport(ctx context.Context, actor *plan.User, projectID string, period plan.Period, reason string) (*plan.Report, error) {
	return s.sendBack(ctx, actor, projectID, period, reason, plan.ReportReturn)
}

// ReopenReport sends an accepted report back to the reporting unit with a
// reason, for a correction found later. Needs ActionReviewReport.
// Errors: invalid (empty reason), conflict (not accepted), not_found,
// forbidden.
func (s *Store) ReopenReport(ctx context.Context, actor *plan.User, projectID string, period plan.Period, reason string) (*plan.Report, error) {
	return s.sendBack(ctx, actor, projectID, period, reason, plan.ReportReopen)
}

func (s *Store) sendBack(ctx context.Context, actor *plan.User, projectID string, period plan.Period, reason string, action plan.ReportAction) (*plan.Report, error) {
	reason = strings.TrimSpace(reason)
	var out *plan.Report
	err := s.write(ctx, actor, func(t *tx) error {
		op, err := t.reportOp(projectID, period, plan.ActionReviewReport)
		if err != nil {
			return err
		}
		if reason == "" {
			return plan.FieldError("reason", "%s时必须填写理由", action.Label())
		}
		if _, err := plan.ReportTransition(op.state(), action); err != nil {
			return err
		}
		if _, err := t.exec(`UPDATE reports SET state = 'returned', version = version + 1, return_reason = ?, accepted_at = NULL, accepted_by = '',
			updated_at = ?, updated_by = ? WHERE id = ?`, reason, ts(t.now), actor.ID, op.cur.ID); err != nil {
			return err
		}
		out, err = op.finish(action, reason)
		return err
	})
	return out, err
}

// AddContribution records a responsible unit's contribution (the actor's
// unit) to the lead unit's report while it is a draft or returned,
// creating the draft if the lead unit has not started it. A unit has one
// contribution per report; adding again replaces it. It does not bump the
// report's version, so the lead unit's editing is not interrupted; it is
// kept as a revision. Needs ActionContribute.
// Errors: invalid, conflict (report submitted or accepted), not_found,
// forbidden.
func (s *Store) AddContribution(ctx context.Context, actor *plan.User, projectID string, period plan.Period, in ContributionInput) (*plan.Report, error) {
	var out *plan.Report
	err := s.write(ctx, actor, func(t *tx) error {
		// Who may contribute is checked first: a user who may not gets 403
		// whatever the body holds.
		op, err := t.reportOp(projectID, period, plan.ActionContribute)
		if err != nil {
			return err
		}
		if actor.UnitID == "" {
			return plan.FieldError("unit", "只有责任单位的用户可以补充进展")
		}
		if in.Investment != nil && in.Investment.IsNegative() {
			return plan.FieldError("investment_wan", "完成投资不能为负数")
		}
		if strings.TrimSpace(in.Text) == "" && in.Investment == nil {
			return plan.FieldError("text", "请填写补充的进展情况")
		}
		if err := op.checkWritable(); err != nil {
			return err
		}
		if _, err := plan.ReportTransition(op.state(), plan.ReportContribute); err != nil {
			return err
		}
		id, err := op.ensureDraft()
		if err != nil {
			return err
		}
		if _, err := t.exec("DELETE FROM report_contributions WHERE report_id = ? AND unit_id = ?", id, actor.UnitID); err != nil {
			return err
		}
		if _, err := t.exec(`INSERT INTO report_contributions (report_id, unit_id, text, investment_wan, updated_at, updated_by)
			VALUES (?, ?, ?, ?, ?, ?)`, id, actor.UnitID, in.Text, decPtr(in.Investment), ts(t.now), actor.ID); err != nil {
			return err
		}
		out, err = op.finish(plan.ReportContribute, "")
		return err
	})
	return out, err
}

// ensureDraft returns the report's ID, creating an empty draft when there
// is none.
func (op *reportOp) ensureDraft() (string, error) {
	if op.cur != nil {
		return op.cur.ID, nil
	}
	t := op.t
	id := t.s.id("rpt")
	_, err := t.exec(`INSERT INTO reports (id, project_id, period, state, version, created_at, updated_at, updated_by)
		VALUES (?, ?, ?, 'draft', 1, ?, ?, ?)`, id, op.project.ID, op.period.String(), ts(t.now), ts(t.now), t.actor.ID)
	return id, err
}

// ReportStatus is where a project's report for a period stands, for the
// list of missing and late reports.
type ReportStatus struct {
	ProjectID   string           `json:"project_id"`
	Seq         int              `json:"seq"`
	Title       string           `json:"title"`
	LeadUnits   []string         `json:"lead_units"`
	State       plan.ReportState `json:"state"` // "" when not started
	SubmittedAt *time.Time       `json:"submitted_at,omitempty"`
	Due         time.Time        `json:"due"`
	// Missing: never submitted for the period (no report, or a draft).
	Missing bool `json:"missing"`
	// Late: submitted after the due date, or missing after it.
	Late bool `json:"late"`
}

// ReportStatuses lists, for every project in force of a jurisdiction's
// plan for the period's year, its report's state for the period and
// whether it is missing or late as of now (Store.Now, Store.DueDay).
// The list holds no report content: callers show it to supervisors,
// leaders and the reporting units themselves.
func (s *Store) ReportStatuses(ctx context.Context, jurisdictionCode string, period plan.Period) ([]ReportStatus, error) {
	now := s.now()
	due := period.DueDate(s.DueDay)
	var out []ReportStatus
	err := s.read(ctx, func(c conn) error {
		rows, err := c.query(`SELECT p.id, p.seq, p.title, COALESCE(r.state, ''), r.submitted_at
			FROM projects p LEFT JOIN reports r ON r.project_id = p.id AND r.period = ?
			WHERE p.jurisdiction_code = ? AND p.year = ? AND p.retired_by = '' ORDER BY p.seq`,
			period.String(), jurisdictionCode, period.Year)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var st ReportStatus
			var submitted sql.NullString
			if err := rows.Scan(&st.ProjectID, &st.Seq, &st.Title, &st.State, &submitted); err != nil {
				return err
			}
			st.SubmittedAt, st.Due = parseTSPtr(submitted), due
			st.Missing = st.State == "" || st.State == plan.ReportDraft
			switch {
			case st.Missing:
				st.Late = period.IsLate(now, s.DueDay)
			case st.SubmittedAt != nil:
				st.Late = period.IsLate(*st.SubmittedAt, s.DueDay)
			}
			st.LeadUnits = []string{}
			out = append(out, st)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		lead, err := c.query(`SELECT pu.project_id, u.name FROM project_units pu JOIN units u ON u.id = pu.unit_id
			JOIN projects p ON p.id = pu.project_id WHERE p.jurisdiction_code = ? AND p.year = ? AND p.retired_by = '' AND pu.role = 'lead'
			ORDER BY pu.project_id, pu.position`, jurisdictionCode, period.Year)
		if err != nil {
			return err
		}
		defer lead.Close()
		idx := map[string]int{}
		for i := range out {
			idx[out[i].ProjectID] = i
		}
		for lead.Next() {
			var pid, name string
			if err := lead.Scan(&pid, &name); err != nil {
				return err
			}
			if i, ok := idx[pid]; ok {
				out[i].LeadUnits = append(out[i].LeadUnits, name)
			}
		}
		return lead.Err()
	})
	return out, err
}
