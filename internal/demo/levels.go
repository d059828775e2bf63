package demo

import (
	"time"

	"minsheng/internal/division"
	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// demoSplits are the 上饶市 targets the demo splits among the city's
// counties (任务分解): project 9's 100 pilot schools and project 4's 2166
// households, with the unit that reports them in each county.
var demoSplits = []struct {
	seq    int
	metric string
	unit   string // the county unit, after the county's level word
	slug   string
}{
	{9, "试点学校", "教育局", "edu"},
	{4, "困难重度残疾人家庭", "残联", "dpf"},
}

// splitCity splits the demoSplits among 上饶市's counties in proportion to
// weights, gives each county unit an account, and has it report its
// cumulative figure every month on the simulated clock — most on pace, a
// few behind — so that the 层级 page shows a roll-up with a laggard.
func (l *loader) splitCity() error {
	var city *jurisdiction
	for _, j := range l.juris {
		if j.code == "361100" {
			city = j
		}
	}
	if city == nil {
		return nil
	}
	var counties []division.Division
	for _, d := range division.Children(city.code) {
		if d.Level == division.LevelCounty {
			counties = append(counties, d)
		}
	}
	if len(counties) == 0 {
		return nil
	}
	hash, err := store.HashPassword(Password)
	if err != nil {
		return err
	}
	type task struct {
		share  *store.Share
		pace   float64
		target plan.Decimal
	}
	var tasks []task
	var users []*plan.User
	reporter := map[string]*plan.User{} // unit ID → account
	for _, sp := range demoSplits {
		var tg *plan.TargetRecord
		for i := range city.projects {
			p := &city.projects[i]
			for k := range p.Targets {
				if p.Seq == sp.seq && p.Targets[k].Metric == sp.metric {
					tg = &p.Targets[k]
				}
			}
		}
		if tg == nil || !tg.Splittable() {
			continue
		}
		total := tg.Value.IntPart()
		weights := make([]int64, len(counties))
		var sum int64
		for i := range weights {
			weights[i] = 4 + int64(l.rng.IntN(9))
			sum += weights[i]
		}
		var shares []plan.ShareInput
		var given int64
		for i, c := range counties {
			n := total * weights[i] / sum
			if i == len(counties)-1 {
				n = total - given
			}
			given += n
			rs := []rune(c.Name)
			shares = append(shares, plan.ShareInput{JurisdictionCode: c.Code, Value: plan.DecimalFromInt(n), Unit: string(rs[len(rs)-1]) + sp.unit})
		}
		l.at(day(Year, time.February, 1, 10, 0))
		saved, err := l.st.SplitTarget(l.ctx, city.supervisor, tg.ID, shares)
		if err != nil {
			return err
		}
		for i := range saved {
			sh := &saved[i]
			if reporter[sh.UnitID] == nil {
				u := &plan.User{Username: l.names.take("sr-" + sh.JurisdictionCode + "-" + sp.slug), DisplayName: sh.JurisdictionName + sh.UnitName,
					Role: plan.RoleReporter, UnitID: sh.UnitID, JurisdictionCode: sh.JurisdictionCode}
				reporter[sh.UnitID] = u
				users = append(users, u)
				l.logins = append(l.logins, Login{Username: u.Username, Password: Password, Role: u.Role, Jurisdiction: sh.JurisdictionName, Unit: sh.UnitName})
			}
			pace := 0.95 + 0.2*l.rng.Float64()
			if l.rng.IntN(5) == 0 {
				pace = 0.35 + 0.3*l.rng.Float64() // behind
			}
			tasks = append(tasks, task{share: sh, pace: pace, target: sh.Value})
		}
	}
	l.at(day(Year, time.February, 1, 11, 0))
	if err := l.st.CreateUsersHashed(l.ctx, plan.SystemUser, users, hash); err != nil {
		return err
	}
	for m := time.January; m <= l.last.Month && l.last.Year == Year; m++ {
		per := plan.Period{Year: Year, Month: m}
		next := per.Next()
		for i, tk := range tasks {
			l.at(day(next.Year, next.Month, 2+i%3, 9+i%8, (i*7)%60))
			share := tk.target.InexactFloat64()
			v := share * tk.pace * float64(m) / 12
			if v > share {
				v = share
			}
			actual := plan.DecimalFromInt(int64(v))
			if err := l.st.SaveShareReport(l.ctx, reporter[tk.share.UnitID], tk.share.ID, per, actual, ""); err != nil {
				return err
			}
		}
	}
	return nil
}
