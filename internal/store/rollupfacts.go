package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"minsheng/internal/plan"
)

// Roll-up facts (table rollup_facts): for every project in force and
// every month of its year, what Rollup counts and sums (summed again per
// jurisdiction and month in rollup_totals, rolluptotals.go) — the month's
// report state, whether it came late, the project's status, the money
// planned, invested and disbursed through the month. They are Dashboard's
// figures, computed by the same code (dashboardProject, Status) when an
// input changes, so that a roll-up reads one row per project instead of
// recomputing every project's year.
//
// What is stored and what is derived when read: a fact is computed as if
// the month were not yet overdue. The only input that changes with the
// clock is whether a month without a counted report (none, a draft, or
// one returned: the "open" flag) is overdue; it is the same for every
// project of the month (plan.ReportTiming), so Rollup applies it when it
// reads: an open month then counts as late, and its 临期 becomes 滞后
// within the grace days, 未报送 after them (total.line).
// Everything else — a late submission, the status run over the months
// before, the figures carried from the latest counted report, planned
// money from the approved monthly plan or month/12 of the annual
// investment — depends only on rows in the database.
//
// Facts also depend on rules outside the database: the due day and the
// status thresholds in force (supervise.Config). rollup_basis records
// those the facts were computed under; when they differ from the ones in
// force, Rollup first rebuilds every fact (rebuildFacts).
//
// Writes keep the facts in the transaction that changes an input, before
// its audit row (so that on PostgreSQL the audit head's lock, which
// serialises all writers, is not held while they compute): report state
// changes (reportFacts), monthly plan approval and its undoing, plan
// publication (new projects, retired ones), and bulk loads. Concurrent
// writes to one project are ordered by the lock on its facts (see
// refreshFacts). On SQLite the reports of a group-commit batch leave
// their projects to the batch, which recomputes them together before it
// commits (deferredFacts): the same transaction, fewer statements.

// factsVersion names the computation below: change it when the rules of
// computeFacts change, and the stored facts are rebuilt.
// 2: the deadline (plan.ProjectDeadline) judged. 3: as the status engine
// judges in the rest too: the targets' comparators, months before without
// a counted report as 未报送, a returned report's month as open.
const factsVersion = "3"

// rollupBasis names the rules in force that facts depend on.
func (s *Store) rollupBasis() string {
	return fmt.Sprintf("v%s due=%d thresholds=%s", factsVersion, s.DueDay, toJSON(plan.DefaultThresholds()))
}

// fact is one row of rollup_facts.
type fact struct {
	period, jurisdiction, project string
	state                         string // plan.ReportState, "none" without a report
	open, late                    bool
	status                        plan.Status
	planned, actual, disbursed    *plan.Decimal
}

func (f *fact) key() string { return f.period + "/" + f.jurisdiction + "/" + f.project }

func (f *fact) values() []any {
	return []any{f.period, f.jurisdiction, f.project, f.state, boolInt(f.open), boolInt(f.late), string(f.status),
		decPtr(f.planned), decPtr(f.actual), decPtr(f.disbursed)}
}

func (f *fact) same(g *fact) bool {
	return f.state == g.state && f.open == g.open && f.late == g.late && f.status == g.status &&
		decEqual(f.planned, g.planned) && decEqual(f.actual, g.actual) && decEqual(f.disbursed, g.disbursed)
}

func decEqual(a, b *plan.Decimal) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Equal(b.Decimal)
}

const factColumns = "period, jurisdiction_code, project_id, state, open, late, status, planned_wan, actual_wan, disbursed_wan"

func scanFact(r interface{ Scan(...any) error }) (fact, error) {
	var f fact
	var open, late int
	var planned, actual, disbursed sql.NullString
	if err := r.Scan(&f.period, &f.jurisdiction, &f.project, &f.state, &open, &late, &f.status, &planned, &actual, &disbursed); err != nil {
		return f, err
	}
	f.open, f.late = open != 0, late != 0
	var err error
	if f.planned, err = scanDec(planned); err == nil {
		if f.actual, err = scanDec(actual); err == nil {
			f.disbursed, err = scanDec(disbursed)
		}
	}
	return f, err
}

// openState: a month whose report does not count (none, a draft, or one
// returned and not yet resubmitted), late once the month is overdue.
func openState(st plan.ReportState) bool { return !countedState(st) }

func countedState(st plan.ReportState) bool {
	return st == plan.ReportSubmitted || st == plan.ReportAccepted
}

// computeFacts computes the facts of projects (retired ones have none),
// whose approved monthly plans and reports scope (alias p) selects, for
// the months from from[project] on.
func (s *Store) computeFacts(c conn, projects []plan.ProjectRecord, scope string, args []any, from since) ([]fact, error) {
	plans, err := approvedPlansIn(c, scope, args)
	if err != nil {
		return nil, err
	}
	// figures[year][project][month]: one query pair per year in scope.
	figures := map[int]map[string]map[time.Month]*monthFigures{}
	for i := range projects {
		y := projects[i].Year
		if figures[y] != nil || projects[i].RetiredBy != "" {
			continue
		}
		if figures[y], err = loadFigures(c, scope+" AND p.year = ?", append(args[:len(args):len(args)], y),
			plan.Period{Year: y, Month: time.January}, plan.Period{Year: y, Month: time.December}); err != nil {
			return nil, err
		}
	}
	var out []fact
	for i := range projects {
		p := &projects[i]
		if p.RetiredBy != "" {
			continue
		}
		// The year's line once; each month's own figures from its head
		// (projectMonth), and its status from the run over the months
		// before, as DashboardProject.Status judges them.
		year := s.dashboardProject(&Dashboard{ByState: map[string]int{}}, p, plans[p.ID], figures[p.Year][p.ID],
			plan.Period{Year: p.Year, Month: time.December}, time.Time{})
		var prior *plan.Assessment
		for m := time.January; m <= time.December; m++ {
			if m >= from.month(p.ID) {
				per := plan.Period{Year: p.Year, Month: m}
				// The zero clock: no month is overdue yet (see above).
				head := s.projectMonth(p, plans[p.ID], figures[p.Year][p.ID], per, time.Time{})
				f := fact{period: per.String(), jurisdiction: p.JurisdictionCode, project: p.ID, state: string(head.ReportState),
					open: openState(head.ReportState), late: head.Late,
					status:  plan.AssessAfter(prior, year.inputAs(m, head.ReportState, head.Late)).Status,
					planned: head.PlannedInvestment, actual: head.ActualInvestment, disbursed: head.Disbursed}
				if f.state == "" {
					f.state = "none"
				}
				out = append(out, f)
			}
			a := plan.AssessAfter(prior, year.monthInput(m))
			prior = &a
		}
	}
	return out, nil
}

// since gives, by project ID, the first month whose facts are to be
// recomputed; a project it does not name is recomputed from January.
type since map[string]time.Month

func (s since) month(projectID string) time.Month {
	if m, ok := s[projectID]; ok {
		return m
	}
	return time.January
}

// refreshFacts recomputes the facts of the projects scope (on alias p)
// selects, for the months from from[project] on, and writes those that
// changed; facts of retired projects are removed. A month's fact depends
// on that month and the months before it only, so a change to a month's
// report leaves the facts of the months before alone. projects are those
// projects when the caller has them loaded; nil: they are loaded here. It
// returns the number of rows written.
//
// The projects' current facts are read first, and on PostgreSQL locked
// (FOR UPDATE): two writes to one project, or a write and a rebuild, then
// compute one after the other, the second from what the first committed,
// however they interleave otherwise.
func (t *tx) refreshFacts(projects []plan.ProjectRecord, scope string, args []any, from since) (int, error) {
	// In one order for every writer (see addToTotals).
	q := "SELECT " + factColumns + " FROM rollup_facts WHERE project_id IN (SELECT p.id FROM projects p WHERE " + scope + ") ORDER BY project_id, period"
	if t.pg {
		q += " FOR UPDATE"
	}
	old := map[string]fact{}
	rows, err := t.query(q, args...)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		f, err := scanFact(rows)
		if err != nil {
			rows.Close()
			return 0, err
		}
		if m, err := monthOf(f.period); err != nil || m >= from.month(f.project) {
			old[f.key()] = f
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if projects == nil {
		if projects, err = loadProjects(t.conn, scope, args, false); err != nil {
			return 0, err
		}
	}
	fs, err := t.s.computeFacts(t.conn, projects, scope, args, from)
	if err != nil {
		return 0, err
	}
	var changed []fact
	var deltas []factDelta // for the totals
	for i := range fs {
		k := fs[i].key()
		if o, ok := old[k]; !ok {
			changed = append(changed, fs[i])
			deltas = append(deltas, factDelta{nil, &fs[i]})
		} else if !o.same(&fs[i]) {
			changed = append(changed, fs[i])
			deltas = append(deltas, factDelta{&o, &fs[i]})
		}
		delete(old, k)
	}
	for _, o := range old {
		if _, err := t.exec("DELETE FROM rollup_facts WHERE period = ? AND jurisdiction_code = ? AND project_id = ?", o.period, o.jurisdiction, o.project); err != nil {
			return 0, err
		}
		deltas = append(deltas, factDelta{&o, nil})
	}
	if err := t.upsertFacts(changed); err != nil {
		return 0, err
	}
	return len(changed) + len(old), t.addToTotals(deltas)
}

// upsertFacts writes facts, several rows per statement.
func (t *tx) upsertFacts(fs []fact) error {
	rows := make([][]any, len(fs))
	for i := range fs {
		rows[i] = fs[i].values()
	}
	return t.execRows("INSERT INTO rollup_facts ("+factColumns+") VALUES ", "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		` ON CONFLICT (period, jurisdiction_code, project_id) DO UPDATE SET state = excluded.state, open = excluded.open,
			late = excluded.late, status = excluded.status, planned_wan = excluded.planned_wan, actual_wan = excluded.actual_wan,
			disbursed_wan = excluded.disbursed_wan`, rows)
}

// reportFacts keeps the facts of p after its report for period moved from
// state before to after. A move that keeps the report counted (or not
// counted) changes only the month's state; the others change figures
// carried into later months, and p is recomputed from that month on — on
// SQLite by the write's batch, once for all its writes (deferredFacts).
func (t *tx) reportFacts(p *plan.ProjectRecord, period plan.Period, before, after plan.ReportState) error {
	if before == after {
		return nil
	}
	// A project the batch recomputes anyway is left to it: its facts may
	// not be those the state change below starts from.
	if countedState(before) == countedState(after) && !t.facts.has(p.ID) {
		if _, err := t.exec("UPDATE rollup_facts SET state = ?, open = ? WHERE period = ? AND jurisdiction_code = ? AND project_id = ?",
			string(after), boolInt(openState(after)), period.String(), p.JurisdictionCode, p.ID); err != nil {
			return err
		}
		was := fact{period: period.String(), jurisdiction: p.JurisdictionCode, project: p.ID, state: string(before), open: openState(before)}
		is := was
		is.state, is.open = string(after), openState(after)
		if before == "" {
			was.state = "none"
		}
		// Only the state moves (the open flag does not between these
		// states), so counting the old state out and the new one in is the
		// whole change.
		return t.addToTotals([]factDelta{{&was, &is}})
	}
	if t.facts != nil {
		t.facts.add(p.ID, period.Month)
		return nil
	}
	_, err := t.refreshFacts([]plan.ProjectRecord{*p}, "p.id = ?", []any{p.ID}, since{p.ID: period.Month})
	return err
}

// deferredFacts are the projects whose facts the writes of a group-commit
// batch made stale, each from the earliest month changed. The batch
// recomputes them once, before it applies the totals and commits: the
// queries and the status runs of many reports in a few statements, and a
// project reported twice in a batch recomputed once. Recomputing is
// idempotent — it writes what the reports in the database give — so a
// project noted by a write that was then rolled back costs a computation
// and changes nothing.
type deferredFacts struct {
	from since
	ids  []string
}

func (d *deferredFacts) add(projectID string, m time.Month) {
	if d.from == nil {
		d.from = since{}
	}
	if cur, ok := d.from[projectID]; ok {
		d.from[projectID] = min(cur, m)
		return
	}
	d.from[projectID] = m
	d.ids = append(d.ids, projectID)
}

func (d *deferredFacts) has(projectID string) bool {
	if d == nil {
		return false
	}
	_, ok := d.from[projectID]
	return ok
}

// refreshDeferred recomputes the batch's stale facts, maxGroup projects
// per statement. The list of IDs is always maxGroup long (padded with "",
// which no project has), so that each query has one text and stays in
// the connection's statement cache. The projects are read here, after the
// batch's writes (one of them may have retired a project), and mostly
// from the project cache.
func (t *tx) refreshDeferred(d *deferredFacts) error {
	for ids := d.ids; len(ids) > 0; {
		n := min(len(ids), maxGroup)
		projects, err := getProjects(t.conn, ids[:n])
		if err != nil {
			return err
		}
		args := make([]any, maxGroup)
		for i := range args {
			args[i] = ""
		}
		for i, id := range ids[:n] {
			args[i] = id
		}
		if _, err := t.refreshFacts(projects, deferredScope, args, d.from); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

var deferredScope = "p.id IN (" + strings.TrimSuffix(strings.Repeat("?, ", maxGroup), ", ") + ")"

// jurisdictionFacts recomputes the facts of a jurisdiction's projects of
// a year, retired ones included (after a publication).
func (t *tx) jurisdictionFacts(code string, year int) error {
	_, err := t.refreshFacts(nil, "p.jurisdiction_code = ? AND p.year = ?", []any{code, year}, nil)
	return err
}

// EnsureRollupFacts rebuilds the roll-up facts when the rules in force
// are not those they were computed under (after an upgrade, or a change
// of the due day or the thresholds): Rollup does it first, and a server
// does it as it starts, so that no request waits for it.
func (s *Store) EnsureRollupFacts(ctx context.Context) error {
	want := s.rollupBasis()
	stale := func() (bool, error) {
		var have string
		err := s.read(ctx, func(c conn) error { return c.row("SELECT basis FROM rollup_basis WHERE id = 1").Scan(&have) })
		return have != want, err
	}
	if st, err := stale(); err != nil || !st {
		return err
	}
	s.rebuildMu.Lock()
	defer s.rebuildMu.Unlock()
	if st, err := stale(); err != nil || !st {
		return err
	}
	return s.rebuildFacts(ctx, want)
}

// rebuildFacts recomputes every project's facts, 25 jurisdictions per
// audited write, and records basis with the last. At national scale a
// write of 100 took the server's peak memory to 300 MB; 25 keep it near
// 220 MB, in the same 17 seconds (docs/PERFORMANCE.md §十三).
func (s *Store) rebuildFacts(ctx context.Context, basis string) error {
	var codes []string
	err := s.read(ctx, func(c conn) error {
		rows, err := c.query("SELECT DISTINCT jurisdiction_code FROM projects ORDER BY jurisdiction_code")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var jc string
			if err := rows.Scan(&jc); err != nil {
				return err
			}
			codes = append(codes, jc)
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	const chunk = 25 // jurisdictions per write (see above)
	for i := 0; i < len(codes) || i == 0; i += chunk {
		part := codes[i:min(len(codes), i+chunk)]
		last := i+chunk >= len(codes)
		err := s.write(ctx, plan.SystemUser, func(t *tx) error {
			info := map[string]any{"basis": basis}
			if len(part) > 0 {
				info["from"], info["to"] = part[0], part[len(part)-1]
			}
			if len(part) > 0 {
				scope, args := "p.jurisdiction_code >= ? AND p.jurisdiction_code <= ?", []any{part[0], part[len(part)-1]}
				if _, err := t.refreshFacts(nil, scope, args, nil); err != nil {
					return err
				}
				// Every total of the range, not only those of changed facts.
				if _, err := t.exec("DELETE FROM rollup_totals WHERE jurisdiction_code >= ? AND jurisdiction_code <= ?", args...); err != nil {
					return err
				}
				if t.totals != nil {
					t.totals.recount(part[0], part[len(part)-1])
				}
				touched := map[string]map[string]bool{}
				rows, err := t.query("SELECT DISTINCT jurisdiction_code, period FROM rollup_facts WHERE jurisdiction_code >= ? AND jurisdiction_code <= ?", args...)
				if err != nil {
					return err
				}
				for rows.Next() {
					var jc, per string
					if err := rows.Scan(&jc, &per); err != nil {
						rows.Close()
						return err
					}
					if touched[jc] == nil {
						touched[jc] = map[string]bool{}
					}
					touched[jc][per] = true
				}
				rows.Close()
				if err := rows.Err(); err != nil {
					return err
				}
				if err := t.retotal(touched); err != nil {
					return err
				}
			}
			if last {
				if _, err := t.exec("UPDATE rollup_basis SET basis = ? WHERE id = 1", basis); err != nil {
					return err
				}
			}
			// Audited last, as every write that keeps facts: on PostgreSQL
			// the audit head's lock taken first would wait in a cycle with
			// a report's write that holds its project's facts.
			return t.audit("rollup.rebuild", "rollup", "", nil, info)
		})
		if err != nil {
			return err
		}
	}
	return nil
}
