package demo

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

func TestMain(m *testing.M) {
	// Cheap hashes: the tests check the data, not argon2's cost.
	store.PasswordParams.Memory, store.PasswordParams.Time = 1024, 1
	os.Exit(m.Run())
}

var demoNow = time.Date(2026, 3, 1, 9, 0, 0, 0, plan.Shanghai)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestLoad(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := openStore(t)
	start := time.Now()
	logins, err := Load(ctx, st, demoNow)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Load took %v", time.Since(start))

	// Three plans, published.
	plans, err := st.ListPlans(ctx, store.PlanFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(plans) != 3 {
		t.Fatalf("%d plans, want 3", len(plans))
	}
	for _, p := range plans {
		if p.State != plan.PlanPublished {
			t.Errorf("plan %s is %s", p.JurisdictionCode, p.State)
		}
	}

	// Accounts: one admin; per jurisdiction a supervisor, a leader and a
	// deputy; a reporter for every reporting unit; some contributors. The
	// logins name exactly the stored users, and every one can log in.
	users, err := st.ListUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != len(logins) {
		t.Fatalf("%d users stored, %d logins printed", len(users), len(logins))
	}
	byRole := map[plan.Role]map[string]int{}
	for _, u := range users {
		if byRole[u.Role] == nil {
			byRole[u.Role] = map[string]int{}
		}
		byRole[u.Role][u.JurisdictionCode]++
		if strings.ContainsFunc(u.Username, func(r rune) bool { return r > 127 || r == ' ' }) {
			t.Errorf("username %q is not plain ASCII", u.Username)
		}
	}
	if n := byRole[plan.RoleAdmin][""]; n != 1 {
		t.Errorf("%d admins", n)
	}
	for _, p := range plans {
		code := p.JurisdictionCode
		for _, r := range []plan.Role{plan.RoleSupervisor, plan.RoleLeader, plan.RoleDeputy} {
			if n := byRole[r][code]; n != 1 {
				t.Errorf("%s: %d %s", code, n, r)
			}
		}
		projects, err := st.ListProjects(ctx, store.ProjectFilter{JurisdictionCode: code, Year: Year})
		if err != nil {
			t.Fatal(err)
		}
		reporting := map[string]bool{}
		for _, pr := range projects {
			for _, id := range pr.ReportingUnitIDs() {
				reporting[id] = true
			}
		}
		if n := byRole[plan.RoleReporter][code]; n != len(reporting) {
			t.Errorf("%s: %d reporters for %d reporting units", code, n, len(reporting))
		}
	}
	if len(byRole[plan.RoleContributor]) == 0 {
		t.Error("no contributors")
	}
	if _, err := st.Authenticate(ctx, logins[1].Username, Password); err != nil {
		t.Errorf("log in as %s: %v", logins[1].Username, err)
	}

	// Reports: every month January–October, most projects; a mix of states
	// in October; late ones; returns; contributions.
	sup := &plan.User{ID: "test", Role: plan.RoleSupervisor}
	var all []plan.Report
	for _, p := range plans {
		sup.JurisdictionCode = p.JurisdictionCode
		rs, err := st.ListReports(ctx, sup, store.ReportFilter{JurisdictionCode: p.JurisdictionCode, Year: Year})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, rs...)
	}
	perMonth := map[plan.Period]int{}
	states := map[plan.ReportState]int{}
	late, contributed := 0, 0
	for _, r := range all {
		perMonth[r.Period]++
		if r.Period.Month == time.October {
			states[r.State]++
		}
		if r.SubmittedAt != nil && r.Period.IsLate(*r.SubmittedAt, plan.DefaultDueDay) {
			late++
		}
		if len(r.Contributions) > 0 {
			contributed++
		}
	}
	for m := time.January; m <= time.October; m++ {
		per := plan.Period{Year: Year, Month: m}
		if want := 36; perMonth[per] < want || m == time.October && perMonth[per] > 38 {
			t.Errorf("%s: %d reports, want most of 40 projects", per, perMonth[per])
		}
	}
	if perMonth[plan.Period{Year: Year, Month: time.November}] != 0 {
		t.Error("reports for November")
	}
	if states[plan.ReportAccepted] < 25 || states[plan.ReportSubmitted] == 0 {
		t.Errorf("October states: %v", states)
	}
	if late < 10 {
		t.Errorf("%d late reports", late)
	}
	if contributed < 10 {
		t.Errorf("%d reports with contributions", contributed)
	}
	t.Logf("reports: %d; October: %v; late %d; with contributions %d", len(all), states, late, contributed)

	// Returned once and resubmitted: the revisions show it.
	returned := 0
	for _, r := range all {
		if r.Period.Month > time.March {
			continue
		}
		revs, err := st.ReportRevisions(ctx, plan.SystemUser, r.ProjectID, r.Period)
		if err != nil {
			t.Fatal(err)
		}
		for _, rv := range revs {
			if rv.Action == plan.ReportReturn && rv.Reason != "" {
				returned++
			}
		}
	}
	if returned == 0 {
		t.Error("no report was returned in January–March")
	}

	// Figures: percentages at most 100, running totals never falling.
	targets := map[string]plan.TargetRecord{}
	projects, err := st.ListProjects(ctx, store.ProjectFilter{Year: Year})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range projects {
		for _, tg := range p.Targets {
			targets[tg.ID] = tg
		}
	}
	type key struct {
		target string
		month  time.Month
	}
	values := map[key]plan.Decimal{}
	money := map[string]map[time.Month][2]*plan.Decimal{}
	for _, r := range all {
		if r.State != plan.ReportAccepted {
			continue
		}
		for _, rt := range r.Targets {
			tg := targets[rt.TargetID]
			if rt.Actual == nil {
				t.Errorf("accepted report %s without an actual for %s", r.ID, tg.Metric)
				continue
			}
			if tg.Percent() && rt.Actual.GreaterThan(plan.DecimalFromInt(100).Decimal) {
				t.Errorf("%s: %s%% in %s", tg.Metric, rt.Actual, r.Period)
			}
			if tg.Cumulative() {
				values[key{tg.ID, r.Period.Month}] = *rt.Actual
			}
		}
		if money[r.ProjectID] == nil {
			money[r.ProjectID] = map[time.Month][2]*plan.Decimal{}
		}
		money[r.ProjectID][r.Period.Month] = [2]*plan.Decimal{r.Investment, r.Disbursed}
	}
	for k, v := range values {
		if prev, ok := values[key{k.target, k.month - 1}]; ok && v.LessThan(prev.Decimal) {
			t.Errorf("%s falls from %s to %s in %d月", targets[k.target].Metric, prev, v, k.month)
		}
	}
	for pid, months := range money {
		for m, cur := range months {
			prev, ok := months[m-1]
			for i := range 2 {
				if ok && cur[i] != nil && prev[i] != nil && cur[i].LessThan(prev[i].Decimal) {
					t.Errorf("project %s: money %d falls in %d月", pid, i, m)
				}
			}
			if cur[0] != nil && cur[1] != nil && cur[1].GreaterThan(cur[0].Decimal) {
				t.Errorf("project %s: disbursed %s above investment %s in %d月", pid, cur[1], cur[0], m)
			}
		}
	}

	// Monthly plans: approved for most projects; planned investment sums to
	// the project's investment.
	approved := 0
	for _, p := range plans {
		mps, err := st.ApprovedMonthlyPlans(ctx, p.JurisdictionCode, Year)
		if err != nil {
			t.Fatal(err)
		}
		approved += len(mps)
		for pid, mp := range mps {
			var pr *plan.ProjectRecord
			for i := range projects {
				if projects[i].ID == pid {
					pr = &projects[i]
				}
			}
			if pr.Investment != nil && !mp.PlannedInvestmentThrough(12).Equal(pr.Investment.Decimal) {
				t.Errorf("%s: planned investment %s, project %s", pr.Title, mp.PlannedInvestmentThrough(12), pr.Investment)
			}
			for _, mt := range mp.Targets {
				tg := targets[mt.TargetID]
				if v := mt.Cumulative[11]; tg.Cumulative() && (v == nil || !v.Equal(tg.Value.Decimal)) {
					t.Errorf("%s: December plan %v, annual %s", tg.Metric, v, tg.Value)
				}
			}
		}
	}
	if approved < 30 {
		t.Errorf("%d approved monthly plans of 40 projects", approved)
	}

	// The dashboard of each jurisdiction for October shows a mix.
	for _, p := range plans {
		d, err := st.Dashboard(ctx, p.JurisdictionCode, plan.MustPeriod("2024-10"))
		if err != nil {
			t.Fatal(err)
		}
		if len(d.ByState) < 2 || d.ByState["accepted"] == 0 {
			t.Errorf("%s dashboard for October: %v", p.JurisdictionCode, d.ByState)
		}
		behind := 0
		for _, it := range d.Items {
			for _, tg := range it.Targets {
				if tg.Latest != nil && !tg.Lower && tg.Latest.LessThan(tg.Expected.Decimal) {
					behind++
					break
				}
			}
		}
		if behind == 0 {
			t.Errorf("%s: no project behind plan in October", p.JurisdictionCode)
		}
		t.Logf("%s October: %v, late %d, behind %d, planned %s actual %s", p.JurisdictionCode, d.ByState, d.Late, behind, d.PlannedInvestment, d.ActualInvestment)
	}

	// The audit chain is whole.
	rep, err := st.VerifyAudit(ctx)
	if err != nil || rep.Break != nil {
		t.Fatalf("audit: %v %v", err, rep.Break)
	}

	// The clock and IDs are the store's own again.
	if got := st.Now(); got.Year() < 2025 {
		t.Errorf("store clock left at %v", got)
	}

	// A second Load does nothing.
	again, err := Load(ctx, st, demoNow)
	if err != nil || again != nil {
		t.Fatalf("second Load: %v, %d logins", err, len(again))
	}

	var out bytes.Buffer
	PrintLogins(&out, logins)
	if !strings.Contains(out.String(), "demo1234") || !strings.Contains(out.String(), "xj-supervisor") {
		t.Errorf("logins table:\n%s", out.String())
	}
	t.Logf("\n%s", out.String())
}

// TestLoadDeterministic: two loads make the same figures and IDs.
func TestLoadDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	t.Parallel()
	ctx := context.Background()
	var dumps [2]string
	stores := [2]*store.Store{openStore(t), openStore(t)}
	errs := make(chan error, 2)
	for _, st := range stores {
		go func() {
			_, err := Load(ctx, st, demoNow)
			errs <- err
		}()
	}
	for range stores {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for i, st := range stores {
		d, err := st.Dashboard(ctx, "360702", plan.MustPeriod("2024-10"))
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, it := range d.Items {
			b.WriteString(it.ProjectID + " " + string(it.ReportState))
			for _, tg := range it.Targets {
				if tg.Latest != nil {
					b.WriteString(" " + tg.Latest.String())
				}
			}
			b.WriteByte('\n')
		}
		dumps[i] = b.String()
	}
	if dumps[0] != dumps[1] {
		t.Errorf("two loads differ:\n%s\n---\n%s", dumps[0], dumps[1])
	}
}
