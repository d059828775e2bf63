package plan

import (
	"strconv"
	"strings"
	"time"
)

// ShareInput is one lower jurisdiction's part of a target that a city (or
// a province) splits among the jurisdictions directly below it (任务分解):
// the value it must deliver and the unit of that jurisdiction that reports
// it (县教育局 …).
type ShareInput struct {
	JurisdictionCode string  `json:"jurisdiction_code"`
	Value            Decimal `json:"value"`
	Unit             string  `json:"unit"`
}

// Splittable reports whether a target can be split: counts and amounts
// add up across places; rates, standards, shares of works and milestones
// hold for each place as they are.
func (t *TargetRecord) Splittable() bool {
	return t.Kind == KindQuantity && t.Comparator != AtMost && t.Comparator != LessThan
}

// ValidateSplit checks the shares of target t among the jurisdictions
// below (children: code → name, those the division table puts directly
// under the target's jurisdiction). Every problem names the jurisdiction
// and the field (shares[i].value …). The shares must add up to the
// target: exactly for =, ~ (约) and at least for >=, > (以上, 超过).
func ValidateSplit(t *TargetRecord, children map[string]string, shares []ShareInput) Problems {
	var ps Problems
	if !t.Splittable() {
		ps.errorf("target", "目标「%s」是比率、标准或节点类目标，各地按同一要求执行，不能分解", t.Metric)
		return ps
	}
	if len(shares) == 0 {
		ps.errorf("shares", "请至少为一个下级行政区划分配任务")
		return ps
	}
	seen := map[string]int{}
	var sum Decimal
	for i, s := range shares {
		f := "shares[" + strconv.Itoa(i) + "]"
		name, ok := children[s.JurisdictionCode]
		if !ok {
			ps.errorf(f+".jurisdiction_code", "第 %d 行：%s 不是本级直接下辖的行政区划", i+1, s.JurisdictionCode)
			continue
		}
		if j, dup := seen[s.JurisdictionCode]; dup {
			ps.errorf(f+".jurisdiction_code", "%s 重复出现（第 %d 行和第 %d 行）", name, j+1, i+1)
			continue
		}
		seen[s.JurisdictionCode] = i
		if !s.Value.IsPositive() {
			ps.errorf(f+".value", "%s的分解数应大于 0", name)
		}
		if s.Value.Exponent() < -4 {
			ps.errorf(f+".value", "%s的分解数最多保留 4 位小数", name)
		}
		if s.Unit == "" {
			ps.errorf(f+".unit", "请填写%s负责报送的单位", name)
		} else if len([]rune(s.Unit)) > 40 {
			ps.errorf(f+".unit", "%s的报送单位名称过长", name)
		}
		sum = sum.Add(s.Value)
	}
	if len(ps) > 0 {
		return ps
	}
	switch c := sum.Cmp(t.Value.Decimal); {
	case c < 0:
		ps.errorf("shares", "各地分解数合计 %s%s，少于目标 %s%s（差 %s%s）", sum, t.Unit, t.Value, t.Unit, t.Value.Sub(sum), t.Unit)
	case c > 0 && (t.Comparator == Exactly || t.Comparator == About):
		ps.errorf("shares", "各地分解数合计 %s%s，超过目标 %s%s（多 %s%s）", sum, t.Unit, t.Value, t.Unit, sum.Sub(t.Value), t.Unit)
	}
	return ps
}

// ShareStatus judges a lower jurisdiction's progress on its share for the
// month by the thresholds in force: 已完成 when the share is reached;
// otherwise the actual against 序时进度 (month/12 of the share), as for a
// target without a monthly plan; 未报送 without any figure. It returns
// the expected value too.
func ShareStatus(t *TargetRecord, share Decimal, actual *Decimal, month time.Month) (Status, Decimal) {
	part := *t
	part.Value = share
	exp := Expected(&part, nil, month).Value
	if actual == nil {
		return StatusNotReported, exp
	}
	if actual.Cmp(share.Decimal) >= 0 {
		return StatusDone, exp
	}
	th := DefaultThresholds()
	r := 1.0
	if exp.IsPositive() {
		r = actual.Div(exp.Decimal).InexactFloat64()
	}
	switch {
	case r >= th.OnTrackRatio:
		return StatusOnTrack, exp
	case r >= th.FarBehindRatio:
		return StatusBehind, exp
	}
	return StatusFarBehind, exp
}

// RepeatThreshold is the RepeatScore from which a lower plan's project is
// suggested as a repeat of a higher plan's project.
const RepeatThreshold = 0.5

// RepeatScore says how much lower, a project of a lower plan, looks like
// a repeat of upper, a project of the plan above (a county plan taking up
// a city project): 0.6·title similarity + 0.4·similarity of their target
// metrics, by Similarity. A person confirms the link; the score only
// suggests it.
func RepeatScore(upper, lower *ProjectRecord) float64 {
	metrics := func(p *ProjectRecord) string {
		var ms []string
		for _, t := range p.ActiveTargets() {
			ms = append(ms, t.Metric)
		}
		return strings.Join(ms, "|")
	}
	s := 0.6 * Similarity(upper.Title, lower.Title)
	if mu, ml := metrics(upper), metrics(lower); mu != "" || ml != "" {
		s += 0.4 * Similarity(mu, ml)
	}
	return s
}

// RepeatTarget returns the target of lower (a repeat of t's project) that
// measures the same thing as t: the same unit and the most similar metric,
// at least 0.6; nil when none does.
func RepeatTarget(t *TargetRecord, lower *ProjectRecord) *TargetRecord {
	var best *TargetRecord
	bestScore := 0.6
	for i := range lower.Targets {
		c := &lower.Targets[i]
		if c.RetiredBy != "" || c.Unit != t.Unit {
			continue
		}
		if s := Similarity(t.Metric, c.Metric); s >= bestScore {
			best, bestScore = c, s
		}
	}
	return best
}
