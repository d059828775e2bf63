package store

import (
	"database/sql"
	"slices"
	"sort"
	"strings"

	"minsheng/internal/plan"
)

// Roll-up totals (table rollup_totals): the facts of a jurisdiction's
// projects for a month, summed, so that a national roll-up reads one row
// per county. A write that changes facts counts the old ones out and the
// new ones in (addToTotals), in the same transaction, whatever the number
// of projects in the jurisdiction; a rebuild sums them anew (retotal). What depends on the clock stays apart as in the facts:
// Open counts the open months, OpenDue those of them that are 临期 and
// OpenBehind those that are 滞后 only because the project's deadline
// passed; Rollup applies the clock to them (line).

// total is a jurisdiction's line of a month before the clock is applied.
type total struct {
	RollupLine
	Open, OpenDue, OpenBehind int
}

func newTotal(jc string) *total {
	return &total{RollupLine: RollupLine{JurisdictionCode: jc, ByState: map[string]int{}, ByStatus: map[plan.Status]int{}}}
}

// add counts a fact in (sign 1) or out (sign -1).
func (t *total) add(f *fact, sign int) {
	t.Projects += sign
	t.ByState[f.state] += sign
	t.ByStatus[f.status] += sign
	if f.late {
		t.Late += sign
	}
	if f.open {
		t.Open += sign
		switch f.status {
		case plan.StatusDue:
			t.OpenDue += sign
		case plan.StatusBehind: // an open month is 滞后 only by its deadline
			t.OpenBehind += sign
		}
	}
	for _, x := range []struct{ sum, v *plan.Decimal }{{&t.PlannedInvestment, f.planned}, {&t.ActualInvestment, f.actual}, {&t.Disbursed, f.disbursed}} {
		switch {
		case x.v == nil:
		case sign > 0:
			*x.sum = x.sum.Add(*x.v)
		default:
			*x.sum = x.sum.Sub(*x.v)
		}
	}
}

// line applies the clock (plan.ReportTiming of the month without a
// report): an open month that is late counts as late; within the grace
// days its 临期 becomes 滞后, after them 临期 and 滞后 by the deadline
// become 未报送. Counts that fell to zero are dropped.
func (t *total) line(late, inGrace bool) RollupLine {
	l := t.RollupLine
	switch {
	case !late || t.Open == 0:
	case inGrace:
		l.Late += t.Open
		l.ByStatus[plan.StatusDue] -= t.OpenDue
		l.ByStatus[plan.StatusBehind] += t.OpenDue
	default:
		l.Late += t.Open
		l.ByStatus[plan.StatusDue] -= t.OpenDue
		l.ByStatus[plan.StatusBehind] -= t.OpenBehind
		l.ByStatus[plan.StatusNotReported] += t.OpenDue + t.OpenBehind
	}
	for k, v := range l.ByState {
		if v == 0 {
			delete(l.ByState, k)
		}
	}
	for k, v := range l.ByStatus {
		if v == 0 {
			delete(l.ByStatus, k)
		}
	}
	return l
}

const totalColumns = "period, jurisdiction_code, projects, by_state, by_status, late, open, open_due, open_behind, planned_wan, actual_wan, disbursed_wan"

func scanTotal(r interface{ Scan(...any) error }) (*total, error) {
	var period string
	return scanTotalPeriod(r, &period)
}

func scanTotalPeriod(r interface{ Scan(...any) error }, period *string) (*total, error) {
	t := newTotal("")
	var byState, byStatus, planned, actual, disbursed string
	if err := r.Scan(period, &t.JurisdictionCode, &t.Projects, &byState, &byStatus, &t.Late, &t.Open, &t.OpenDue, &t.OpenBehind, &planned, &actual, &disbursed); err != nil {
		return nil, err
	}
	if err := fromJSON(byState, &t.ByState); err != nil {
		return nil, err
	}
	if err := fromJSON(byStatus, &t.ByStatus); err != nil {
		return nil, err
	}
	for _, x := range []struct {
		d *plan.Decimal
		s string
	}{{&t.PlannedInvestment, planned}, {&t.ActualInvestment, actual}, {&t.Disbursed, disbursed}} {
		v, err := scanDec(sql.NullString{String: x.s, Valid: true})
		if err != nil {
			return nil, err
		}
		*x.d = *v
	}
	return t, nil
}

// retotal recomputes the totals of the jurisdictions and months in touched
// (jurisdiction → months) from their facts.
func (t *tx) retotal(touched map[string]map[string]bool) error {
	codes := make([]string, 0, len(touched))
	for jc := range touched {
		codes = append(codes, jc)
	}
	sort.Strings(codes) // one order of row locks for every writer
	for _, jc := range codes {
		periods := make([]string, 0, len(touched[jc]))
		args := []any{jc}
		for per := range touched[jc] {
			periods = append(periods, per)
		}
		sort.Strings(periods)
		for _, per := range periods {
			args = append(args, per)
		}
		sums := map[string]*total{}
		rows, err := t.query("SELECT "+factColumns+" FROM rollup_facts WHERE jurisdiction_code = ? AND period IN ("+
			strings.TrimSuffix(strings.Repeat("?, ", len(periods)), ", ")+")", args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			f, err := scanFact(rows)
			if err != nil {
				rows.Close()
				return err
			}
			if sums[f.period] == nil {
				sums[f.period] = newTotal(jc)
			}
			sums[f.period].add(&f, 1)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if err := t.putTotals(jc, periods, sums); err != nil {
			return err
		}
	}
	return nil
}

// putTotals writes a jurisdiction's totals of periods; a month left
// without projects loses its row.
func (t *tx) putTotals(jc string, periods []string, sums map[string]*total) error {
	var rows [][]any
	for _, per := range periods {
		s := sums[per]
		if s == nil || s.Projects == 0 {
			if _, err := t.exec("DELETE FROM rollup_totals WHERE period = ? AND jurisdiction_code = ?", per, jc); err != nil {
				return err
			}
			continue
		}
		for k, v := range s.ByState {
			if v == 0 {
				delete(s.ByState, k)
			}
		}
		for k, v := range s.ByStatus {
			if v == 0 {
				delete(s.ByStatus, k)
			}
		}
		rows = append(rows, []any{per, jc, s.Projects, toJSON(s.ByState), toJSON(s.ByStatus), s.Late, s.Open, s.OpenDue, s.OpenBehind,
			s.PlannedInvestment.String(), s.ActualInvestment.String(), s.Disbursed.String()})
	}
	return t.execRows("INSERT INTO rollup_totals ("+totalColumns+") VALUES ", "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		` ON CONFLICT (period, jurisdiction_code) DO UPDATE SET projects = excluded.projects, by_state = excluded.by_state,
		by_status = excluded.by_status, late = excluded.late, open = excluded.open, open_due = excluded.open_due, open_behind = excluded.open_behind,
		planned_wan = excluded.planned_wan, actual_wan = excluded.actual_wan, disbursed_wan = excluded.disbursed_wan`, rows)
}

// factDelta is a fact replaced: old nil when it is new, new nil when it
// is gone.
type factDelta struct{ old, new *fact }

// addToTotals applies changes of facts to the totals of their
// jurisdictions and months, or leaves them to the write's batch.
func (t *tx) addToTotals(ds []factDelta) error {
	if t.totals != nil {
		t.totals.deltas = append(t.totals.deltas, ds...)
		return nil
	}
	byCode := map[string]map[string]*total{} // jurisdiction → period → total
	var codes []string
	for _, d := range ds {
		for _, f := range []*fact{d.old, d.new} {
			if f == nil {
				continue
			}
			if byCode[f.jurisdiction] == nil {
				byCode[f.jurisdiction] = map[string]*total{}
				codes = append(codes, f.jurisdiction)
			}
			byCode[f.jurisdiction][f.period] = nil
		}
	}
	sort.Strings(codes) // one order of row locks for every writer
	for _, jc := range codes {
		sums := byCode[jc]
		periods := make([]string, 0, len(sums))
		args := []any{jc}
		for per := range sums {
			periods = append(periods, per)
		}
		sort.Strings(periods)
		for _, per := range periods {
			args = append(args, per)
		}
		// Locked in the order of the months: without ORDER BY, PostgreSQL
		// locks rows in the order it finds them, which after updates is
		// not the same for two writers' sets of months, and they deadlock.
		q := "SELECT " + totalColumns + " FROM rollup_totals WHERE jurisdiction_code = ? AND period IN (" +
			strings.TrimSuffix(strings.Repeat("?, ", len(periods)), ", ") + ") ORDER BY period"
		if t.pg {
			q += " FOR UPDATE"
		}
		rows, err := t.query(q, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var per string
			tot, err := scanTotalPeriod(rows, &per)
			if err != nil {
				rows.Close()
				return err
			}
			sums[per] = tot
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, d := range ds {
			for sign, f := range map[int]*fact{-1: d.old, 1: d.new} {
				if f == nil || f.jurisdiction != jc {
					continue
				}
				if sums[f.period] == nil {
					sums[f.period] = newTotal(jc)
				}
				sums[f.period].add(f, sign)
			}
		}
		if err := t.putTotals(jc, periods, sums); err != nil {
			return err
		}
	}
	return nil
}

// deferredTotals are changes to the totals a group-commit batch applies
// once, just before it commits, instead of each write reading and writing
// the same rows of its jurisdiction and months: the writes of a batch are
// mostly reports of one county. A write's own are merged into its batch's
// only when it succeeded (a write rolled back to its savepoint changed no
// fact, so it changes no total).
type deferredTotals struct {
	deltas []factDelta
	// recomputed are ranges of jurisdiction codes whose totals the write
	// summed anew from the facts (rebuildFacts): changes to them from
	// before are already counted there.
	recomputed [][2]string
}

// recount notes that the totals of the jurisdictions from lo to hi were
// summed anew from their facts: changes left for later would count twice.
func (d *deferredTotals) recount(lo, hi string) {
	d.deltas = dropRange(d.deltas, lo, hi)
	d.recomputed = append(d.recomputed, [2]string{lo, hi})
}

// merge takes in a successful write's changes.
func (d *deferredTotals) merge(w *deferredTotals) {
	for _, r := range w.recomputed {
		d.deltas = dropRange(d.deltas, r[0], r[1])
	}
	d.deltas = append(d.deltas, w.deltas...)
}

func dropRange(ds []factDelta, lo, hi string) []factDelta {
	return slices.DeleteFunc(ds, func(d factDelta) bool {
		f := d.new
		if f == nil {
			f = d.old
		}
		return f.jurisdiction >= lo && f.jurisdiction <= hi
	})
}
