package docimport

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// cleanText removes what typesetting added to a document's words: Markdown
// emphasis (**850**), full-width digits and letters (２０２４), and spaces
// that PDF and Word exports put between Chinese and Latin text
// ("新增发放创业担保贷款 1.42 亿元"). Chinese punctuation stays full-width.
func cleanText(s string) string {
	if isClean(s) {
		return s
	}
	s = strings.ReplaceAll(s, "**", "")
	var b strings.Builder
	b.Grow(len(s))
	prev := rune(0) // the last rune written
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isBlank(r) {
			if r == '．' && isDigitRune(prev) && i+size < len(s) && isDigitRune(firstRune(s[i+size:])) {
				r = '.'
			}
			r = halfWidth(r)
			b.WriteRune(r)
			prev, i = r, i+size
			continue
		}
		j := i + size
		for j < len(s) {
			r2, n := utf8.DecodeRuneInString(s[j:])
			if !isBlank(r2) {
				break
			}
			j += n
		}
		// Keep one space only between two Latin words or numbers.
		if prev != 0 && j < len(s) && !isCJK(prev) && !isCJK(halfWidth(firstRune(s[j:]))) {
			b.WriteByte(' ')
		}
		i = j
	}
	return strings.TrimSpace(b.String())
}

func isBlank(r rune) bool { return r == ' ' || r == '\t' || r == '\u3000' || r == '\u00A0' }

// halfWidth turns full-width digits, Latin letters and ％ into ASCII;
// Chinese punctuation stays full-width.
func halfWidth(r rune) rune {
	if r >= '０' && r <= '９' || r >= 'Ａ' && r <= 'Ｚ' || r >= 'ａ' && r <= 'ｚ' || r == '％' {
		return r - 0xFEE0
	}
	return r
}

// isClean: nothing for cleanText to do — the common case, checked without
// allocating.
func isClean(s string) bool {
	if s == "" || isSpaceByte(s[0]) || isSpaceByte(s[len(s)-1]) ||
		strings.ContainsAny(s, " \t*") || strings.Contains(s, "\u3000") || strings.Contains(s, "\u00A0") {
		return false
	}
	// Full-width digits, letters, ％ and ． are U+FF05–U+FF5A: EF BC xx or EF BD xx.
	for i := strings.Index(s, "\xef\xbc"); i >= 0; {
		if c := s[i+2]; c >= 0x85 && c <= 0xBF && c != 0x88 && c != 0x89 && c != 0x8C && c != 0x9A && c != 0x9B {
			return false
		}
		next := strings.Index(s[i+3:], "\xef\xbc")
		if next < 0 {
			break
		}
		i += 3 + next
	}
	return !strings.Contains(s, "\xef\xbd")
}

func isSpaceByte(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

func isDigitRune(r rune) bool { return r >= '0' && r <= '9' || r >= '０' && r <= '９' }

// isCJK covers Han characters and the full-width punctuation around them.
func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) ||
		(r >= 0x3000 && r <= 0x303F) || // CJK punctuation 、。〔〕
		(r >= 0xFF00 && r <= 0xFFEF) || // full-width forms （）：；，
		r == '“' || r == '”' || r == '‘' || r == '’' || r == '…' || r == '—'
}

// compactName removes every space: names of people and units never
// contain one (张  毅 → 张毅).
func compactName(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }

// trimPunct removes punctuation and spaces at both ends.
func trimPunct(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune("。，；：、,.;:！!？?", r)
	})
}

// indexAnyOf and lastIndexAnyOf are strings.IndexAny and LastIndexAny for
// a small set of (mostly Chinese) characters: one fast substring search
// per character rather than a test of every rune of s against the set.
func indexAnyOf(s string, set []string) int {
	best := -1
	for _, c := range set {
		hay := s
		if best >= 0 {
			hay = s[:best]
		}
		if i := strings.Index(hay, c); i >= 0 {
			best = i
		}
	}
	return best
}

func lastIndexAnyOf(s string, set []string) int {
	best := -1
	for _, c := range set {
		if i := strings.LastIndex(s[best+1:], c); i >= 0 {
			best += 1 + i
		}
	}
	return best
}

// chars splits a string into its characters, for indexAnyOf.
func chars(s string) []string {
	var out []string
	for _, r := range s {
		out = append(out, string(r))
	}
	return out
}

var (
	openBrackets  = chars("（([【［")
	clauseBreakCh = chars("，；。,;")
	phraseBreakCh = chars("，。；：,;:")
)
