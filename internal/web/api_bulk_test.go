package web_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"minsheng/internal/progress"
)

// TestBulkUploadAPI: a GB18030 CSV as Excel on Chinese Windows saves it —
// previewed (nothing written), applied, and a file with a bad cell
// refused with its row and column.
func TestBulkUploadAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(f.expand(bulkCSV))
	if err != nil {
		t.Fatal(err)
	}
	file := upload{"file", "进展.csv", []byte(gb)}
	f.do(leadReporter, "POST", "/api/v1/reports/bulk?period=2024-05&dry_run=true", file).
		expect(t, 200, `"dry_run":true`, `"reports":1`, `"field":"累计完成投资（万元）"`, `"after":"130"`)
	f.do(leadReporter, "GET", "/api/v1/projects/{p1}/reports/2024-05", nil).expect(t, 404)
	f.do(leadReporter, "POST", "/api/v1/reports/bulk?period=2024-05", file).expect(t, 200, `"dry_run":false`, `"created":1`)
	f.do(leadReporter, "GET", "/api/v1/projects/{p1}/reports/2024-05", nil).
		expect(t, 200, `"investment_wan":130`, `"allocated_wan":150`, `"state":"draft"`)

	bad := upload{"file", "进展.csv", []byte(f.expand("编码,民生实事名称,子项目/指标,累计完成值,累计完成投资（万元）\nP:{p1},,,,一百\nT:{t1},,,-1,\n"))}
	r := f.do(leadReporter, "POST", "/api/v1/reports/bulk?period=2024-05", bad).
		expect(t, 422, `第2行 E列（累计完成投资（万元））：不是数字：“一百”`, `第3行 D列（累计完成值）：不能为负数`)
	r.checkError(t, "file")
	f.do(leadReporter, "GET", "/api/v1/projects/{p1}/reports/2024-05", nil).expect(t, 200, `"investment_wan":130`)
	f.do(leadReporter, "POST", "/api/v1/reports/bulk", file).expect(t, 400, `"field":"period"`)
}

// TestBulkTemplate: each lead unit's reporter gets a workbook of its own
// projects only; others may not have one.
func TestBulkTemplate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	keys := func(actor string) []string {
		r := f.do(actor, "GET", "/api/v1/reports/bulk/template?period=2024-05", nil).expect(t, 200)
		wb, err := excelize.OpenReader(bytes.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := wb.GetRows(progress.SheetName)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, row := range rows {
			if len(row) > 0 && strings.HasPrefix(row[0], "P:") {
				out = append(out, row[0])
			}
		}
		return out
	}
	lead, other := keys(leadReporter), keys(otherReporter)
	if !slices.Contains(lead, f.expand("P:{p1}")) || slices.Contains(other, f.expand("P:{p1}")) || len(other) == 0 {
		t.Fatalf("projects in the templates: lead unit %v, another unit %v", lead, other)
	}
	for _, a := range []string{supervisor, respContributor, leader} {
		f.do(a, "GET", "/api/v1/reports/bulk/template?period=2024-05", nil).expect(t, 403)
	}
	f.do(anon, "GET", "/api/v1/reports/bulk/template?period=2024-05", nil).expect(t, 401)
}
