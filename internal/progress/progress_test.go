package progress

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"minsheng/internal/docimport"
	"minsheng/internal/plan"
)

// seedProjects are the 章贡区 plan's projects as published records, with
// IDs as the store would give them.
func seedProjects(t testing.TB) []plan.ProjectRecord {
	t.Helper()
	raw, err := os.ReadFile("../../testdata/seeds/zhanggong-2024.txt")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := docimport.Import("zhanggong-2024.txt", raw)
	if err != nil {
		t.Fatal(err)
	}
	var out []plan.ProjectRecord
	for i, p := range doc.Projects {
		rec := plan.ProjectRecord{ID: fmt.Sprintf("prj_%02d", i+1), Seq: p.Seq, Title: p.Title, Investment: p.Investment}
		for j, tg := range p.Targets {
			rec.Targets = append(rec.Targets, plan.TargetRecord{ID: fmt.Sprintf("tgt_%02d_%d", i+1, j+1), Metric: tg.Metric,
				Comparator: tg.Comparator, Value: tg.Value, Unit: tg.Unit, Kind: tg.Kind})
		}
		for j, sp := range p.Subprojects {
			rec.Subprojects = append(rec.Subprojects, plan.SubprojectRecord{ID: fmt.Sprintf("sub_%02d_%d", i+1, j+1), Seq: j + 1, Name: sp.Name, Investment: sp.Investment})
		}
		out = append(out, rec)
	}
	return out
}

func workbook(t testing.TB, rows []Row) *excelize.File {
	t.Helper()
	f := excelize.NewFile()
	if err := AddSheet(f, rows, Note(plan.MustPeriod("2024-05"))); err != nil {
		t.Fatal(err)
	}
	return f
}

func xlsxBytes(t testing.TB, f *excelize.File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestRoundTrip: the template written from the seed plan, with a report's
// figures, reads back to the same rows and values.
func TestRoundTrip(t *testing.T) {
	ps := seedProjects(t)
	d := func(s string) *plan.Decimal { return plan.MustDecimal(s).Ptr() }
	p14 := ps[13] // seven sub-projects
	rep := &plan.Report{Investment: d("1234.56"), Allocated: d("2000"), Disbursed: d("1000.5"), Progress: "按计划推进，\n已完成招标",
		Funds: []plan.SubprojectFunds{{SubprojectID: p14.Subprojects[2].ID, Allocated: d("300"), Disbursed: d("120.25"), Spent: d("0.0001")}}}
	rows := RowsFor(ps, map[string]*plan.Report{p14.ID: rep}, rep.Period)
	f, err := Parse("模板.xlsx", xlsxBytes(t, workbook(t, rows)))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rows) != len(rows) || f.Sheet != SheetName {
		t.Fatalf("%d rows from sheet %q, want %d", len(f.Rows), f.Sheet, len(rows))
	}
	for i, got := range f.Rows {
		want := rows[i]
		if got.Key != want.Key || got.Project != want.Project || got.Name != want.Name || got.Line != i+3 {
			t.Fatalf("row %d: %+v, want %+v", i, got, want)
		}
		for c := ColActual; c <= ColDisbursed; c++ {
			g, w := got.Figure(c), want.Figure(c)
			if (g == nil) != (w == nil) || g != nil && !g.Equal(w.Decimal) {
				t.Errorf("row %d %s: %v, want %v", i, Headers[c], g, w)
			}
		}
		if got.Progress != want.Progress {
			t.Errorf("row %d progress %q", i, got.Progress)
		}
	}
}

// TestSortedAndDeletedRowsStillMap: a CSV of the sheet with its rows
// reversed and most of them deleted keeps each value on its key.
func TestSortedAndDeletedRowsStillMap(t *testing.T) {
	rows := RowsFor(seedProjects(t), nil, plan.MustPeriod("2024-05"))
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(Headers[:])
	var kept []Row
	for i := len(rows) - 1; i >= 0; i -= 5 {
		r := rows[i]
		rec := make([]string, numColumns)
		rec[ColKey], rec[ColProject], rec[ColName] = r.Key.String(), r.Project, r.Name
		if r.Key.Kind == KindTarget {
			rec[ColActual] = fmt.Sprint(i)
		} else {
			rec[ColSpent] = fmt.Sprintf("%d.5", i)
		}
		w.Write(rec)
		kept = append(kept, r)
	}
	w.Flush()
	f, err := Parse("进展.csv", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rows) != len(kept) {
		t.Fatalf("%d rows, want %d", len(f.Rows), len(kept))
	}
	for j, r := range f.Rows {
		i := len(rows) - 1 - 5*j
		if r.Key != kept[j].Key || r.Line != j+2 {
			t.Fatalf("row %d: key %v line %d", j, r.Key, r.Line)
		}
		v := r.Spent
		want := fmt.Sprintf("%d.5", i)
		if r.Key.Kind == KindTarget {
			v, want = r.Actual, fmt.Sprint(i)
		}
		if v == nil || v.String() != want {
			t.Fatalf("row %d (%v): %v, want %s", j, r.Key, v, want)
		}
	}
}

// TestCSVEncodings: the CSV Excel writes on Chinese Windows (GB18030) and
// the UTF-8 one with a BOM read alike.
func TestCSVEncodings(t *testing.T) {
	text := "编码,民生实事名称,子项目/指标,累计完成投资（万元）,本月进展\r\nP:prj_01,城市更新,（项目合计）,\"1,234.5\",已开工建设\r\n"
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"gb18030": []byte(gb), "utf-8": append([]byte("\xEF\xBB\xBF"), text...)} {
		f, err := Parse("进展.csv", data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if f.Encoding != name || len(f.Rows) != 1 || f.Rows[0].Spent.String() != "1234.5" || f.Rows[0].Progress != "已开工建设" || f.Rows[0].Project != "城市更新" {
			t.Fatalf("%s: %+v %+v", name, f, f.Rows)
		}
	}
}

// TestCellErrors: every bad cell is reported with its sheet, row, column
// and header, and no rows come back.
func TestCellErrors(t *testing.T) {
	rows := RowsFor(seedProjects(t)[:2], nil, plan.MustPeriod("2024-05"))
	// As a person does: open the downloaded workbook and type into it.
	f, err := excelize.OpenReader(bytes.NewReader(xlsxBytes(t, workbook(t, rows))))
	if err != nil {
		t.Fatal(err)
	}
	set := func(cell string, v any) {
		if err := f.SetCellValue(SheetName, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	// Row 3 is project 1, row 4 its first sub-project (if any) or target.
	set("I3", "一百万")      // not a number
	set("J3", -5)         // negative
	set("H3", 12)         // a target column on a project row
	set("A5", "")         // a key removed from a row with a value
	set("I5", 3)          //
	set("A6", "X:abc")    // a key the system never wrote
	set("A7", "P:prj_01") // a duplicate of row 3
	set("A40", "")        // a note someone added below: ignored
	set("C40", "备注：数据来自财政局")
	_, err = Parse("模板.xlsx", xlsxBytes(t, f))
	es, ok := err.(Errors)
	if !ok {
		t.Fatalf("error %T %v", err, err)
	}
	want := []string{
		"工作表“进展填报”第3行 H列（累计完成值）：项目行不填此列（完成值请填在对应的目标行）",
		"工作表“进展填报”第3行 I列（累计完成投资（万元））：不是数字：“一百万”",
		"工作表“进展填报”第3行 J列（累计到位资金（万元））：不能为负数：“-5”",
		"工作表“进展填报”第5行 A列（编码）：缺少编码，无法确定这一行是哪个项目。请勿删除或修改编码列；新增的行无法导入",
		"工作表“进展填报”第6行 A列（编码）：编码“X:abc”不是系统导出的编码（应为 P:、S: 或 T: 开头）",
		"工作表“进展填报”第7行 A列（编码）：与第3行的编码重复（同一项目、子项目或目标只能出现一次）",
	}
	var got []string
	for _, e := range es {
		got = append(got, e.Error())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	pe := es.PlanError()
	if pe.Code != plan.EInvalid || len(pe.Details) != len(want) || !strings.Contains(pe.Message, "没有写入任何数据") {
		t.Fatalf("plan error %+v", pe)
	}
}

func TestUnreadableFiles(t *testing.T) {
	noSheet := excelize.NewFile()
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"old.xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 0, 0}, "旧版 Excel"},
		{"other.xlsx", xlsxBytes(t, noSheet), "没有“进展填报”工作表"},
		{"broken.xlsx", []byte("PK\x03\x04garbage"), "不是可读取的 .xlsx"},
		{"headless.csv", []byte("a,b,c\n1,2,3\n"), "找不到表头"},
		{"empty.csv", []byte("编码,民生实事名称,子项目/指标\n"), "没有可导入的行"},
		{"binary.csv", bytes.Repeat([]byte{0x01, 0x02, 0x81}, 50), "不是可读取的 CSV"},
		{"twice.csv", []byte("编码,民生实事名称,子项目/指标,编码\n"), "出现了两次"},
	} {
		_, err := Parse(c.name, c.data)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want …%s…", c.name, err, c.want)
		}
		if _, ok := err.(*plan.Error); !ok {
			t.Errorf("%s: %T, want *plan.Error", c.name, err)
		}
	}
}

func TestParseNumber(t *testing.T) {
	for _, c := range []struct {
		in, want string
		pct      bool
	}{
		{"1,234.50", "1234.5", false}, {"１２３．４", "123.4", false}, {"0.30000000000000004", "0.3", false},
		{"95%", "95", true}, {"95%", "", false}, {"1E+30", "", false}, {"-0.01", "", false}, {"12万", "", false}, {"NaN", "", false},
	} {
		d, msg := parseNumber(c.in, c.pct)
		got := ""
		if d != nil {
			got = d.String()
		}
		if got != c.want || (msg == "") != (c.want != "") {
			t.Errorf("parseNumber(%q) = %q, %q; want %q", c.in, got, msg, c.want)
		}
	}
}

// FuzzBulkCSV: no input makes the parser panic, and whatever it accepts
// has a known key on every row and no negative figure.
func FuzzBulkCSV(f *testing.F) {
	f.Add([]byte("编码,民生实事名称,子项目/指标,累计完成值,累计完成投资（万元）\nP:a,x,y,,1\nT:b,x,y,2,\n"))
	f.Add([]byte("\xEF\xBB\xBF编码\tX\nS:1\t2\n"))
	f.Add([]byte("编码,累计到位资金（万元）\n\"P:a\",\"1,2\"\n,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParsed(t, "f.csv", data)
	})
}

// FuzzBulkXLSX mutates a real template's bytes.
func FuzzBulkXLSX(f *testing.F) {
	rows := RowsFor(seedProjects(f)[:3], nil, plan.MustPeriod("2024-05"))
	f.Add(xlsxBytes(f, workbook(f, rows)))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParsed(t, "f.xlsx", data)
	})
}

func checkParsed(t *testing.T, name string, data []byte) {
	file, err := Parse(name, data)
	if err != nil {
		if es, ok := err.(Errors); ok {
			for _, e := range es {
				if !strings.Contains(e.Place, "第") || e.Message == "" {
					t.Fatalf("error without a place: %+v", e)
				}
			}
		}
		return
	}
	for _, r := range file.Rows {
		if _, ok := ParseKey(r.Key.String()); !ok || r.Line <= 0 {
			t.Fatalf("accepted row %+v", r)
		}
		for c := ColActual; c <= ColDisbursed; c++ {
			if d := r.Figure(c); d != nil && d.IsNegative() {
				t.Fatalf("negative figure accepted: %+v", r)
			}
		}
	}
}
