package docimport

import (
	_ "embed"
	"strings"
	"sync"
	"unicode/utf8"
)

//go:embed data/unit_aliases.tsv
var unitAliasData string

var unitAliases = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(unitAliasData, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		from, to, ok := strings.Cut(line, "\t")
		if ok {
			m[strings.TrimSpace(from)] = strings.TrimSpace(to)
		}
	}
	return m
})

// levelPrefixes are the government levels a unit name starts with.
var levelPrefixes = []string{"省", "市", "县", "区"}

// normalizeUnit gives a unit its one name: no spaces, and the dictionary's
// short form (区人力资源和社会保障局 → 区人社局).
func normalizeUnit(name string) string {
	name = trimPunct(compactName(name))
	aliases := unitAliases()
	if to, ok := aliases[name]; ok {
		return to
	}
	for _, pre := range levelPrefixes {
		if rest, ok := strings.CutPrefix(name, pre); ok {
			if to, ok := aliases[rest]; ok {
				return pre + to
			}
		}
	}
	return name
}

var (
	leadKeys = map[string]bool{"牵头": true, "主办": true}
)

// readUnits finds the lead and responsible units in a project's text, in
// brackets or on their own line.
func readUnits(text string) (lead, responsible []string) {
	if !strings.Contains(text, "单位") && !strings.Contains(text, "部门") {
		return nil, nil
	}
	keys := findUnitKeys(text)
	for i, k := range keys {
		end := len(text)
		if i+1 < len(keys) {
			end = keys[i+1].start
		}
		value := unitValue(text[k.end:end])
		for _, n := range splitNames(value) {
			n = normalizeUnit(n)
			if n == "" || n == "等" {
				continue
			}
			n = strings.TrimSuffix(n, "等")
			if leadKeys[k.role] {
				lead = appendNew(lead, n)
			} else {
				responsible = appendNew(responsible, n)
			}
		}
	}
	return lead, responsible
}

var unitRoles = []string{"牵头", "责任", "配合", "协办", "参与", "主办", "实施"}

// unitKey is a 牵头单位： or 责任单位： in a text.
type unitKey struct {
	role       string
	start, end int // of the whole key, colon included
}

// findUnitKeys finds the unit keys by their 单位/部门 and looks around it;
// a regexp with the alternatives in front was slow on every position.
func findUnitKeys(text string) []unitKey {
	var out []unitKey
	nextA, nextB := indexFrom(text, "单位", 0), indexFrom(text, "部门", 0)
	for nextA >= 0 || nextB >= 0 {
		at := nextA
		if at < 0 || nextB >= 0 && nextB < at {
			at = nextB
		}
		end := at + len("单位") // 部门 has the same length
		if at == nextA {
			nextA = indexFrom(text, "单位", end)
		} else {
			nextB = indexFrom(text, "部门", end)
		}
		rest := strings.TrimLeft(text[end:], " ")
		if !strings.HasPrefix(rest, "：") && !strings.HasPrefix(rest, ":") {
			continue
		}
		for _, role := range unitRoles {
			if strings.HasSuffix(text[:at], role) {
				_, size := utf8.DecodeRuneInString(rest)
				out = append(out, unitKey{role: role, start: at - len(role), end: len(text) - len(rest) + size})
				break
			}
		}
	}
	return out
}

// indexFrom is strings.Index of sub in s[from:], as a position in s.
func indexFrom(s, sub string, from int) int {
	i := strings.Index(s[from:], sub)
	if i < 0 {
		return -1
	}
	return from + i
}

// unitValue cuts the list of names after a key at the clause's end: a
// semicolon, a line break, or the bracket that closes the clause — not one
// inside a name such as 各乡镇（街道）.
func unitValue(s string) string {
	depth := 0
	for i, r := range s {
		switch r {
		case '（', '(':
			depth++
		case '）', ')', ']', '】':
			if depth == 0 {
				return s[:i]
			}
			depth--
		case '；', ';', '\n', '。':
			return s[:i]
		}
	}
	return s
}

// splitNames splits a list of names at 、，；/ and line breaks.
func splitNames(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("、，,;；/\n", r) })
}

// readTags finds the tag brackets ([市、区人大票决项目]) and spells each tag
// out: 市、区人大票决项目 → 市人大票决项目, 区人大票决项目.
func readTags(text string) []string {
	if !strings.Contains(text, "[") && !strings.Contains(text, "【") && !strings.Contains(text, "［") {
		return nil
	}
	var tags []string
	for rest := text; ; {
		open, close := nextBracket(rest)
		if open < 0 {
			break
		}
		bracketed := rest[open:close]
		rest = rest[close:]
		if !isTag(bracketed) {
			continue
		}
		_, size := utf8.DecodeRuneInString(bracketed)
		content := compactName(strings.TrimRight(bracketed[size:], "]】］"))
		i := strings.Index(content, "人大")
		if i <= 0 {
			tags = appendNew(tags, content)
			continue
		}
		for _, level := range strings.Split(content[:i], "、") {
			tags = appendNew(tags, level+content[i:])
		}
	}
	return tags
}

// splitUnitCell splits a table cell of unit names. Cells list one unit a
// line, but some run two together (区卫健委区建投集团); known names (from
// the project's text) and the dictionary cut those apart.
func splitUnitCell(cell string, known []string) []string {
	var out []string
	for _, line := range strings.Split(cell, "\n") {
		for _, n := range splitNames(line) {
			n = normalizeUnit(n)
			if n == "" {
				continue
			}
			for _, part := range cutKnown(n, known) {
				out = appendNew(out, normalizeUnit(part))
			}
		}
	}
	return out
}

// cutKnown splits s where it is a concatenation of known names, keeping
// unknown stretches whole.
func cutKnown(s string, known []string) []string {
	for _, k := range known {
		if k == s || k == "" {
			return []string{s}
		}
	}
	for _, k := range known {
		if i := strings.Index(s, k); i >= 0 && len(k) < len(s) {
			var out []string
			if i > 0 {
				out = append(out, cutKnown(s[:i], known)...)
			}
			out = append(out, k)
			if rest := s[i+len(k):]; rest != "" {
				out = append(out, cutKnown(rest, known)...)
			}
			return out
		}
	}
	return []string{s}
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
