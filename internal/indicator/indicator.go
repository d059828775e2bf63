// Package indicator maps targets of published plans to canonical
// indicators — the standards that many plans set with different values
// (城市低保月人均保障标准, 特困人员供养标准, 孤儿基本生活保障标准 …) — so that
// jurisdictions and years can be compared side by side.
//
// The mapping lives in data: data/indicators.tsv lists each indicator with
// the metrics (phrases) that mean it; its header says how to add one. A
// supervisor's manual mapping of one target (stored by the store, see
// Target.Override) wins over the file.
package indicator

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"

	"minsheng/internal/plan"
)

// Indicator is one canonical indicator.
type Indicator struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Unit string `json:"unit"`
	// TargetUnit is the unit a target must carry (after the importer's
	// scaling) to be read as this indicator.
	TargetUnit string   `json:"target_unit"`
	Phrases    []string `json:"phrases"`
}

// phrase is a parsed phrase: the normalised metric and, for "前项 > 本项",
// the normalised metric of the preceding target.
type phrase struct{ before, metric string }

// Set is a parsed indicator file.
type Set struct {
	list []Indicator
	byID map[string]int
	// byMetric: normalised metric → the phrases that end in it, with the
	// index of their indicator.
	byMetric map[string][]entry
}

type entry struct {
	ind int
	p   phrase
}

//go:embed data/indicators.tsv
var defaultFile string

var (
	defaultOnce sync.Once
	defaultSet  *Set
)

// Default returns the embedded data/indicators.tsv. The file is checked by
// the package's tests, so a defect is a build error and panics.
func Default() *Set {
	defaultOnce.Do(func() {
		s, err := Parse(strings.NewReader(defaultFile), "indicators.tsv")
		if err != nil {
			panic("indicator: " + err.Error())
		}
		defaultSet = s
	})
	return defaultSet
}

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Parse reads an indicator file (the format of data/indicators.tsv). An
// error names the file, the line and the column at fault, in Chinese.
func Parse(r io.Reader, name string) (*Set, error) {
	s := &Set{byID: map[string]int{}, byMetric: map[string][]entry{}}
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		at := func(col, format string, args ...any) error {
			return fmt.Errorf("%s 第 %d 行（%s）：%s", name, line, col, fmt.Sprintf(format, args...))
		}
		cols := strings.Split(text, "\t")
		if len(cols) != 5 {
			return nil, at("整行", "应有 5 列（id、name、unit、target_unit、phrases，以制表符分隔），实有 %d 列", len(cols))
		}
		for i := range cols {
			cols[i] = strings.TrimSpace(cols[i])
		}
		ind := Indicator{ID: cols[0], Name: cols[1], Unit: cols[2], TargetUnit: cols[3]}
		switch {
		case !idPattern.MatchString(ind.ID):
			return nil, at("id", "「%s」不是有效的标识，只能用小写字母、数字和下划线，以字母开头", ind.ID)
		case ind.Name == "":
			return nil, at("name", "指标名称不能为空")
		case ind.Unit == "":
			return nil, at("unit", "单位不能为空")
		case ind.TargetUnit == "":
			return nil, at("target_unit", "目标单位不能为空")
		}
		if _, dup := s.byID[ind.ID]; dup {
			return nil, at("id", "标识「%s」重复", ind.ID)
		}
		k := len(s.list)
		seen := map[phrase]bool{}
		for _, raw := range strings.Split(cols[4], "｜") {
			raw = strings.TrimSpace(raw)
			if raw == "" {
				return nil, at("phrases", "有空的短语（两个｜之间或首尾没有内容）")
			}
			p, err := parsePhrase(raw)
			if err != "" {
				return nil, at("phrases", "短语「%s」%s", raw, err)
			}
			if seen[p] {
				return nil, at("phrases", "短语「%s」重复", raw)
			}
			seen[p] = true
			ind.Phrases = append(ind.Phrases, raw)
			s.byMetric[p.metric] = append(s.byMetric[p.metric], entry{k, p})
		}
		s.byID[ind.ID] = k
		s.list = append(s.list, ind)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s：%w", name, err)
	}
	if len(s.list) == 0 {
		return nil, fmt.Errorf("%s：没有任何指标", name)
	}
	return s, nil
}

func parsePhrase(raw string) (phrase, string) {
	before, metric, ctx := strings.Cut(raw, ">")
	if !ctx {
		metric, before = raw, ""
	}
	p := phrase{before: Normalize(before), metric: Normalize(metric)}
	switch {
	case p.metric == "":
		return p, "没有指标文字"
	case ctx && p.before == "":
		return p, "的「>」前没有前项文字"
	case strings.Contains(metric, ">"):
		return p, "只能有一个「>」"
	}
	return p, ""
}

// Normalize is how metrics and phrases are compared: without spaces and
// punctuation, so that 残疾孤儿（残疾事实无人抚养儿童）照料护理补贴标准 and the
// same words with half-width brackets are one phrase.
func Normalize(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// All returns the indicators in file order.
func (s *Set) All() []Indicator { return slices.Clone(s.list) }

// Get returns the indicator with the given ID.
func (s *Set) Get(id string) (Indicator, bool) {
	i, ok := s.byID[id]
	if !ok {
		return Indicator{}, false
	}
	return s.list[i], true
}

// Target is one target in force of a published plan, as the comparison
// reads it. The store fills it (store.IndicatorTargets).
type Target struct {
	TargetID         string       `json:"target_id"`
	ProjectID        string       `json:"project_id"`
	ProjectSeq       int          `json:"project_seq"`
	ProjectTitle     string       `json:"project_title"`
	PlanID           string       `json:"plan_id"`
	JurisdictionCode string       `json:"jurisdiction_code"`
	JurisdictionName string       `json:"jurisdiction_name"`
	Year             int          `json:"year"`
	Metric           string       `json:"metric"`
	Text             string       `json:"text"`
	Kind             string       `json:"kind"`
	Value            plan.Decimal `json:"value"` // in Unit, scaled to the base unit when the document used 万/亿
	Unit             string       `json:"unit"`
	// PrevMetric is the metric of the target before it in the project ("").
	PrevMetric string `json:"-"`
	// Override is the indicator a supervisor mapped the target to; nil
	// when nobody did, "" when it was mapped to none.
	Override *string `json:"override,omitempty"`
}

// Match returns the indicators t measures, in file order, and whether a
// person's mapping said so (manual) rather than the file.
func (s *Set) Match(t *Target) (ids []string, manual bool) {
	if t.Override != nil {
		if *t.Override == "" {
			return nil, true
		}
		if _, ok := s.byID[*t.Override]; ok {
			return []string{*t.Override}, true
		}
		// A mapping to an indicator since removed from the file: fall back
		// to the phrases.
	}
	m, prev := Normalize(t.Metric), Normalize(t.PrevMetric)
	var hits []int
	for _, e := range s.byMetric[m] {
		if e.p.before != "" && e.p.before != prev {
			continue
		}
		if s.list[e.ind].TargetUnit != t.Unit || slices.Contains(hits, e.ind) {
			continue
		}
		hits = append(hits, e.ind)
	}
	sort.Ints(hits)
	for _, i := range hits {
		ids = append(ids, s.list[i].ID)
	}
	return ids, false
}

// standardWords mark a metric that sets an allowance level even when the
// importer did not classify the target as a standard (特困人员基本生活标准
// stated as 1.3 倍 of 低保). 标准化 (building to a standard) is not one.
var standardWords = []string{"标准", "补差", "补贴", "保障水平"}

// StandardLike reports whether t looks like an allowance standard, the
// kind of target that canonical indicators are for.
func StandardLike(t *Target) bool {
	switch t.Kind {
	case plan.KindStandard:
		return true
	case plan.KindRate, plan.KindProgress, plan.KindMilestone:
		return false
	}
	m := strings.ReplaceAll(t.Metric, "标准化", "")
	for _, w := range standardWords {
		if strings.Contains(m, w) {
			return true
		}
	}
	return false
}

// Unmatched returns the standard-like targets that no indicator matches
// and nobody mapped (to an indicator or to none), so that no standard of
// a plan silently drops out of the comparison.
func (s *Set) Unmatched(ts []Target) []Target {
	var out []Target
	for i := range ts {
		t := &ts[i]
		if !StandardLike(t) {
			continue
		}
		if ids, manual := s.Match(t); len(ids) == 0 && !manual {
			out = append(out, *t)
		}
	}
	return out
}
