package plan

import (
	"sort"
	"strings"
	"unicode"
)

// Matching pairs the projects and targets of two versions of a plan. Indices
// point into old.Projects / new.Projects and their Targets.
type Matching struct {
	Projects        []ProjectPair `json:"projects"`
	AddedProjects   []int         `json:"added_projects"`   // indices into new.Projects
	RemovedProjects []int         `json:"removed_projects"` // indices into old.Projects
	Targets         []TargetPair  `json:"targets"`
	AddedTargets    []TargetRef   `json:"added_targets"`   // into new, including those of added projects
	RemovedTargets  []TargetRef   `json:"removed_targets"` // into old, including those of removed projects
}

// ProjectPair is an old project matched with a new one.
type ProjectPair struct {
	Old, New int
	Score    float64
}

// TargetPair is an old target matched with a new one.
type TargetPair struct {
	Old, New TargetRef
	Score    float64
}

// TargetRef names a target by project and target index.
type TargetRef struct{ Project, Target int }

// NewProject returns the index of the new project matched with old project
// i, or -1.
func (m *Matching) NewProject(i int) int {
	for _, p := range m.Projects {
		if p.Old == i {
			return p.New
		}
	}
	return -1
}

// NewTarget returns the new target matched with the old one, if any.
func (m *Matching) NewTarget(old TargetRef) (TargetRef, bool) {
	for _, p := range m.Targets {
		if p.Old == old {
			return p.New, true
		}
	}
	return TargetRef{}, false
}

// Thresholds of MatchTargets: a pair below them is not the same thing.
const (
	projectMatchThreshold = 0.5
	targetMatchThreshold  = 0.6
)

// MatchTargets finds which projects and targets of a new version of a plan
// are the same as those of the old one, so that their stored IDs (and the
// monthly plans and reports attached to them) carry over.
//
// Projects are scored 0.6·title similarity + 0.3·similarity of their target
// metrics + 0.1 when their seq is unchanged, and matched greedily, best
// score first, when the score reaches 0.5: a renumbered project keeps its
// identity, a reworded title with the same targets too, while a different
// project that took over a number does not. Similarity is the Dice
// coefficient of character bigrams after dropping spaces and punctuation,
// which suits Chinese titles (no word boundaries) well.
//
// Within a matched project, targets are scored 0.7·metric similarity +
// 0.15 for the same unit + 0.15 for the same sub-project, matched greedily
// at 0.6 or more; so a value or unit change (1.42亿元 → 14200万元) keeps the
// target, a new metric does not. Ties go to document order.
func MatchTargets(old, new *Plan) Matching {
	var m Matching
	type cand struct {
		i, j  int
		score float64
	}
	var cands []cand
	for i := range old.Projects {
		for j := range new.Projects {
			s := projectScore(&old.Projects[i], &new.Projects[j])
			if s >= projectMatchThreshold {
				cands = append(cands, cand{i, j, s})
			}
		}
	}
	sort.SliceStable(cands, func(a, b int) bool { return cands[a].score > cands[b].score })
	usedOld := make([]bool, len(old.Projects))
	usedNew := make([]bool, len(new.Projects))
	for _, c := range cands {
		if usedOld[c.i] || usedNew[c.j] {
			continue
		}
		usedOld[c.i], usedNew[c.j] = true, true
		m.Projects = append(m.Projects, ProjectPair{Old: c.i, New: c.j, Score: c.score})
	}
	sort.Slice(m.Projects, func(a, b int) bool { return m.Projects[a].New < m.Projects[b].New })
	for i, used := range usedOld {
		if !used {
			m.RemovedProjects = append(m.RemovedProjects, i)
			for k := range old.Projects[i].Targets {
				m.RemovedTargets = append(m.RemovedTargets, TargetRef{i, k})
			}
		}
	}
	for j, used := range usedNew {
		if !used {
			m.AddedProjects = append(m.AddedProjects, j)
		}
	}
	for _, pp := range m.Projects {
		op, np := &old.Projects[pp.Old], &new.Projects[pp.New]
		var tc []cand
		for a := range op.Targets {
			for b := range np.Targets {
				if s := targetScore(&op.Targets[a], &np.Targets[b]); s >= targetMatchThreshold {
					tc = append(tc, cand{a, b, s})
				}
			}
		}
		sort.SliceStable(tc, func(x, y int) bool { return tc[x].score > tc[y].score })
		uo := make([]bool, len(op.Targets))
		un := make([]bool, len(np.Targets))
		for _, c := range tc {
			if uo[c.i] || un[c.j] {
				continue
			}
			uo[c.i], un[c.j] = true, true
			m.Targets = append(m.Targets, TargetPair{Old: TargetRef{pp.Old, c.i}, New: TargetRef{pp.New, c.j}, Score: c.score})
		}
		for a, u := range uo {
			if !u {
				m.RemovedTargets = append(m.RemovedTargets, TargetRef{pp.Old, a})
			}
		}
		for b, u := range un {
			if !u {
				m.AddedTargets = append(m.AddedTargets, TargetRef{pp.New, b})
			}
		}
	}
	for _, j := range m.AddedProjects {
		for k := range new.Projects[j].Targets {
			m.AddedTargets = append(m.AddedTargets, TargetRef{j, k})
		}
	}
	sortRefs := func(rs []TargetRef) {
		sort.Slice(rs, func(a, b int) bool {
			if rs[a].Project != rs[b].Project {
				return rs[a].Project < rs[b].Project
			}
			return rs[a].Target < rs[b].Target
		})
	}
	sortRefs(m.AddedTargets)
	sortRefs(m.RemovedTargets)
	sort.Slice(m.Targets, func(a, b int) bool {
		x, y := m.Targets[a].New, m.Targets[b].New
		return x.Project < y.Project || x.Project == y.Project && x.Target < y.Target
	})
	return m
}

func projectScore(a, b *Project) float64 {
	s := 0.6 * Similarity(a.Title, b.Title)
	var am, bm []string
	for _, t := range a.Targets {
		am = append(am, t.Metric)
	}
	for _, t := range b.Targets {
		bm = append(bm, t.Metric)
	}
	s += 0.3 * Similarity(strings.Join(am, "|"), strings.Join(bm, "|"))
	if a.Seq == b.Seq {
		s += 0.1
	}
	return s
}

func targetScore(a, b *Target) float64 {
	s := 0.7 * Similarity(a.Metric, b.Metric)
	if a.Unit == b.Unit {
		s += 0.15
	}
	if strOrEmpty(a.Subproject) == strOrEmpty(b.Subproject) {
		s += 0.15
	}
	return s
}

func strOrEmpty(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// Similarity is the Dice coefficient of the character bigrams of a and b,
// ignoring spaces and punctuation: 1 for equal texts, 0 for texts sharing
// no pair of characters. A one-character text is compared as a unigram.
func Similarity(a, b string) float64 {
	ra, rb := normRunes(a), normRunes(b)
	if len(ra) == 0 && len(rb) == 0 {
		return 1
	}
	if string(ra) == string(rb) {
		return 1
	}
	ga, gb := bigrams(ra), bigrams(rb)
	if len(ga) == 0 || len(gb) == 0 {
		return 0
	}
	count := map[string]int{}
	for _, g := range ga {
		count[g]++
	}
	common := 0
	for _, g := range gb {
		if count[g] > 0 {
			count[g]--
			common++
		}
	}
	return 2 * float64(common) / float64(len(ga)+len(gb))
}

func normRunes(s string) []rune {
	var out []rune
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) {
			continue
		}
		out = append(out, unicode.ToLower(r))
	}
	return out
}

func bigrams(r []rune) []string {
	if len(r) == 1 {
		return []string{string(r)}
	}
	var out []string
	for i := 0; i+1 < len(r); i++ {
		out = append(out, string(r[i:i+2]))
	}
	return out
}
