package plan

import (
	"sort"
	"strconv"
)

// Carry-over (结转): when next year's plan of a jurisdiction is imported,
// its projects and sub-projects that continue last year's are recognised,
// so that they keep their history (last year's reports, the share of the
// works already done) instead of starting as new projects with no past.

// CarryLink ties a project (Subproject "") or a sub-project of a draft plan
// to last year's published project or sub-project it continues.
type CarryLink struct {
	ProjectIndex     int     `json:"project_index"` // into the draft's Projects
	Subproject       string  `json:"subproject"`    // its name; "" for the project itself
	PrevProjectID    string  `json:"prev_project_id"`
	PrevSubprojectID string  `json:"prev_subproject_id,omitempty"`
	Score            float64 `json:"score"`
	// YearEnd is the share of the whole works (%) to be reached by the end
	// of this year, for a multi-year sub-project; nil otherwise.
	YearEnd *Decimal `json:"year_end,omitempty"`
	// ReachedBefore is the share of the whole (%) last year's sub-project
	// had reached, as it stood when the link was saved.
	ReachedBefore *Decimal `json:"reached_before,omitempty"`
}

// Thresholds of MatchCarryOver.
const (
	carryProjectThreshold    = 0.55
	carrySubprojectThreshold = 0.6
)

// MatchCarryOver proposes which projects and sub-projects of next continue
// those of last year's plan (prev, its published projects), greedily, best
// score first, each side used once:
//
//   - projects: 0.7·title similarity + 0.3·overlap of their units, at 0.55
//     or more;
//   - sub-projects: 0.6·name similarity + 0.15·overlap of units + 0.15·overlap
//     of places + 0.1 when next's row says it began before this year, at 0.6
//     or more; only where one side says the works run on (last year's span
//     reaches this year, or next's began before it) — a finished one-year
//     project with a similar name next year is new works, not a
//     continuation.
//
// Similarity is match.go's (bigram Dice, suited to Chinese names).
func MatchCarryOver(prev []ProjectRecord, next *Plan) []CarryLink {
	type cand struct {
		link  CarryLink
		left  string // the previous side's key
		right string // the next side's key
	}
	var projects, subs []cand
	for j := range next.Projects {
		np := &next.Projects[j]
		nUnits := append(append([]string(nil), np.LeadUnits...), np.ResponsibleUnits...)
		for i := range prev {
			pp := &prev[i]
			s := 0.7*Similarity(pp.Title, np.Title) + 0.3*overlap(append(pp.LeadUnitNames(), pp.ResponsibleUnitNames()...), nUnits)
			if s >= carryProjectThreshold {
				projects = append(projects, cand{CarryLink{ProjectIndex: j, PrevProjectID: pp.ID, Score: s}, pp.ID, itoaKey(j, "")})
			}
			for _, ns := range np.Subprojects {
				nFrom, _, nOK := yearSpanOf(ns.Years)
				began := nOK && nFrom < next.Year
				for _, ps := range pp.Subprojects {
					if ps.RetiredBy != "" {
						continue
					}
					_, pTo, pOK := yearSpanOf(ps.Years)
					if !began && !(pOK && pTo >= next.Year) {
						continue
					}
					s := 0.6*Similarity(ps.Name, ns.Name) + 0.15*overlap(ps.Units, ns.Units) + 0.15*overlap(ps.Locations, ns.Locations)
					if began {
						s += 0.1
					}
					if s >= carrySubprojectThreshold {
						subs = append(subs, cand{CarryLink{ProjectIndex: j, Subproject: ns.Name, PrevProjectID: pp.ID, PrevSubprojectID: ps.ID, Score: s},
							ps.ID, itoaKey(j, ns.Name)})
					}
				}
			}
		}
	}
	var out []CarryLink
	for _, cs := range [][]cand{projects, subs} {
		sort.SliceStable(cs, func(a, b int) bool { return cs[a].link.Score > cs[b].link.Score })
		usedL, usedR := map[string]bool{}, map[string]bool{}
		for _, c := range cs {
			if usedL[c.left] || usedR[c.right] {
				continue
			}
			usedL[c.left], usedR[c.right] = true, true
			out = append(out, c.link)
		}
	}
	SortCarryLinks(out)
	return out
}

// SortCarryLinks orders links by project, the project's own link first,
// then its sub-projects by name.
func SortCarryLinks(ls []CarryLink) {
	sort.SliceStable(ls, func(a, b int) bool {
		if ls[a].ProjectIndex != ls[b].ProjectIndex {
			return ls[a].ProjectIndex < ls[b].ProjectIndex
		}
		return ls[a].Subproject < ls[b].Subproject
	})
}

func itoaKey(i int, name string) string { return strconv.Itoa(i) + "|" + name }

func yearSpanOf(s *string) (int, int, bool) {
	if s == nil {
		return 0, 0, false
	}
	return YearSpan(*s)
}

// overlap is the share of names two lists have in common (Jaccard), 0 when
// either is empty.
func overlap(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	set := map[string]bool{}
	for _, x := range a {
		set[x] = true
	}
	union := len(set)
	common := 0
	seen := map[string]bool{}
	for _, y := range b {
		if seen[y] {
			continue
		}
		seen[y] = true
		if set[y] {
			common++
		} else {
			union++
		}
	}
	return float64(common) / float64(union)
}
