package docimport

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// xlsxWithSheet is a real workbook (written by excelize) whose first
// sheet's XML is replaced by write.
func xlsxWithSheet(t *testing.T, write func(w io.Writer)) []byte {
	t.Helper()
	f := excelize.NewFile()
	f.SetCellValue("Sheet1", "A1", "新建区2024年民生实事计划清单")
	var orig bytes.Buffer
	if err := f.Write(&orig); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(orig.Bytes()), int64(orig.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	for _, e := range zr.File {
		w, err := zw.Create(e.Name)
		if err != nil {
			t.Fatal(err)
		}
		if e.Name == "xl/worksheets/sheet1.xml" {
			write(w)
			continue
		}
		rc, _ := e.Open()
		io.Copy(w, rc)
		rc.Close()
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

const sheetStart = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`

// TestXLSXZipBomb: a sheet of 200 MiB that compresses to a few hundred KB
// is refused (excelize's UnzipSizeLimit, 64 MiB, counted on the sizes
// archive/zip holds the entries to) with a Chinese error, in bounded time.
func TestXLSXZipBomb(t *testing.T) {
	if testing.Short() {
		t.Skip("compresses 200 MiB")
	}
	raw := xlsxWithSheet(t, func(w io.Writer) {
		io.WriteString(w, sheetStart)
		chunk := bytes.Repeat([]byte(" "), 1<<20)
		for range 200 {
			w.Write(chunk)
		}
		io.WriteString(w, `</sheetData></worksheet>`)
	})
	t.Logf("bomb: %d bytes compressed", len(raw))
	start := time.Now()
	_, err := Import("bomb.xlsx", raw)
	if err == nil || !strings.Contains(err.Error(), "不是有效的 .xlsx 文件") {
		t.Fatalf("zip bomb: %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("refusing the bomb took %v", d)
	}
}

// TestXLSXBillionLaughs: entities defined in a DTD are not expanded
// (encoding/xml does not), so the nested definitions cost nothing.
func TestXLSXBillionLaughs(t *testing.T) {
	var dtd strings.Builder
	dtd.WriteString(`<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY lol0 "lol">`)
	for i := 1; i <= 9; i++ {
		dtd.WriteString(`<!ENTITY lol` + string(rune('0'+i)) + ` "` + strings.Repeat("&lol"+string(rune('0'+i-1))+";", 10) + `">`)
	}
	dtd.WriteString(`]>`)
	raw := xlsxWithSheet(t, func(w io.Writer) {
		io.WriteString(w, dtd.String()+`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`+
			`<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>`)
	})
	start := time.Now()
	p, err := Import("laughs.xlsx", raw)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
	if err == nil && p != nil && len(p.Title) > 1000 {
		t.Errorf("entities expanded: title of %d bytes", len(p.Title))
	}
	if err != nil && !strings.ContainsFunc(err.Error(), func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) {
		t.Errorf("error not in Chinese: %v", err)
	}
}
