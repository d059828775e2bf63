package division

import (
	"strings"
	"sync"
	"testing"
)

func codes(ds []Division) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Code
	}
	return out
}

func TestResolve(t *testing.T) {
	tests := []struct {
		name string
		want []string // codes, in order
	}{
		{"南昌市新建区", []string{"360112"}},
		{"赣州市章贡区", []string{"360702"}},
		{"上饶市", []string{"361100"}},
		{"江西省", []string{"360000"}},
		{"江西", []string{"360000"}},
		{"赣州", []string{"360700"}},
		{"新建区", []string{"360112"}},
		{"新建", nil},
		{"南昌市新建", nil},
		{"江西省赣州市章贡区", []string{"360702"}},
		{"江西省新建区", []string{"360112"}},
		{"赣州章贡区", []string{"360702"}},
		{"江西赣州", []string{"360700"}},
		{" 赣州市　章贡区 ", []string{"360702"}},
		{"南昌市新建区人民政府", []string{"360112"}},
		{"鼓楼区", []string{"320106", "320302", "350102", "410204"}},
		{"福州市鼓楼区", []string{"350102"}},
		{"南昌市章贡区", nil},
		{"北京市朝阳区", []string{"110105"}},
		{"朝阳区", []string{"110105", "220104"}},
		{"吉林", []string{"220200", "220000"}},
		{"吉林市", []string{"220200"}},
		{"吉林省吉林市", []string{"220200"}},
		{"广西", []string{"450000"}},
		{"新疆", []string{"650000"}},
		{"内蒙古", []string{"150000"}},
		{"恩施", []string{"422800"}},
		{"黔东南", []string{"522600"}},
		{"河南省济源市", []string{"419001"}},
		{"东莞市", []string{"441900"}},
		{"重庆市城口县", []string{"500229"}},
		{"", nil},
		{"不存在市", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := codes(Resolve(tc.name))
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("Resolve(%q) = %v, want %v", tc.name, got, tc.want)
			}
		})
	}
}

func TestResolveNeverTowns(t *testing.T) {
	if got := Resolve("水东镇"); got != nil {
		t.Errorf("Resolve(水东镇) = %v, want nil", got)
	}
}

func TestByCodeAndLevels(t *testing.T) {
	tests := []struct {
		code, name, level, parent string
	}{
		{"360000", "江西省", LevelProvince, ""},
		{"360100", "南昌市", LevelCity, "360000"},
		{"360112", "新建区", LevelCounty, "360100"},
		{"360702", "章贡区", LevelCounty, "360700"},
		{"361100", "上饶市", LevelCity, "360000"},
		{"360702101", "水东镇", LevelTown, "360702"},
		{"110105", "朝阳区", LevelCounty, "110000"},   // municipality: no 市辖区
		{"419001", "济源市", LevelCounty, "410000"},   // 省直辖县级行政区划
		{"659001", "石河子市", LevelCounty, "650000"},  // 自治区直辖
		{"441900", "东莞市", LevelCity, "440000"},     // city without counties
		{"441900003", "东城街道", LevelTown, "441900"}, // … its towns
		{"620200", "嘉峪关市", LevelCity, "620000"},    // dataset's 620201 dropped
		{"620201100", "新城镇", LevelTown, "620200"},  // … towns hang below the city
		{"710000", "台湾省", LevelProvince, ""},       // added
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			d, ok := ByCode(tc.code)
			if !ok {
				t.Fatalf("ByCode(%s) not found", tc.code)
			}
			if d.Code != tc.code || d.Name != tc.name || d.Level != tc.level || d.ParentCode != tc.parent {
				t.Errorf("ByCode(%s) = %+v, want %s %s parent %q", tc.code, d, tc.name, tc.level, tc.parent)
			}
			p, ok := Parent(d)
			if tc.parent == "" {
				if ok {
					t.Errorf("Parent(%s) = %+v, want none", tc.code, p)
				}
			} else if !ok || p.Code != tc.parent {
				t.Errorf("Parent(%s) = %+v, %v, want %s", tc.code, p, ok, tc.parent)
			}
		})
	}
	for _, absent := range []string{"", "000000", "110100", "419000", "659000", "620201", "abc", "999999"} {
		if d, ok := ByCode(absent); ok {
			t.Errorf("ByCode(%q) = %+v, want not found", absent, d)
		}
	}
	for in, want := range map[string]string{"36": "360000", "3607": "360700", "360702101000": "360702101"} {
		if d, ok := ByCode(in); !ok || d.Code != want {
			t.Errorf("ByCode(%q) = %+v, %v, want %s", in, d, ok, want)
		}
	}
}

func TestByCodeRoundTrip(t *testing.T) {
	all := All("")
	if len(all) < 40000 {
		t.Fatalf("only %d divisions loaded", len(all))
	}
	count := map[string]int{}
	for _, d := range all {
		count[d.Level]++
		got, ok := ByCode(d.Code)
		if !ok || got != d {
			t.Fatalf("ByCode(%s) = %+v, %v, want %+v", d.Code, got, ok, d)
		}
		if d.Level == LevelProvince {
			continue
		}
		p, ok := Parent(d)
		if !ok || depth(p.Level) >= depth(d.Level) || !strings.HasPrefix(d.Code, p.Code[:2]) {
			t.Fatalf("Parent(%+v) = %+v, %v", d, p, ok)
		}
	}
	// GB/T 2260 as of 2023: 34 province-level, 333 prefecture-level divisions.
	if count[LevelProvince] != 34 || count[LevelCity] != 333 || count[LevelCounty] < 2800 || count[LevelTown] < 38000 {
		t.Errorf("level counts %v", count)
	}
}

func TestFullName(t *testing.T) {
	tests := map[string]string{
		"360112":    "江西省南昌市新建区",
		"360702":    "江西省赣州市章贡区",
		"361100":    "江西省上饶市",
		"360000":    "江西省",
		"110105":    "北京市朝阳区",
		"360702101": "江西省赣州市章贡区水东镇",
		"441900003": "广东省东莞市东城街道",
	}
	for code, want := range tests {
		d, ok := ByCode(code)
		if !ok {
			t.Fatalf("ByCode(%s) not found", code)
		}
		if got := FullName(d); got != want {
			t.Errorf("FullName(%s) = %q, want %q", code, got, want)
		}
	}
}

func TestFindPlace(t *testing.T) {
	tests := []struct {
		county, name string
		want         string // code, "" for not found
	}{
		{"360702", "水东镇", "360702101"},
		{"360702", "沙石镇", "360702100"},
		{"360702", "沙河镇", "360702104"},
		{"360702", "水西镇", "360702105"},
		{"360702", "解放街道", "360702001"},
		{"360702", "章江街道", "360702006"},
		{"360702", "南外街道", "360702003"},
		{"360702", "水南街道", "360702005"},
		{"360702", "赣江街道", "360702002"},
		{"360702", "东外街道", "360702004"},
		{"360702", "水东", "360702101"},
		{"360702", "水东街道", "360702101"},
		{"360702", "解放街道办事处", "360702001"},
		{"360702", "章贡区水东镇", "360702101"},
		{"360702", "江西省赣州市章贡区沙河镇", "360702104"},
		{"360702", " 水西镇 ", "360702105"},
		{"360702", "沙河工业园", "360702401"},
		{"360702", "不存在镇", ""},
		{"360702", "", ""},
		{"360702", "镇", ""},
		{"360112", "水东镇", ""}, // wrong county
		{"441900", "石碣镇", "441900101"},
		{"999999", "水东镇", ""},
	}
	for _, tc := range tests {
		t.Run(tc.county+tc.name, func(t *testing.T) {
			d, ok := FindPlace(tc.county, tc.name)
			if tc.want == "" {
				if ok {
					t.Errorf("FindPlace(%s, %q) = %+v, want not found", tc.county, tc.name, d)
				}
				return
			}
			if !ok || d.Code != tc.want || d.Level != LevelTown || d.ParentCode != tc.county {
				t.Errorf("FindPlace(%s, %q) = %+v, %v, want %s", tc.county, tc.name, d, ok, tc.want)
			}
		})
	}
}

func TestTowns(t *testing.T) {
	towns := Towns("360702")
	if len(towns) != 17 {
		t.Errorf("Towns(360702) has %d entries: %v", len(towns), towns)
	}
	for i, d := range towns {
		if d.Level != LevelTown || d.ParentCode != "360702" {
			t.Errorf("Towns(360702)[%d] = %+v", i, d)
		}
		if i > 0 && towns[i-1].Code >= d.Code {
			t.Errorf("Towns(360702) not ordered at %d", i)
		}
	}
	if got := Towns("360700"); len(got) != 0 {
		t.Errorf("Towns(360700) = %v, want none (a city with counties)", got)
	}
	if got := Towns("nope"); got != nil {
		t.Errorf("Towns(nope) = %v", got)
	}
	if got := Towns("441900"); len(got) < 30 {
		t.Errorf("Towns(441900) has %d entries", len(got))
	}
}

func TestStems(t *testing.T) {
	for in, want := range map[string]string{
		"江西省":         "江西",
		"广西壮族自治区":     "广西",
		"新疆维吾尔自治区":    "新疆",
		"内蒙古自治区":      "内蒙古",
		"西藏自治区":       "西藏",
		"恩施土家族苗族自治州":  "恩施",
		"巴音郭楞蒙古自治州":   "巴音郭楞",
		"克孜勒苏柯尔克孜自治州": "克孜勒苏",
		"大兴安岭地区":      "大兴安岭",
		"锡林郭勒盟":       "锡林郭勒",
		"香港特别行政区":     "香港",
		"北京市":         "北京",
	} {
		if got := jurisdictionStem(in); got != want {
			t.Errorf("jurisdictionStem(%s) = %s, want %s", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"水东镇": "水东", "解放街道": "解放", "解放街道办事处": "解放", "大河回族乡": "大河",
		"沙河工业园": "沙河工业园", "沙镇": "沙镇",
	} {
		if got := townStem(in); got != want {
			t.Errorf("townStem(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestConcurrentFirstUse(t *testing.T) {
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, ok := ByCode("360702"); !ok {
				t.Error("ByCode(360702) not found")
			}
		}()
	}
	wg.Wait()
}

// TestLoad checks that the embedded table parses; its cost is measured by
// BenchmarkLoad, not asserted here.
func TestLoad(t *testing.T) {
	if _, err := parse(compressed); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkLoad measures the first load: decompression, parsing and indexing.
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parse(compressed); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkResolve(b *testing.B) {
	data()
	for b.Loop() {
		Resolve("江西省赣州市章贡区")
	}
}
