package docimport

import (
	"iter"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"minsheng/internal/plan"
)

// Units a target may be measured in, longest first so that 万平方米 wins
// over 平方米. Units of time and age (年, 月, 周岁) are not targets: they
// date or qualify a promise (2024年1月1日以后出生, 16周岁以上).
const unitAlternatives = `万平方米|平方米|万立方米|立方米|万人次|人次|万千瓦|千瓦|公里|千米|万亩|万元|亿元|元|万吨|吨|亩|米|%|` +
	`万户|万名|万人|万个|个|名|人|户|家|所|条|座|套|张|床|场次|场|项|栋|辆|台|处|间|块|批次|次|册|份|支|批|片|例|只|盏|节|部|根|眼|公顷|篇|倍|万`

var (
	// notAUnit: what follows a counted unit and makes it a duration (2个月).
	notAUnit = regexp.MustCompile(`^(?:年|月|日|小时|天|周岁|岁|工作日|学年)`)
)

// classifiers count things; a classifier followed by a noun names the
// thing counted after the number (建设2家区域性中心敬老院).
var classifiers = "个名人户家所条座套张床场项栋辆台处间块册份支批片例只盏节部根眼篇"

// Words that end a noun phrase read after a number.
var nounStops = []string{"到", "进行", "实施", "提供", "开展", "参加", "配备", "享受", "实现", "达到", "用于", "完成", "纳入", "覆盖", "受益", "惠及", "的"}

// Words stripped from the front and back of a metric: they frame the
// promise, they are not what is counted.
var (
	leadFillers  = []string{"其中：", "其中", "全年", "年内", "累计", "共计", "并", "为", "对", "同时", "将", "力争", "计划", "完成", "实现", "再", "通过", "确保"}
	trailFillers = []string{"每人每月", "每月", "每人", "提高到", "提高至", "保持在", "稳定在", "控制在", "达到", "不少于", "不低于", "超过", "至少", "在", "为", "达", "约", "建设", "工作", "上", "等", "共", "各", "保持"}
)

// readTargets finds the measurable promises in a project's text.
func readTargets(text string) []plan.Target {
	milestones := containsAny(text, milestoneWords)
	var out []plan.Target
	for _, sentence := range splitKeep(text, "。\n") {
		consumed := map[int]bool{}
		out = append(out, respectiveTargets(sentence, consumed)...)
		out = append(out, numberTargets(sentence, consumed)...)
		if milestones {
			out = append(out, milestoneTargets(sentence)...)
		}
	}
	return out
}

// numberTargets reads every number with a unit in one sentence.
func numberTargets(s string, consumed map[int]bool) []plan.Target {
	var out []plan.Target
	prevEnd := 0
	for m := range numbersIn(s) {
		start, end, unit := m.start, m.end, m.unit
		if unit == "" {
			continue // a year, an age, a date: part of the words around it
		}
		if consumed[m.numAt] || precededByLatin(s, m.numAt) || notAUnit.MatchString(s[end:]) && m.post == "" {
			prevEnd = max(prevEnd, end)
			continue
		}
		before := s[prevEnd:start]
		if hasAnySuffix(before, incrementWords) && strings.Contains(s[end:], "达到") {
			prevEnd = end
			continue
		}
		if hasAnySuffix(before, eliminatedWords) {
			// 消除56人以上大班额: a threshold of what is removed, not a promise.
			prevEnd = end
			continue
		}
		value := plan.MustDecimal(m.num)
		cmp := comparator(m.pre, m.post)
		if m.upper != "" {
			cmp = plan.AtLeast
		}
		metric := metricBefore(before)
		if i, w := indexAny(metric, distantComparators); i >= 0 && cmp == plan.Exactly {
			// 特困人员基本生活标准不低于当地低保标准的1.3倍
			cmp = comparator(w, "")
			metric = metric[:i] + "为" + strings.TrimSuffix(metric[i+len(w):], "的")
		}
		after := s[end:]
		if counted := strings.TrimPrefix(unit, "万"); counted == "" || strings.ContainsRune(classifiers, firstRune(counted)) {
			if noun := nounAfter(after); noun != "" {
				metric = noun
			}
		}
		text := clauseAround(s, start, end)
		if metric == "" || isBareQualifier(metric) {
			// 将X提高50元，达到965元: the promise is about X.
			if subj, at := subjectOf(s[:start]); subj != "" {
				metric += subj
				text = clauseAround(s, at, end)
				if at < start {
					text = s[clauseStart(s, at):clauseEnd(s, end)]
				}
			}
		}
		if metric == "" {
			metric = trimPunct(strings.SplitN(after, "，", 2)[0])
		}
		if metric == "" {
			prevEnd = end
			continue
		}
		for _, mt := range eachMetric(metric, before) {
			out = append(out, makeTarget(text, mt, cmp, value, unit, before))
			if m.upper != "" {
				// A range 3至5个 promises at least 3 and at most 5.
				out = append(out, makeTarget(text, mt, plan.AtMost, plan.MustDecimal(m.upper), unit, before))
			}
		}
		prevEnd = end
	}
	return out
}

// respectiveTargets reads the 分别 construction: A、B、C补贴标准分别按每人每月
// 1600元、400元、100元 gives three targets, the shared suffix going to each.
// Where the sentence says 分别提高 … 达到 …, the 达到 list is the target and
// the increments are consumed unread.
var (
	respectively = regexp.MustCompile(`(?:将)?([^，。；：将]+?)分别`)
	valueList    = regexp.MustCompile(`(?:按|为|达到|提高到|提高至|提高|增加)?(?:每人每月|每月|每人)?(\d+(?:\.\d+)?)(` + unitAlternatives + `)?((?:、\d+(?:\.\d+)?(?:` + unitAlternatives + `)?)+)`)
)

var (
	plainNumber = regexp.MustCompile(`\d+(?:\.\d+)?`)
	listItem    = regexp.MustCompile(`(\d+(?:\.\d+)?)(` + unitAlternatives + `)?$`)
)

func respectiveTargets(s string, consumed map[int]bool) []plan.Target {
	if !strings.Contains(s, "分别") {
		return nil
	}
	m := respectively.FindStringSubmatchIndex(s)
	if m == nil {
		return nil
	}
	subjects := distributeSuffix(strings.Split(s[m[2]:m[3]], "、"))
	rest := s[m[1]:]
	lists := valueList.FindAllStringSubmatchIndex(rest, -1)
	if len(lists) == 0 {
		return nil
	}
	// Every list in the sentence is consumed; the last one (after 达到) is
	// the promise.
	var chosen []int
	for _, l := range lists {
		for _, vi := range listNumbers(rest, l) {
			consumed[m[1]+vi] = true
		}
		chosen = l
	}
	values, units := listValues(rest, chosen)
	if len(values) != len(subjects) {
		for k := range consumed {
			delete(consumed, k)
		}
		return nil
	}
	clause := clauseAround(s, m[0], m[1]+chosen[1])
	var out []plan.Target
	for i, subj := range subjects {
		out = append(out, makeTarget(clause, cleanMetric(subj), plan.Exactly, plan.MustDecimal(values[i]), units[i], rest[:chosen[0]]+"每人每月"))
	}
	return out
}

// distributeSuffix gives each item of 机构养育孤儿、城乡散居孤儿、事实无人抚养
// 儿童基本生活保障标准 the suffix the last one carries.
func distributeSuffix(items []string) []string {
	last := items[len(items)-1]
	cut := -1
	for _, head := range []string{"基本生活", "照料护理", "护理补贴", "生活保障", "保障标准", "补贴标准", "供养标准", "补助标准", "月人均", "人均"} {
		if i := strings.Index(last, head); i > 0 && (cut < 0 || i < cut) {
			cut = i
		}
	}
	if cut < 0 || len(items) == 1 {
		return items
	}
	suffix := last[cut:]
	out := make([]string, len(items))
	for i, it := range items {
		if i < len(items)-1 {
			it += suffix
		}
		out[i] = it
	}
	return out
}

// listNumbers returns the offsets of every number in a matched value list.
func listNumbers(s string, l []int) []int {
	var out []int
	for _, n := range plainNumber.FindAllStringIndex(s[l[0]:l[1]], -1) {
		out = append(out, l[0]+n[0])
	}
	return out
}

// listValues reads 1600元、400元、100元 (or 1600、400、100元) into values
// with a unit each; a value without a unit takes the next one given.
func listValues(s string, l []int) (values, units []string) {
	for _, part := range strings.Split(s[l[0]:l[1]], "、") {
		m := listItem.FindStringSubmatch(part)
		if m == nil {
			return nil, nil
		}
		values, units = append(values, m[1]), append(units, m[2])
	}
	for i := len(units) - 2; i >= 0; i-- {
		if units[i] == "" {
			units[i] = units[i+1]
		}
	}
	return values, units
}

// milestoneTargets reads yes/no outcomes (建设并投入使用) from clauses that
// promise no number.
func milestoneTargets(s string) []plan.Target {
	if !containsAny(s, milestoneWords) {
		return nil
	}
	var out []plan.Target
	for _, clause := range splitKeep(s, "，；") {
		c := trimPunct(clause)
		if !containsAny(c, milestoneWords) || hasCountedNumber(c) {
			continue
		}
		metric := cleanMetric(c)
		if metric == "" {
			continue
		}
		t := makeTarget(c, metric, plan.Exactly, plan.DecimalFromInt(1), "项", "")
		t.Kind = plan.KindMilestone
		out = append(out, t)
	}
	return out
}

// milestoneWords mark a yes/no outcome.
var milestoneWords = []string{"投入使用", "建成投用", "投入运营", "竣工", "完工", "建成", "通车"}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func hasCountedNumber(c string) bool {
	for m := range numbersIn(c) {
		if m.unit != "" {
			return true
		}
	}
	return false
}

// readNumberAt reads, at a digit, a number or range, a unit and a trailing
// comparator: 30名, 95%以上, 3至5个, 1.42亿元. (By hand: a regexp with the
// unit alternatives was the importer's slowest part.)
func readNumberAt(s string, at int) number {
	n := number{start: at, numAt: at}
	i := digitsEnd(s, at)
	n.num = s[at:i]
	j := i
	for j < len(s) && s[j] == ' ' {
		j++
	}
	if sep := rangeSep(s[j:]); sep > 0 {
		k := j + sep
		for k < len(s) && s[k] == ' ' {
			k++
		}
		if e := digitsEnd(s, k); e > k {
			n.upper, i = s[k:e], e
		}
	}
	if r, _ := utf8.DecodeRuneInString(s[i:]); r != utf8.RuneError {
		for _, u := range unitsByFirstRune[r] {
			if strings.HasPrefix(s[i:], u) {
				n.unit, i = u, i+len(u)
				break
			}
		}
	}
	for _, w := range []string{"以上", "以下", "左右", "以内", "余"} {
		if strings.HasPrefix(s[i:], w) {
			n.post, i = w, i+len(w)
			break
		}
	}
	n.end = i
	return n
}

// digitsEnd returns the end of the decimal number starting at s[at] (or
// at itself when there is none).
func digitsEnd(s string, at int) int {
	i := at
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > at && i+1 < len(s) && s[i] == '.' && s[i+1] >= '0' && s[i+1] <= '9' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	return i
}

// rangeSep returns the length of a range separator (3至5, 3-5) at the
// start of s, or 0.
func rangeSep(s string) int {
	for _, sep := range []string{"-", "—", "~", "～", "至", "到"} {
		if strings.HasPrefix(s, sep) {
			return len(sep)
		}
	}
	return 0
}

// unitsByFirstRune holds the units by their first rune, longest first
// within each, so that reading a unit tries only a few.
var unitsByFirstRune = func() map[rune][]string {
	us := strings.Split(unitAlternatives, "|")
	slices.SortStableFunc(us, func(a, b string) int { return len(b) - len(a) })
	m := map[rune][]string{}
	for _, u := range us {
		r, _ := utf8.DecodeRuneInString(u)
		m[r] = append(m[r], u)
	}
	return m
}()

// number is a number found in a sentence with the words around it.
type number struct {
	start, numAt, end int // start includes the comparator words before
	pre, num, upper   string
	unit, post        string
}

// Words before a number that make it a comparison, longest first.
var (
	comparatorWords = []string{"不少于", "不低于", "不超过", "不高于", "提高到", "提高至", "至少", "超过", "达到", "约", "达", "为"}
	perPersonWords  = []string{"每人每月", "月人均", "每月", "每人"}
)

// numbersIn yields the numbers of a sentence in order, each with the
// comparator words before it (不少于30名, 达到每人每月965元), without
// building a slice: it runs for every sentence of every project.
func numbersIn(s string) iter.Seq[number] {
	return func(yield func(number) bool) {
		for i := 0; i < len(s); {
			if s[i] < '0' || s[i] > '9' {
				i++
				continue
			}
			n := readNumberAt(s, i)
			before := s[:i]
			for _, w := range perPersonWords {
				if strings.HasSuffix(before, w) {
					before = before[:len(before)-len(w)]
					break
				}
			}
			for _, w := range comparatorWords {
				if strings.HasSuffix(before, w) {
					n.pre, before = w, before[:len(before)-len(w)]
					break
				}
			}
			if n.pre != "" || len(before) < i {
				n.start = len(before)
			}
			if !yield(n) {
				return
			}
			i = n.end
		}
	}
}

// makeTarget fills a target's derived fields: base value and unit, and kind.
func makeTarget(text, metric, cmp string, value plan.Decimal, unit, context string) plan.Target {
	t := plan.Target{Text: trimPunct(text), Metric: metric, Comparator: cmp, Value: value, Unit: unit}
	base, baseUnit := toBase(value, unit)
	t.BaseValue = &base
	if baseUnit != "" {
		t.BaseUnit = &baseUnit
	}
	t.Kind = kindOf(metric, unit, context)
	return t
}

// toBase converts a value to its base unit: 1.42亿元 → 142000000 元,
// 1.2万人次 → 12000 人次. A bare 万 (1.2万城乡困难群众) has no base unit.
func toBase(v plan.Decimal, unit string) (plan.Decimal, string) {
	switch {
	case unit == "亿元":
		return v.Mul(plan.DecimalFromInt(100000000)), "元"
	case unit == "万":
		return v.Mul(plan.DecimalFromInt(10000)), ""
	case strings.HasPrefix(unit, "万"):
		return v.Mul(plan.DecimalFromInt(10000)), strings.TrimPrefix(unit, "万")
	case unit == "千米":
		return v, "公里"
	}
	return v, unit
}

func kindOf(metric, unit, context string) string {
	switch {
	case unit == "%" && strings.Contains(metric, "工程量"):
		return plan.KindProgress
	case unit == "%":
		return plan.KindRate
	case strings.HasSuffix(unit, "元") && (strings.Contains(metric, "标准") ||
		strings.Contains(metric, "补差") || strings.Contains(metric, "水平") ||
		strings.Contains(context, "每人每月") || strings.Contains(context, "每月") || strings.Contains(context, "月人均")):
		return plan.KindStandard
	}
	return plan.KindQuantity
}

func comparator(pre, post string) string {
	switch {
	case pre == "约" || post == "左右" || post == "余":
		return plan.About
	case pre == "不少于" || pre == "不低于" || pre == "至少" || post == "以上":
		return plan.AtLeast
	case pre == "超过":
		return plan.MoreThan
	case pre == "不超过" || pre == "不高于" || post == "以下" || post == "以内":
		return plan.AtMost
	}
	return plan.Exactly
}

var (
	distantComparators = []string{"不低于", "不少于", "不超过", "不高于"}
	// eliminatedWords: 消除56人以上大班额 is a threshold of what is removed.
	eliminatedWords = []string{"消除", "化解", "杜绝", "清零"}
	// incrementWords: 提高50元，达到965元 — the level is the promise.
	incrementWords = []string{"提高", "增加", "上调", "提升", "增长"}
)

func hasAnySuffix(s string, words []string) bool {
	for _, w := range words {
		if strings.HasSuffix(s, w) {
			return true
		}
	}
	return false
}

// indexAny returns the first position in s of any of words, and the word.
func indexAny(s string, words []string) (int, string) {
	at, word := -1, ""
	for _, w := range words {
		if i := strings.Index(s, w); i >= 0 && (at < 0 || i < at) {
			at, word = i, w
		}
	}
	return at, word
}

// eachMetric splits 心电诊断中心、影像诊断中心各1个 into one metric per noun.
func eachMetric(metric, before string) []string {
	if !strings.HasSuffix(strings.TrimSpace(before), "各") {
		return []string{metric}
	}
	var out []string
	for _, part := range strings.Split(metric, "、") {
		if part = cleanMetric(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// metricBefore reads what is counted from the words before the number, back
// to the last clause break (新增发放创业担保贷款1.42亿元).
func metricBefore(before string) string {
	if i := lastIndexAnyOf(before, phraseBreakCh); i >= 0 {
		before = before[i:]
	}
	before = strings.TrimLeft(before, "，。；：,;:、")
	return cleanMetric(before)
}

// nounAfter reads what is counted from the words after a classifier
// (5个“一老一小幸福院”), up to a verb, a break or the next number.
func nounAfter(after string) string {
	if after == "" || strings.ContainsRune("、，。；：,;:", firstRune(after)) || hasAnyPrefix(after, nounStops) {
		return ""
	}
	end, runes := 0, 0 // the noun is after[:end], runes long
	for end < len(after) {
		r, size := utf8.DecodeRuneInString(after[end:])
		rest := after[end:]
		if r == '（' && end > 0 {
			// 乡镇（街道）卫生院: a bracket inside the noun stays in it.
			if j := strings.IndexRune(rest, '）'); j > 0 && !strings.ContainsAny(rest[:j], "，。；") {
				close := j + len("）")
				runes += utf8.RuneCountInString(rest[:close])
				end += close
				continue
			}
		}
		if strings.ContainsRune("，。；：,;:（(）)\n", r) || isDigitRune(r) {
			break
		}
		if next := firstRune(rest[size:]); (r == '和' || r == '及' || r == '与' || r == '、') && (isDigitRune(next) || next == '约') {
			break
		}
		if r == '、' && runes >= 4 || end > 0 && hasAnyPrefix(rest, nounStops) {
			break
		}
		end += size
		runes++
	}
	return cleanMetric(after[:end])
}

func hasAnyPrefix(s string, words []string) bool {
	for _, w := range words {
		if strings.HasPrefix(s, w) {
			return true
		}
	}
	return false
}

// subjectOf finds what a 达到 clause is about from the sentence before it:
// the X of 将X提高50元，达到965元.
func subjectOf(before string) (string, int) {
	at := -1
	for _, kw := range raiseWords {
		for i := strings.LastIndex(before, kw); i >= 0; i = strings.LastIndex(before[:i], kw) {
			if rest := strings.TrimPrefix(before[i+len(kw):], "了"); rest != "" && rest[0] >= '0' && rest[0] <= '9' {
				at = max(at, i)
				break
			}
		}
	}
	if at < 0 {
		return "", 0
	}
	head := strings.TrimSuffix(before[:at], "分别")
	start := clauseStart(head, len(head))
	if i := strings.LastIndex(head[start:], "将"); i >= 0 {
		return cleanMetric(head[start+i+len("将"):]), start + i
	}
	return cleanMetric(head[start:]), start
}

// raiseWords introduce an increment: 将X提高50元.
var raiseWords = []string{"提高", "上调", "提升"}

// isBareQualifier: 城镇低保 in 城镇低保达到650元 names whose level it is, not
// the measure; the measure is the sentence's subject.
func isBareQualifier(metric string) bool {
	return runeLen(metric) <= 4 && !strings.ContainsAny(metric, "率数量额")
}

func cleanMetric(s string) string {
	s = strings.TrimSpace(s)
	if slices.Contains(leadFillers, s) || slices.Contains(trailFillers, s) {
		return ""
	}
	for changed := true; changed; {
		changed = false
		for _, w := range leadFillers {
			if rest, ok := strings.CutPrefix(s, w); ok && rest != "" {
				s, changed = rest, true
			}
		}
		for _, w := range trailFillers {
			if rest, ok := strings.CutSuffix(s, w); ok && rest != "" {
				s, changed = rest, true
			}
		}
		if t := trimPunct(s); t != s {
			s, changed = t, true
		}
	}
	if strings.Contains(s, "“") || strings.Contains(s, "”") || strings.Contains(s, "\"") {
		s = quotes.Replace(s)
	}
	if s == "提高" || s == "增加" || s == "达到" {
		return ""
	}
	return s
}

var quotes = strings.NewReplacer("“", "", "”", "", "\"", "")

// clauseAround returns the clause (between ，；。) holding s[start:end].
func clauseAround(s string, start, end int) string {
	return strings.TrimSpace(s[clauseStart(s, start):clauseEnd(s, end)])
}

func clauseStart(s string, at int) int {
	i := lastIndexAnyOf(s[:at], clauseBreakCh)
	if i < 0 {
		return 0
	}
	_, size := utf8.DecodeRuneInString(s[i:])
	return i + size
}

func clauseEnd(s string, at int) int {
	i := indexAnyOf(s[at:], clauseBreakCh)
	if i < 0 {
		return len(s)
	}
	return at + i
}

// splitKeep splits s after each of the given runes. Each separator's next
// position is found with strings.IndexRune and kept until passed: testing
// every rune against the set was a visible cost.
func splitKeep(s, seps string) []string {
	var out []string
	next := make([]int, 0, 4)
	runes := []rune(seps)
	for _, r := range runes {
		next = append(next, strings.IndexRune(s, r))
	}
	start := 0
	for {
		k := -1
		for i, n := range next {
			if n >= 0 && (k < 0 || n < next[k]) {
				k = i
			}
		}
		if k < 0 {
			break
		}
		end := next[k] + utf8.RuneLen(runes[k])
		out = append(out, s[start:end])
		start = end
		for i, n := range next {
			if n >= 0 && n < end {
				next[i] = indexFrom(s, string(runes[i]), end)
			}
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

func precededByLatin(s string, at int) bool {
	if at == 0 {
		return false
	}
	c := s[at-1]
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-' && at >= 2 && s[at-2] >= '0' && s[at-2] <= '9'
}

func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return 0
}
