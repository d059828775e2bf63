package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"

	"minsheng/internal/plan"
)

// Bulk writes: loading many rows at once for tools (the synthetic data of
// `minsheng gen`, the demo's accounts), not for requests. They go through
// the same write transaction and audit chain as every other write, but
// with multi-row INSERTs and one audit row that summarises the whole batch
// (row counts and a SHA-256 of every value written, in order) instead of
// one per row: a load of millions of rows would otherwise write millions
// of audit rows that say nothing a person would read. `audit verify`
// checks the chain as usual.

// BulkData is one batch for BulkLoad. IDs are chosen by the caller (they
// stay opaque strings); everything is written as given, in one transaction.
type BulkData struct {
	// Label names the batch in its audit row (e.g. "gen national 1/115").
	Label         string
	Jurisdictions []plan.JurisdictionRecord // existing codes are kept as they are
	Units         []plan.Unit
	// Plans are written as published versions: ID, JurisdictionCode, Year,
	// Version and Document are used.
	Plans []plan.PlanVersion
	// Projects with their Units (UnitID, Role), Targets and Subprojects.
	Projects     []plan.ProjectRecord
	MonthlyPlans []plan.MonthlyPlan
	// Reports with their Targets; contributions, attachments and
	// revisions are not written (a bulk load has no history to keep).
	Reports []plan.Report
}

// BulkSummary is what the audit row of a bulk load records.
type BulkSummary struct {
	Label  string         `json:"label"`
	Rows   map[string]int `json:"rows"`   // rows written per table
	SHA256 string         `json:"sha256"` // of every value written, in order
}

// BulkLoad writes d in one transaction with multi-row INSERTs and appends
// one audit row ("bulk.load") with its BulkSummary. Needs ActionPublishPlan
// on every plan's jurisdiction (in practice plan.SystemUser: it is a tool's
// command). Rows that already exist make it fail whole (conflict), except
// jurisdictions, which are shared. Errors: invalid, conflict, forbidden.
func (s *Store) BulkLoad(ctx context.Context, actor *plan.User, d *BulkData) (*BulkSummary, error) {
	for i := range d.Plans {
		p := &d.Plans[i]
		if err := plan.Authorize(actor, plan.ActionPublishPlan, plan.Resource{Kind: plan.ResourcePlan, JurisdictionCode: p.JurisdictionCode}); err != nil {
			return nil, err
		}
		if p.ID == "" || !plan.ValidJurisdictionCode(p.JurisdictionCode) {
			return nil, plan.FieldError("plans", "第 %d 个计划缺少编号或行政区划代码", i+1)
		}
	}
	for i := range d.Reports {
		if !d.Reports[i].Period.Valid() {
			return nil, plan.FieldError("reports", "第 %d 份报告的月份无效", i+1)
		}
	}
	sum := &BulkSummary{Label: d.Label, Rows: map[string]int{}}
	err := s.write(ctx, actor, func(t *tx) (err error) {
		b := &bulkWriter{t: t, h: sha256.New(), rows: sum.Rows}
		now := ts(t.now)
		ins := b.table("jurisdictions", "code, name, level, parent_code, created_at", " ON CONFLICT (code) DO NOTHING")
		for _, j := range d.Jurisdictions {
			if !plan.ValidJurisdictionCode(j.Code) {
				return plan.FieldError("jurisdictions", "行政区划代码应为 6 位数字，而不是「%s」", j.Code)
			}
			if err := ins.add(j.Code, j.Name, j.Level, j.ParentCode, now); err != nil {
				return err
			}
		}
		ins = b.table("units", "id, jurisdiction_code, name, created_at", "")
		for _, u := range d.Units {
			if err := ins.add(u.ID, u.JurisdictionCode, u.Name, now); err != nil {
				return err
			}
		}
		ins = b.table("plans", `id, jurisdiction_code, year, version, state, rev, title, document, summary, source_text, source_sha256,
			changes, created_at, created_by, updated_at, published_at, published_by`, "")
		for _, p := range d.Plans {
			version := max(p.Version, 1)
			if err := ins.add(p.ID, p.JurisdictionCode, p.Year, version, string(plan.PlanPublished), 1, p.Document.Title, toJSON(&p.Document),
				planSummaryJSON(&p.Document), "",
				p.Document.Source.SHA256, "[]", now, actor.ID, now, now, actor.ID); err != nil {
				return err
			}
		}
		if err := b.projects(d.Projects, now); err != nil {
			return err
		}
		if err := b.monthlyPlans(d.MonthlyPlans, now, actor.ID); err != nil {
			return err
		}
		if err := b.reports(d.Reports, actor.ID); err != nil {
			return err
		}
		if err := b.flush(); err != nil {
			return err
		}
		if sum.Rows["rollup_facts"], err = t.bulkFacts(d); err != nil {
			return err
		}
		sum.SHA256 = hex.EncodeToString(b.h.Sum(nil))
		return t.audit("bulk.load", "bulk", d.Label, nil, sum)
	})
	if err != nil {
		return nil, err
	}
	return sum, nil
}

// bulkFacts computes the roll-up facts of the projects d wrote or wrote
// monthly plans or reports for. The facts count as current (rollup_basis)
// once every project in force has them, which holds after the first load
// into an empty database: `minsheng gen` needs no rebuild afterwards.
func (t *tx) bulkFacts(d *BulkData) (int, error) {
	seen := map[string]bool{}
	var ids []string
	note := func(id string) {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for i := range d.Projects {
		note(d.Projects[i].ID)
	}
	for i := range d.MonthlyPlans {
		note(d.MonthlyPlans[i].ProjectID)
	}
	for i := range d.Reports {
		note(d.Reports[i].ProjectID)
	}
	n := 0
	for len(ids) > 0 {
		part := ids[:min(len(ids), 1000)]
		ids = ids[len(part):]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		scope := "p.id IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(part)), ", ") + ")"
		k, err := t.refreshFacts(nil, scope, args, nil)
		if err != nil {
			return 0, err
		}
		n += k
	}
	var basis string
	if err := t.row("SELECT basis FROM rollup_basis WHERE id = 1").Scan(&basis); err != nil || basis != "" {
		return n, err
	}
	var missing int
	if err := t.row(`SELECT COUNT(*) FROM projects p WHERE p.retired_by = ''
		AND NOT EXISTS (SELECT 1 FROM rollup_facts f WHERE f.project_id = p.id)`).Scan(&missing); err != nil || missing > 0 {
		return n, err
	}
	_, err := t.exec("UPDATE rollup_basis SET basis = ? WHERE id = 1", t.s.rollupBasis())
	return n, err
}

func (b *bulkWriter) projects(projects []plan.ProjectRecord, now string) error {
	ins := b.table("projects", `id, jurisdiction_code, year, plan_id, doc_index, seq, category_seq, category_title, title, text,
		tags, leaders, investment_wan, retired_by, created_at, updated_at`, "")
	for _, p := range projects {
		if err := ins.add(p.ID, p.JurisdictionCode, p.Year, p.PlanID, p.Seq-1, p.Seq, intPtr(p.CategorySeq), p.CategoryTitle, p.Title, p.Text,
			strList(p.Tags), strList(p.Leaders), decPtr(p.Investment), p.RetiredBy, now, now); err != nil {
			return err
		}
	}
	ins = b.table("project_units", "project_id, unit_id, role, position", "")
	for _, p := range projects {
		pos := map[plan.UnitRole]int{}
		for _, u := range p.Units {
			if err := ins.add(p.ID, u.UnitID, string(u.Role), pos[u.Role]); err != nil {
				return err
			}
			pos[u.Role]++
		}
	}
	ins = b.table("targets", "id, project_id, doc_index, seq, text, metric, comparator, value, unit, base_value, base_unit, kind, subproject, retired_by", "")
	for _, p := range projects {
		for k, tg := range p.Targets {
			if err := ins.add(tg.ID, p.ID, k, k+1, tg.Text, tg.Metric, tg.Comparator, tg.Value.String(), tg.Unit, decPtr(tg.BaseValue),
				nullStr(tg.BaseUnit), tg.Kind, nullStr(tg.Subproject), tg.RetiredBy); err != nil {
				return err
			}
		}
	}
	ins = b.table("subprojects", "id, project_id, seq, name, content, investment_wan, locations, years, expected, leaders, units, retired_by", "")
	for _, p := range projects {
		for k, sp := range p.Subprojects {
			if err := ins.add(sp.ID, p.ID, k+1, sp.Name, nullStr(sp.Content), decPtr(sp.Investment), strList(sp.Locations), nullStr(sp.Years),
				nullStr(sp.Expected), strList(sp.Leaders), strList(sp.Units), sp.RetiredBy); err != nil {
				return err
			}
		}
	}
	return nil
}

func (b *bulkWriter) monthlyPlans(mps []plan.MonthlyPlan, now, actor string) error {
	ins := b.table("monthly_plans", "project_id, state, version, deadline, return_reason, updated_at, updated_by, submitted_at, approved_at, approved_by", "")
	for _, mp := range mps {
		state := mp.State
		if state == "" {
			state = plan.MonthlyApproved
		}
		var approvedAt, approvedBy any = nil, ""
		if state == plan.MonthlyApproved {
			approvedAt, approvedBy = now, actor
		}
		if err := ins.add(mp.ProjectID, string(state), max(mp.Version, 1), mp.Deadline, mp.ReturnReason, now, actor, now, approvedAt, approvedBy); err != nil {
			return err
		}
	}
	ins = b.table("monthly_plan_targets", "project_id, target_id, month, value", "")
	for _, mp := range mps {
		for _, mt := range mp.Targets {
			for i, v := range mt.Cumulative {
				if v != nil {
					if err := ins.add(mp.ProjectID, mt.TargetID, i+1, v.String()); err != nil {
						return err
					}
				}
			}
		}
	}
	ins = b.table("monthly_plan_investment", "project_id, month, value", "")
	for _, mp := range mps {
		for i, v := range mp.Investment {
			if v != nil {
				if err := ins.add(mp.ProjectID, i+1, v.String()); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (b *bulkWriter) reports(reports []plan.Report, actor string) error {
	ins := b.table("reports", `id, project_id, period, state, version, submitted_version, investment_wan, disbursed_wan, progress, problems,
		next_steps, return_reason, created_at, updated_at, updated_by, submitted_at, submitted_by, accepted_at, accepted_by`, "")
	for _, r := range reports {
		state := r.State
		if state == "" {
			state = plan.ReportAccepted
		}
		created, updated := ts(r.CreatedAt), ts(r.UpdatedAt)
		if r.CreatedAt.IsZero() {
			created = ts(r.Period.End())
		}
		if r.UpdatedAt.IsZero() {
			updated = created
		}
		submittedBy, acceptedBy := r.SubmittedBy, r.AcceptedBy
		if r.SubmittedAt != nil && submittedBy == "" {
			submittedBy = actor
		}
		if r.AcceptedAt != nil && acceptedBy == "" {
			acceptedBy = actor
		}
		updatedBy := r.UpdatedBy
		if updatedBy == "" {
			updatedBy = actor
		}
		if err := ins.add(r.ID, r.ProjectID, r.Period.String(), string(state), max(r.Version, 1), max(r.Version-1, 0),
			decPtr(r.Investment), decPtr(r.Disbursed), r.Progress, r.Problems, r.NextSteps, r.ReturnReason,
			created, updated, updatedBy, tsPtr(r.SubmittedAt), submittedBy, tsPtr(r.AcceptedAt), acceptedBy); err != nil {
			return err
		}
	}
	ins = b.table("report_targets", "report_id, target_id, actual, note", "")
	for _, r := range reports {
		for _, rt := range r.Targets {
			if err := ins.add(r.ID, rt.TargetID, decPtr(rt.Actual), rt.Note); err != nil {
				return err
			}
		}
	}
	ins = b.table("report_funds", "report_id, subproject_id, allocated_wan, disbursed_wan, spent_wan", "")
	for _, r := range reports {
		if r.Allocated != nil {
			if err := ins.add(r.ID, "", decPtr(r.Allocated), nil, nil); err != nil {
				return err
			}
		}
		for _, f := range r.Funds {
			if err := ins.add(r.ID, f.SubprojectID, decPtr(f.Allocated), decPtr(f.Disbursed), decPtr(f.Spent)); err != nil {
				return err
			}
		}
	}
	return nil
}

// bulkWriter buffers rows of one table at a time and writes them with
// prepared multi-row INSERTs, hashing every value it writes.
type bulkWriter struct {
	t    *tx
	h    hash.Hash
	rows map[string]int
	cur  *bulkTable
}

// table starts the rows of another table, writing what is buffered.
func (b *bulkWriter) table(name, columns, suffix string) *bulkTable {
	if b.cur != nil && b.cur.err == nil {
		b.cur.err = b.cur.flush()
	}
	cols := strings.Split(columns, ",")
	for i := range cols {
		cols[i] = strings.TrimSpace(cols[i])
	}
	// Parameters per statement: SQLite allows 32766, PostgreSQL 65535;
	// beyond a few hundred rows a statement gets no faster.
	per := min(500, 30000/len(cols))
	bt := &bulkTable{b: b, name: name, cols: cols, suffix: suffix, per: per, stmts: map[int]*sql.Stmt{}}
	if b.cur != nil && b.cur.err != nil {
		bt.err = b.cur.err
	}
	b.cur = bt
	return bt
}

func (b *bulkWriter) flush() error {
	if b.cur == nil {
		return nil
	}
	if b.cur.err == nil {
		b.cur.err = b.cur.flush()
	}
	// The prepared statements close with the transaction.
	return b.cur.err
}

type bulkTable struct {
	b      *bulkWriter
	name   string
	cols   []string
	suffix string
	per    int // rows per statement
	args   []any
	n      int
	stmts  map[int]*sql.Stmt // by row count
	err    error
}

// add buffers one row; its values must be in the order of the columns.
func (bt *bulkTable) add(values ...any) error {
	if bt.err != nil {
		return bt.err
	}
	if len(values) != len(bt.cols) {
		panic(fmt.Sprintf("bulk %s: %d values for %d columns", bt.name, len(values), len(bt.cols)))
	}
	h := bt.b.h
	for _, v := range values {
		switch x := v.(type) {
		case nil:
			h.Write([]byte{0})
		case string:
			h.Write([]byte(x))
		default:
			fmt.Fprint(h, x)
		}
		h.Write([]byte{0x1f})
	}
	h.Write([]byte{0x1e})
	bt.args = append(bt.args, values...)
	bt.n++
	bt.b.rows[bt.name]++
	if bt.n == bt.per {
		bt.err = bt.flush()
	}
	return bt.err
}

func (bt *bulkTable) flush() error {
	if bt.n == 0 {
		return nil
	}
	st, err := bt.stmt(bt.n)
	if err != nil {
		return err
	}
	if _, err := st.ExecContext(bt.b.t.ctx, bt.args...); err != nil {
		return fmt.Errorf("bulk %s: %w", bt.name, err)
	}
	bt.args, bt.n = bt.args[:0], 0
	return nil
}

// stmt prepares the INSERT of n rows once per transaction and row count.
func (bt *bulkTable) stmt(n int) (*sql.Stmt, error) {
	if st := bt.stmts[n]; st != nil {
		return st, nil
	}
	var q strings.Builder
	q.WriteString("INSERT INTO " + bt.name + " (" + strings.Join(bt.cols, ", ") + ") VALUES ")
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(bt.cols)), ", ") + ")"
	for i := 0; i < n; i++ {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(row)
	}
	q.WriteString(bt.suffix)
	sqlTx, ok := bt.b.t.x.(*sql.Tx)
	if !ok {
		return nil, fmt.Errorf("bulk %s: not in a transaction", bt.name)
	}
	st, err := sqlTx.PrepareContext(bt.b.t.ctx, bt.b.t.q(q.String()))
	if err != nil {
		return nil, fmt.Errorf("bulk %s: %w", bt.name, err)
	}
	bt.stmts[n] = st
	return st, nil
}

// CreateUsersHashed stores several new users in one transaction, all with
// the same password hash, a HashPassword result: for tools that create
// many accounts with one known password (the demo's, synthetic data),
// where hashing each one would cost a second per user. Each user is
// checked and audited as CreateUser does. Needs ActionManageUsers.
// Errors: invalid, conflict (username taken), forbidden.
func (s *Store) CreateUsersHashed(ctx context.Context, actor *plan.User, users []*plan.User, passwordHash string) error {
	if !strings.HasPrefix(passwordHash, "$argon2id$") {
		return plan.FieldError("password", "密码哈希格式无效")
	}
	return s.write(ctx, actor, func(t *tx) error {
		if err := plan.Authorize(actor, plan.ActionManageUsers, plan.Resource{Kind: plan.ResourceUser}); err != nil {
			return err
		}
		for _, u := range users {
			if err := s.insertUser(t, u, passwordHash); err != nil {
				return err
			}
		}
		return nil
	})
}

// Analyze refreshes the query planner's statistics (ANALYZE), which a bulk
// load leaves stale: PostgreSQL without them may scan a whole table of
// millions of rows for every project of a dashboard. Not audited (it
// changes no data).
func (s *Store) Analyze(ctx context.Context) error {
	_, err := s.w.ExecContext(ctx, "ANALYZE")
	return err
}
