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
	s = strings.ReplaceAll(s, "\u00A0", " ")
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case r >= '０' && r <= '９', r >= 'Ａ' && r <= 'Ｚ', r >= 'ａ' && r <= 'ｚ', r == '％':
			rs[i] = r - 0xFEE0
		case r == '．' && i > 0 && i+1 < len(rs) && isDigitRune(rs[i-1]) && isDigitRune(rs[i+1]):
			rs[i] = '.'
		case r == '\u3000' || r == '\t':
			rs[i] = ' '
		}
	}
	var b strings.Builder
	for i := 0; i < len(rs); i++ {
		if rs[i] != ' ' {
			b.WriteRune(rs[i])
			continue
		}
		j := i
		for j < len(rs) && rs[j] == ' ' {
			j++
		}
		// Keep one space only between two Latin words or numbers.
		if i > 0 && j < len(rs) && !isCJK(rs[i-1]) && !isCJK(rs[j]) {
			b.WriteByte(' ')
		}
		i = j - 1
	}
	return strings.TrimSpace(b.String())
}

// isClean: nothing for cleanText to do — the common case, checked without
// allocating.
func isClean(s string) bool {
	for _, r := range s {
		switch {
		case r == ' ' || r == '\t' || r == '*' || r == '\u00A0' || r == '\u3000' || r == '．':
			return false
		case r >= 0xFF10 && r <= 0xFF5A || r == '％':
			return false
		}
	}
	return s != "" && !isSpaceByte(s[0]) && !isSpaceByte(s[len(s)-1])
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
