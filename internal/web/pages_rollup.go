package web

import (
	"net/http"
	"slices"

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
	*store.Rollup
	Name string
	// Own: the place has a plan of its own, and its line links to its
	// dashboard rather than to its roll-up.
	Own         bool
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
		InvestRatio: ratio(ru.ActualInvestment.Decimal, ru.PlannedInvestment.Decimal)}
	for _, st := range plan.Statuses {
		pg.Counts = append(pg.Counts, statusCount{Status: st, Count: ru.ByStatus[st]})
	}
	for _, g := range ru.Group(func(code string) string { return areaOf(sc.Code, code) }) {
		a := rollupArea{Rollup: g, Name: g.JurisdictionCode, InvestRatio: ratio(g.ActualInvestment.Decimal, g.PlannedInvestment.Decimal),
			Own: slices.ContainsFunc(g.Items, func(l store.RollupLine) bool { return l.JurisdictionCode == g.JurisdictionCode })}
		if d, ok := division.ByCode(g.JurisdictionCode); ok {
			a.Name = d.Name
		}
		pg.Areas = append(pg.Areas, a)
	}
	s.render(w, r, http.StatusOK, "rollup", pg)
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
