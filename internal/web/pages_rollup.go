package web

import (
	"net/http"
	"sort"

	"minsheng/internal/division"
	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// rollupPage is the 总览 of a city or a province without a plan of its
// own: its jurisdictions' dashboards summed (store.Rollup), one line per
// place of the next level down.
type rollupPage struct {
	basePage
	Scope       *scope
	R           *store.Rollup
	Counts      []statusCount
	InvestRatio float64 // actual / planned through the month
	Areas       []rollupArea
}

// rollupArea is one place under the scope: a city of a province (its
// counties summed), or a county of a city.
type rollupArea struct {
	Code, Name string
	// Own: the place has a plan of its own, and its line links to its
	// dashboard rather than to its roll-up.
	Own   bool
	Plans int // jurisdictions with a plan, summed here
	store.RollupLine
	InvestRatio float64
}

// Count is how many of the area's projects have status st.
func (a rollupArea) Count(st plan.Status) int { return a.ByStatus[st] }

func (s *Server) rollupPage(w http.ResponseWriter, r *http.Request, sc *scope) {
	ru, err := s.Store.Rollup(r.Context(), sc.Code, sc.Period)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	pg := rollupPage{basePage: s.base(r, sc.Name+" "+sc.Period.Label()+" 汇总", "dashboard"), Scope: sc, R: ru,
		InvestRatio: ratio(ru.ActualInvestment.Decimal, ru.PlannedInvestment.Decimal), Areas: rollupAreas(sc.Code, ru.Items)}
	for _, st := range plan.Statuses {
		pg.Counts = append(pg.Counts, statusCount{Status: st, Count: ru.ByStatus[st]})
	}
	s.render(w, r, http.StatusOK, "rollup", pg)
}

// rollupAreas sums the jurisdictions' lines by the place of the level
// under code they belong to, in code order.
func rollupAreas(code string, lines []store.RollupLine) []rollupArea {
	byCode := map[string]*rollupArea{}
	var out []*rollupArea
	for _, l := range lines {
		ac := areaOf(code, l.JurisdictionCode)
		a := byCode[ac]
		if a == nil {
			a = &rollupArea{Code: ac, Name: ac, RollupLine: store.RollupLine{JurisdictionCode: ac,
				ByState: map[string]int{}, ByStatus: map[plan.Status]int{}}}
			if d, ok := division.ByCode(ac); ok {
				a.Name = d.Name
			}
			byCode[ac] = a
			out = append(out, a)
		}
		a.Plans++
		a.Own = a.Own || l.JurisdictionCode == ac
		a.Projects += l.Projects
		a.Late += l.Late
		for k, v := range l.ByState {
			a.ByState[k] += v
		}
		for k, v := range l.ByStatus {
			a.ByStatus[k] += v
		}
		a.PlannedInvestment = a.PlannedInvestment.Add(l.PlannedInvestment)
		a.ActualInvestment = a.ActualInvestment.Add(l.ActualInvestment)
		a.Disbursed = a.Disbursed.Add(l.Disbursed)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	areas := make([]rollupArea, len(out))
	for i, a := range out {
		a.InvestRatio = ratio(a.ActualInvestment.Decimal, a.PlannedInvestment.Decimal)
		areas[i] = *a
	}
	return areas
}

// areaOf is the place of the level under scope that jurisdiction code is
// in: under the whole country its province, under a province its city (a
// city's own plan is the city), under a city the county itself.
func areaOf(scope, code string) string {
	switch {
	case scope == "" && len(code) == 6:
		return code[:2] + "0000"
	case len(scope) == 6 && scope[2:] == "0000" && len(code) == 6:
		return code[:4] + "00"
	}
	return code
}
