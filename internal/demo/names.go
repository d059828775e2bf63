package demo

import (
	"fmt"
	"io"
	"strings"
)

// prefixes are the short ASCII names of the seed jurisdictions, the first
// part of their demo usernames (xj-renshe).
var prefixes = map[string]string{
	"360112": "xj", // 南昌市新建区
	"361100": "sr", // 上饶市
	"360702": "zg", // 赣州市章贡区
}

func prefixOf(code string) string {
	if p, ok := prefixes[code]; ok {
		return p
	}
	return "j" + code
}

// unitSlugs are the ASCII names of the units the seed plans name, after the
// level prefix (区/市/县) is taken off: easy to type at a login prompt.
var unitSlugs = map[string]string{
	"人社局": "renshe", "团区委": "tuanwei", "团市委": "tuanwei", "团县委": "tuanwei",
	"教体局": "jiaoti", "教育局": "jiaoyu", "农业农村局": "nongye", "乡村振兴中心": "xiangcun",
	"民政局": "minzheng", "卫健委": "weijian", "医保局": "yibao", "公安分局": "gongan", "公安局": "gongan",
	"发改委": "fagai", "市场监管局": "shichang", "财政局": "caizheng", "资源规划分局": "ziyuan",
	"住建局": "zhujian", "城管执法局": "chengguan", "城管局": "chengguan", "残联": "canlian",
	"文明办": "wenming", "妇联": "fulian", "红十字会": "hongshizi", "文广新旅局": "wenlv",
	"建投集团": "jiantou", "交通运输局": "jiaotong", "交通局": "jiaotong", "科智投资集团": "kezhi",
	"医保局直属分局": "yibaofj", "文旅集团": "wenlvjt", "住保中心": "zhubao",
	"南外街道": "nanwai", "水东镇": "shuidong", "解放街道": "jiefang", "章江街道": "zhangjiang",
	"水南街道": "shuinan", "赣江街道": "ganjiang", "东外街道": "dongwai", "沙河镇": "shahe",
}

// unitSlug returns the ASCII name of a unit, or "" when it has none.
func unitSlug(name string) string {
	if s, ok := unitSlugs[name]; ok {
		return s
	}
	for _, p := range []string{"区", "市", "县"} {
		if s, ok := unitSlugs[strings.TrimPrefix(name, p)]; ok && strings.HasPrefix(name, p) {
			return s
		}
	}
	return ""
}

// usernames hands out unique usernames.
type usernames map[string]bool

func (u usernames) take(base string) string {
	name := base
	for i := 2; u[name]; i++ {
		name = fmt.Sprintf("%s%d", base, i)
	}
	u[name] = true
	return name
}

// width is the number of terminal columns s takes: two for CJK characters
// and full-width forms, one for the rest.
func width(s string) int {
	w := 0
	for _, r := range s {
		switch {
		case r >= 0x1100 && (r <= 0x115f || r == 0x2329 || r == 0x232a ||
			(r >= 0x2e80 && r <= 0xa4cf && r != 0x303f) || (r >= 0xac00 && r <= 0xd7a3) ||
			(r >= 0xf900 && r <= 0xfaff) || (r >= 0xfe30 && r <= 0xfe4f) || (r >= 0xff00 && r <= 0xff60) ||
			(r >= 0xffe0 && r <= 0xffe6)):
			w += 2
		default:
			w++
		}
	}
	return w
}

// table writes rows with columns padded to the widest cell, by display
// width (text/tabwriter counts runes, which misaligns Chinese).
func table(w io.Writer, rows [][]string) {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], width(c))
		}
	}
	for _, r := range rows {
		if len(r) == 0 {
			fmt.Fprintln(w)
			continue
		}
		var b strings.Builder
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-width(c)+2))
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}
