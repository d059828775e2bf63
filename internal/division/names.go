package division

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// ethnicGroups lists China's 55 minority nationalities without the trailing
// 族, as they appear inside names of autonomous divisions
// ("广西壮族自治区", "新疆维吾尔自治区", "巴音郭楞蒙古自治州").
var ethnicGroups = []string{
	"蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗",
	"瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲",
	"高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土", "达斡尔",
	"仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米",
	"塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固",
	"京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
}

// allEthnic reports whether s is a non-empty run of ethnic group names, each
// optionally followed by 族 ("苗族侗族", "维吾尔", "土家族苗族").
func allEthnic(s string) bool {
	if s == "" {
		return false
	}
	for _, g := range ethnicGroups {
		if rest, ok := strings.CutPrefix(s, g); ok {
			rest = strings.TrimPrefix(rest, "族")
			if rest == "" || allEthnic(rest) {
				return true
			}
		}
	}
	return false
}

// cutEthnic removes a trailing run of ethnic group names, keeping at least
// two runes: "黔东南苗族侗族" → "黔东南", "内蒙古" stays.
func cutEthnic(s string) string {
	n := 0
	for i := range s {
		if n >= 2 && allEthnic(s[i:]) {
			return s[:i]
		}
		n++
	}
	return s
}

// jurisdictionStem is the short form of a province or city name used in
// running text: "江西省" → "江西", "赣州市" → "赣州", "广西壮族自治区" →
// "广西", "恩施土家族苗族自治州" → "恩施", "大兴安岭地区" → "大兴安岭",
// "锡林郭勒盟" → "锡林郭勒", "香港特别行政区" → "香港". It returns name
// unchanged when the short form would be shorter than two runes.
func jurisdictionStem(name string) string {
	stem := name
	for _, suf := range []string{"自治区", "自治州"} {
		if s, ok := strings.CutSuffix(stem, suf); ok {
			stem = cutEthnic(s)
			break
		}
	}
	if stem == name {
		for _, suf := range []string{"特别行政区", "地区", "省", "市", "盟"} {
			if s, ok := strings.CutSuffix(stem, suf); ok {
				stem = s
				break
			}
		}
	}
	if utf8.RuneCountInString(stem) < 2 {
		return name
	}
	return stem
}

// townSuffixes are the type suffixes of town-level names, longest first.
var townSuffixes = []string{
	"街道办事处", "地区办事处", "办事处", "民族乡", "民族镇", "民族苏木",
	"街道", "苏木", "镇", "乡",
}

// townStem strips the type suffix of a town-level name so that spellings of
// the same place compare equal: "水东镇" and "水东" → "水东"; "解放街道办事处"
// → "解放"; "大河回族乡" → "大河". Names without a known suffix, and stems
// shorter than two runes, are returned unchanged.
func townStem(name string) string {
	stem := name
	for _, suf := range townSuffixes {
		if s, ok := strings.CutSuffix(stem, suf); ok {
			stem = cutEthnic(s)
			break
		}
	}
	if utf8.RuneCountInString(stem) < 2 {
		return name
	}
	return stem
}

// normalizeName removes all white space (including the ideographic space)
// and a trailing "人民政府" or "政府" from a name as written in a document.
func normalizeName(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	s = strings.TrimSuffix(s, "人民政府")
	return s
}

// Resolve finds the jurisdictions (province, city or county level, never
// towns) named by name as written in a plan document. It accepts
//   - full names: "江西省", "上饶市", "新建区", "瑞金市";
//   - chains of names from any level down: "南昌市新建区", "江西省赣州市章贡区",
//     "江西省新建区", in which each part must lie inside the one before; the
//     result is the last part;
//   - short forms of province and city names without their type suffix:
//     "江西", "赣州", "广西", "恩施", alone or in chains ("赣州章贡区").
//
// County names are only matched in full: "新建区" resolves, "新建" does not.
// White space and a trailing "人民政府" are ignored. Readings that use fewer
// short forms win; all remaining candidates are returned, most specific
// level first and then by code (e.g. "鼓楼区" yields four counties, "吉林"
// the city before the province). It returns nil if nothing matches.
func Resolve(name string) []Division {
	s := normalizeName(name)
	if s == "" {
		return nil
	}
	t := data()
	best := -1
	var found []int32
	seen := map[int32]bool{}
	var walk func(s string, within int32, shorts int)
	walk = func(s string, within int32, shorts int) {
		try := func(i int32, rest string, shorts int) {
			if within >= 0 && !t.isWithin(i, within) {
				return
			}
			if rest != "" {
				walk(rest, i, shorts)
				return
			}
			switch {
			case best < 0 || shorts < best:
				best, found, seen = shorts, found[:0], map[int32]bool{}
			case shorts > best:
				return
			}
			if !seen[i] {
				seen[i] = true
				found = append(found, i)
			}
		}
		for end := range s {
			if end == 0 {
				continue
			}
			prefix, rest := s[:end], s[end:]
			for _, i := range t.names[prefix] {
				try(i, rest, shorts)
			}
			for _, i := range t.stems[prefix] {
				try(i, rest, shorts+1)
			}
		}
		for _, i := range t.names[s] {
			try(i, "", shorts)
		}
		for _, i := range t.stems[s] {
			try(i, "", shorts+1)
		}
	}
	walk(s, -1, 0)
	if len(found) == 0 {
		return nil
	}
	sortSpecificFirst(t, found)
	out := make([]Division, len(found))
	for k, i := range found {
		out[k] = t.divs[i]
	}
	return out
}

// FindPlace reports whether name is a town-level division (乡、镇、街道 …)
// directly inside the county countyCode (or inside a city without counties,
// such as 东莞 441900), and returns it. The name may carry the county's own
// name in front ("章贡区水东镇", "江西省赣州市章贡区水东镇"). An exact name
// wins; otherwise names are compared without their type suffix, so "水东",
// "水东镇" and "水东街道" all find 水东镇 (towns are often renamed to 街道
// after the data was collected), and "解放街道办事处" finds 解放街道.
func FindPlace(countyCode, name string) (Division, bool) {
	t := data()
	ci, ok := t.byCode[normalizeCode(countyCode)]
	if !ok {
		return Division{}, false
	}
	s := normalizeName(name)
	// Strip a leading "省市县" chain ending in this county.
	chain := append(Ancestors(t.divs[ci]), t.divs[ci])
	for k := range chain {
		var prefix strings.Builder
		for _, d := range chain[k:] {
			prefix.WriteString(d.Name)
		}
		if rest, ok := strings.CutPrefix(s, prefix.String()); ok && rest != "" {
			s = rest
			break
		}
	}
	if s == "" {
		return Division{}, false
	}
	kids := t.children[ci]
	for _, k := range kids {
		if d := t.divs[k]; d.Level == LevelTown && d.Name == s {
			return d, true
		}
	}
	stem := townStem(s)
	for _, k := range kids {
		if d := t.divs[k]; d.Level == LevelTown && townStem(d.Name) == stem {
			return d, true
		}
	}
	return Division{}, false
}
