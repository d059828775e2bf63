package docimport

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"minsheng/internal/plan"
)

// heading is a numbered paragraph: its scheme (一、 （一） 1. （1） ①), its
// number and the text after the number.
type heading struct {
	scheme string
	n      int
	rest   string
}

var (
	schemeCN      = regexp.MustCompile(`^([一二三四五六七八九十百]+)[、.．]\s*`)
	schemeCNParen = regexp.MustCompile(`^[（(]([一二三四五六七八九十百]+)[）)]\s*`)
	schemeArabic  = regexp.MustCompile(`^(\d{1,3})[、．.]\s*`)
	schemeArParen = regexp.MustCompile(`^[（(](\d{1,3})[）)]\s*`)
	schemeCircled = regexp.MustCompile(`^([①-⑳])\s*`)
)

func parseHeading(t string) (heading, bool) {
	if r := firstRune(t); !(r >= '0' && r <= '9' || r == '（' || r == '(' || r >= '①' && r <= '⑳' || strings.ContainsRune("一二三四五六七八九十百", r)) {
		return heading{}, false
	}
	for _, s := range []struct {
		name string
		re   *regexp.Regexp
	}{{"cn", schemeCN}, {"cnparen", schemeCNParen}, {"arabic", schemeArabic}, {"arparen", schemeArParen}, {"circled", schemeCircled}} {
		m := s.re.FindStringSubmatchIndex(t)
		if m == nil {
			continue
		}
		num := t[m[2]:m[3]]
		var n int
		switch s.name {
		case "cn", "cnparen":
			n = chineseNumber(num)
		case "circled":
			n = int([]rune(num)[0]-'①') + 1
		default:
			n, _ = strconv.Atoi(num)
		}
		if n <= 0 {
			continue
		}
		rest := t[m[1]:]
		if s.name == "arabic" && rest != "" && isDigitRune([]rune(rest)[0]) {
			continue // 1.42亿元 is a number, not item 1
		}
		return heading{scheme: s.name, n: n, rest: strings.TrimSpace(rest)}, true
	}
	return heading{}, false
}

var chineseDigits = map[rune]int{'一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

// chineseNumber reads 一 … 九十九; 0 when s is not such a number.
func chineseNumber(s string) int {
	n, cur := 0, 0
	for _, r := range s {
		switch {
		case chineseDigits[r] > 0:
			cur = chineseDigits[r]
		case r == '十':
			if cur == 0 {
				cur = 1
			}
			n += cur * 10
			cur = 0
		case r == '百':
			if cur == 0 {
				cur = 1
			}
			n += cur * 100
			cur = 0
		default:
			return 0
		}
	}
	return n + cur
}

var (
	docNumber       = regexp.MustCompile(`[\p{Han}]{1,12}[〔［\[【(（]\d{4}[〕］\]】)）]\d{1,4}号`)
	issuerLine      = regexp.MustCompile(`^(.{2,30}?(?:人民政府|政府办公室|人民政府办公室|办公厅|委员会|办公室))(?:文件)?$`)
	printedDate     = regexp.MustCompile(`(\d{4})年(\d{1,2})月(\d{1,2})日\s*印发`)
	plainDate       = regexp.MustCompile(`^(\d{4})年(\d{1,2})月(\d{1,2})日$`)
	planTitle       = regexp.MustCompile(`民生实事.{0,12}(?:方案|清单|计划|项目|安排|计划表|台账)`)
	quotedTitle     = regexp.MustCompile(`《([^》]*民生实事[^》]*)》`)
	yearInText      = regexp.MustCompile(`(20\d\d)\s*年`)
	declaredWord    = regexp.MustCompile(`(?:办好|实施|推进|确定|安排|实施好|办成)[^。；]{0,8}?(\d+|[一二三四五六七八九十]+|若干)\s*(?:件|项|个)[^。；]{0,12}?(?:民生实事|实事|项目)`)
	declaredSome    = regexp.MustCompile(`(?:办好|实施|推进|确定|安排)[^。；]{0,8}若干[^。；]{0,16}实事`)
	yearInDocNumber = regexp.MustCompile(`\d{4}`)
)

// docNumberIn finds a 文号 (新府发〔2024〕5号) on a short header line.
func docNumberIn(t string) string {
	if !strings.Contains(t, "号") || runeLen(t) >= 40 {
		return ""
	}
	return docNumber.FindString(t)
}

// issuerWords: an issuer line names a government or its office.
var issuerWords = []string{"政府", "办公", "委员会"}

func isoDate(y, m, d string) *string {
	yi, _ := strconv.Atoi(y)
	mi, _ := strconv.Atoi(m)
	di, _ := strconv.Atoi(d)
	s := fmt.Sprintf("%04d-%02d-%02d", yi, mi, di)
	return &s
}

// readHeader fills the plan's title block: 文号, issuer, title, year, dates
// and the declared number of projects. It returns the index of the first
// item of the body (after the plan's own title).
func readHeader(items []item, p *plan.Plan) int {
	bodyStart := 0
	titleIdx := -1
	for i, it := range items {
		if it.table != nil {
			break
		}
		if it.numbered {
			break
		}
		t := it.text
		if p.DocNumber == nil {
			if m := docNumberIn(t); m != "" {
				p.DocNumber = &m
			}
		}
		if p.Issuer == nil && runeLen(t) <= 40 && containsAny(t, issuerWords) {
			if m := issuerLine.FindStringSubmatch(t); m != nil {
				issuer := m[1]
				p.Issuer = &issuer
			}
		}
		if strings.Contains(t, "民生实事") && planTitle.MatchString(t) && runeLen(t) <= 40 && !strings.Contains(t, "关于") && !strings.Contains(t, "。") {
			titleIdx = i
		}
	}
	switch {
	case titleIdx >= 0:
		p.Title = strings.Trim(items[titleIdx].text, "《》")
		bodyStart = titleIdx + 1
	default:
		// No standalone title: take the name quoted in the notice, or the
		// notice's own first line.
		for _, it := range items {
			if it.table != nil {
				continue
			}
			if m := quotedTitle.FindStringSubmatch(it.text); m != nil {
				p.Title = m[1]
				break
			}
			if p.Title == "" && planTitle.MatchString(it.text) {
				p.Title = it.text
			}
		}
	}
	for _, it := range items {
		if strings.Contains(it.text, "印发") {
			if m := printedDate.FindStringSubmatch(it.text); m != nil {
				p.Dates.Printed = isoDate(m[1], m[2], m[3])
			}
		}
		if p.Dates.Signed == nil && isDateLine(it.text) && runeLen(it.text) <= 12 {
			if m := plainDate.FindStringSubmatch(it.text); m != nil {
				p.Dates.Signed = isoDate(m[1], m[2], m[3])
			}
		}
	}
	if m := yearInText.FindStringSubmatch(p.Title); m != nil {
		p.Year, _ = strconv.Atoi(m[1])
	} else if p.DocNumber != nil {
		if m := yearInDocNumber.FindString(*p.DocNumber); m != "" {
			p.Year, _ = strconv.Atoi(m)
		}
	}
	for _, it := range items[bodyStart:] {
		if !strings.Contains(it.text, "实事") && !strings.Contains(it.text, "项目") {
			continue
		}
		if declaredSome.MatchString(it.text) {
			break
		}
		if m := declaredWord.FindStringSubmatch(it.text); m != nil {
			if m[1] != "若干" {
				n, err := strconv.Atoi(m[1])
				if err != nil {
					n = chineseNumber(m[1])
				}
				p.DeclaredCount = &n
			}
			break
		}
		if it.numbered {
			break
		}
	}
	return bodyStart
}
