package docx

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

// roundTripCases are also the seed corpus of FuzzRead.
var roundTripCases = []struct {
	name   string
	blocks []Block
}{
	{"empty document", nil},
	{"paragraphs", []Block{
		{Text: "2024年民生实事项目计划"},
		{Text: ""},
		{Text: "一、教育\t（共3项）"},
		{Text: "第一行\n第二行"},
		{Text: "  前后空格  "},
		{Text: "特殊字符 & < > \" ' \r 回车"},
	}},
	{"table with Chinese text", []Block{
		{Text: "附表"},
		{Table: [][]string{
			{"序号", "项目名称", "责任单位", "完成时限"},
			{"1", "新建城区幼儿园3所", "区教育局", "2024年12月"},
			{"2", "改造老旧小区", "区住建局", ""},
		}},
		{Text: "说明"},
	}},
	{"multi-paragraph cells", []Block{
		{Table: [][]string{
			{"项目", "内容"},
			{"养老", "新增床位200张\n建设社区食堂\n\n（含助餐点）"},
		}},
		{Table: [][]string{{"单独一格"}}},
	}},
}

func TestWriteReadRoundTrip(t *testing.T) {
	for _, tc := range roundTripCases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, tc.blocks); err != nil {
				t.Fatal(err)
			}
			got, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
			if err != nil {
				t.Fatal(err)
			}
			want := numbered(tc.blocks)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

// numbered returns blocks with the Line numbers Read assigns.
func numbered(blocks []Block) []Block {
	var out []Block
	line := 1
	for _, b := range blocks {
		b.Line = line
		if b.Table != nil {
			line += len(b.Table)
		} else {
			line++
		}
		out = append(out, b)
	}
	return out
}

const docStart = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"
 xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"
 xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math"><w:body>`

const docEnd = `<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>`

// zipFiles builds a zip archive in memory from name → content pairs.
func zipFiles(t testing.TB, files ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(files); i += 2 {
		w, err := zw.Create(files[i])
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, files[i+1])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func docxOf(t testing.TB, body string) []byte {
	return zipFiles(t, "word/document.xml", docStart+body+docEnd)
}

func read(b []byte) ([]Block, error) {
	return Read(bytes.NewReader(b), int64(len(b)))
}

func para(line int, text string) Block { return Block{Line: line, Text: text} }

var snippetCases = []struct {
	name string
	body string
	want []Block
}{
	{"tab and breaks",
		`<w:p><w:r><w:t>甲</w:t><w:tab/><w:t>乙</w:t><w:br/><w:t>丙</w:t><w:cr/><w:t xml:space="preserve"> 丁 </w:t></w:r></w:p>`,
		[]Block{para(1, "甲\t乙\n丙\n 丁 ")}},
	{"paragraph properties are not text",
		`<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs><w:rPr><w:ins w:id="1"/></w:rPr></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t>正文</w:t></w:r></w:p>`,
		[]Block{para(1, "正文")}},
	{"tracked deletion and insertion",
		`<w:p><w:r><w:t>新建</w:t></w:r><w:del w:id="1" w:author="a"><w:r><w:delText>两所</w:delText></w:r></w:del><w:ins w:id="2" w:author="a"><w:r><w:t>三所</w:t></w:r></w:ins><w:r><w:t>幼儿园</w:t></w:r></w:p>`,
		[]Block{para(1, "新建三所幼儿园")}},
	{"moves",
		`<w:p><w:moveFrom w:id="1"><w:r><w:t>旧位置</w:t></w:r></w:moveFrom><w:moveTo w:id="2"><w:r><w:t>新位置</w:t></w:r></w:moveTo></w:p>`,
		[]Block{para(1, "新位置")}},
	{"block-level content control",
		`<w:sdt><w:sdtPr><w:alias w:val="标题"/><w:placeholder><w:docPart w:val="x"/></w:placeholder></w:sdtPr><w:sdtContent><w:p><w:r><w:t>控件内段落</w:t></w:r></w:p></w:sdtContent></w:sdt><w:p><w:r><w:t>后</w:t></w:r></w:p>`,
		[]Block{para(1, "控件内段落"), para(2, "后")}},
	{"inline content control, smart tag, custom XML",
		`<w:p><w:r><w:t>于</w:t></w:r><w:sdt><w:sdtPr/><w:sdtContent><w:r><w:t>2024年</w:t></w:r></w:sdtContent></w:sdt><w:smartTag w:uri="u" w:element="date"><w:r><w:t>6月</w:t></w:r></w:smartTag><w:customXml w:element="x"><w:r><w:t>完成</w:t></w:r></w:customXml></w:p>`,
		[]Block{para(1, "于2024年6月完成")}},
	{"hyperlink and simple field",
		`<w:p><w:hyperlink r:id="rId5"><w:r><w:t>政府网站</w:t></w:r></w:hyperlink><w:fldSimple w:instr=" PAGE "><w:r><w:t>3</w:t></w:r></w:fldSimple></w:p>`,
		[]Block{para(1, "政府网站3")}},
	{"complex field: instruction dropped, result kept",
		`<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> HYPERLINK "http://x" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>链接</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>`,
		[]Block{para(1, "链接")}},
	{"drawings and alternate content are skipped",
		`<w:p><w:r><w:t>图</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent><w:p><w:r><w:t>框</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>框</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>`,
		[]Block{para(1, "图")}},
	{"math text",
		`<w:p><w:r><w:t>面积</w:t></w:r><m:oMath><m:r><m:t>x+1</m:t></m:r></m:oMath></w:p>`,
		[]Block{para(1, "面积x+1")}},
	{"empty paragraphs kept, section properties not",
		`<w:p/><w:p><w:pPr><w:sectPr/></w:pPr></w:p><w:p><w:r><w:t>末</w:t></w:r></w:p>`,
		[]Block{para(1, ""), para(2, ""), para(3, "末")}},
	{"gridSpan",
		`<w:tbl><w:tblPr/><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>
		<w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>跨两列</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>丙</w:t></w:r></w:p></w:tc></w:tr>
		<w:tr><w:tc><w:p><w:r><w:t>甲</w:t></w:r></w:p></w:tc><w:tc><w:p/></w:tc><w:tc><w:p><w:r><w:t>丙</w:t></w:r></w:p></w:tc></w:tr></w:tbl>`,
		[]Block{{Line: 1, Table: [][]string{{"跨两列", "", "丙"}, {"甲", "", "丙"}}}}},
	{"vMerge",
		`<w:p><w:r><w:t>前</w:t></w:r></w:p><w:tbl><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>
		<w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>教育局</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>项目一</w:t></w:r></w:p></w:tc></w:tr>
		<w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc><w:tc><w:p><w:r><w:t>项目二</w:t></w:r></w:p></w:tc></w:tr>
		<w:tr><w:tc><w:tcPr><w:vMerge w:val="continue"/></w:tcPr><w:p><w:r><w:t>残留</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>项目三</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p><w:r><w:t>后</w:t></w:r></w:p>`,
		[]Block{para(1, "前"), {Line: 2, Table: [][]string{{"教育局", "项目一"}, {"", "项目二"}, {"", "项目三"}}}, para(5, "后")}},
	{"gridBefore, gridAfter and short rows",
		`<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/><w:gridCol/><w:gridCol/></w:tblGrid>
		<w:tr><w:trPr><w:gridBefore w:val="1"/><w:gridAfter w:val="1"/></w:trPr><w:tc><w:p><w:r><w:t>乙</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>丙</w:t></w:r></w:p></w:tc></w:tr>
		<w:tr><w:tc><w:p><w:r><w:t>甲</w:t></w:r></w:p></w:tc></w:tr></w:tbl>`,
		[]Block{{Line: 1, Table: [][]string{{"", "乙", "丙", ""}, {"甲", "", "", ""}}}}},
	{"multi-paragraph cell and nested table",
		`<w:tbl><w:tr><w:tc><w:p><w:r><w:t>第一段</w:t></w:r></w:p><w:p><w:r><w:t>第二段</w:t></w:r></w:p></w:tc>
		<w:tc><w:p><w:r><w:t>外</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>内1</w:t></w:r></w:p><w:p><w:r><w:t>续</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>内2</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>内3</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p/></w:tc></w:tr></w:tbl>`,
		[]Block{{Line: 1, Table: [][]string{{"第一段\n第二段", "外\n内1 续\t内2\n内3\t\n"}}}}},
	{"row-level and cell-level content controls, deleted row",
		`<w:tbl><w:sdt><w:sdtContent><w:tr><w:sdt><w:sdtContent><w:tc><w:p><w:r><w:t>甲</w:t></w:r></w:p></w:tc></w:sdtContent></w:sdt></w:tr></w:sdtContent></w:sdt>
		<w:tr><w:trPr><w:del w:id="1" w:author="a"/></w:trPr><w:tc><w:p><w:del w:id="2"><w:r><w:delText>删</w:delText></w:r></w:del></w:p></w:tc></w:tr></w:tbl>`,
		[]Block{{Line: 1, Table: [][]string{{"甲"}}}}},
	{"table without cells is dropped",
		`<w:tbl><w:tblPr/></w:tbl><w:tbl><w:tr/></w:tbl><w:p><w:r><w:t>正文</w:t></w:r></w:p>`,
		[]Block{para(1, "正文")}},
}

func TestReadSnippets(t *testing.T) {
	for _, tc := range snippetCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := read(docxOf(t, tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestReadPackageVariants(t *testing.T) {
	body := `<w:p><w:r><w:t>内容</w:t></w:r></w:p>`
	want := []Block{para(1, "内容")}
	strict := `<w:document xmlns:w="http://purl.oclc.org/ooxml/wordprocessingml/main"><w:body>` + body + `</w:body></w:document>`
	rels := `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/word/document2.xml"/></Relationships>`
	cases := []struct {
		name string
		zip  []byte
	}{
		{"main part named by relationships", zipFiles(t, "_rels/.rels", rels, "word/document2.xml", docStart+body+docEnd)},
		{"relationships point to a missing part", zipFiles(t, "_rels/.rels", strings.ReplaceAll(rels, "document2", "missing"), "word/document.xml", docStart+body+docEnd)},
		{"part name in another case", zipFiles(t, "Word/Document.xml", docStart+body+docEnd)},
		{"strict OOXML namespace", zipFiles(t, "word/document.xml", strict)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := read(tc.zip)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	deep := strings.Repeat("<w:sdt><w:sdtContent>", 300) + strings.Repeat("</w:sdtContent></w:sdt>", 300)
	nested := `<w:p/>`
	for range 20 {
		nested = `<w:tbl><w:tr><w:tc>` + nested + `</w:tc></w:tr></w:tbl>`
	}
	cases := []struct {
		name    string
		data    []byte
		target  error
		message string
	}{
		{"empty input", nil, ErrNotDocx, "不是有效的 .docx 文件"},
		{"not a zip", []byte("这不是压缩包，只是一段文字"), ErrNotDocx, "无法按 zip 格式读取"},
		{"legacy .doc", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...), ErrNotDocx, "旧版 Word 97-2003（.doc）"},
		{"rtf", []byte(`{\rtf1\ansi 文字}`), ErrNotDocx, "RTF"},
		{"zip without document", zipFiles(t, "word/styles.xml", "<w:styles/>"), ErrNotDocx, "不是有效的 .docx 文件：缺少 word/document.xml"},
		{"not XML", zipFiles(t, "word/document.xml", "PK\x00\x01garbage"), ErrNotDocx, "解析失败"},
		{"truncated XML", zipFiles(t, "word/document.xml", docStart+`<w:p><w:r><w:t>半`), ErrNotDocx, "解析失败"},
		{"wrong root", zipFiles(t, "word/document.xml", `<html><body/></html>`), ErrNotDocx, "根元素不是 w:document"},
		{"empty part", zipFiles(t, "word/document.xml", ""), ErrNotDocx, "内容不完整"},
		{"undefined entity", docxOf(t, `<w:p><w:r><w:t>&lol;</w:t></w:r></w:p>`), ErrNotDocx, "解析失败"},
		{"too deep", docxOf(t, deep), ErrTooLarge, "嵌套超过"},
		{"tables nested too deep", docxOf(t, nested), ErrTooLarge, "表格嵌套超过"},
		{"huge gridSpan", docxOf(t, `<w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="2000000000"/></w:tcPr><w:p/></w:tc></w:tr></w:tbl>`), ErrTooLarge, "列"},
		{"huge gridBefore", docxOf(t, `<w:tbl><w:tr><w:trPr><w:gridBefore w:val="99999999999999999999"/></w:trPr><w:tc><w:p/></w:tc></w:tr></w:tbl>`), ErrTooLarge, "列"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := read(tc.data)
			if err == nil {
				t.Fatalf("no error, got %+v", got)
			}
			if !errors.Is(err, tc.target) || !strings.Contains(err.Error(), tc.message) {
				t.Errorf("error %q, want %v containing %q", err, tc.target, tc.message)
			}
		})
	}
}

func TestReadNilReader(t *testing.T) {
	if _, err := Read(nil, 10); !errors.Is(err, ErrNotDocx) {
		t.Errorf("got %v", err)
	}
	if _, err := Read(bytes.NewReader(nil), -1); !errors.Is(err, ErrNotDocx) {
		t.Errorf("got %v", err)
	}
}

func TestReadItemLimit(t *testing.T) {
	old := maxItems
	maxItems = 100
	defer func() { maxItems = old }()
	// Tiny XML, many items: the shape of an amplification attack.
	row := `<w:tr><w:trPr><w:gridAfter w:val="50"/></w:trPr></w:tr>`
	_, err := read(docxOf(t, `<w:tbl>`+row+row+row+`</w:tbl>`))
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("got %v, want ErrTooLarge", err)
	}
	_, err = read(docxOf(t, strings.Repeat(`<w:p/>`, 101)))
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("got %v, want ErrTooLarge", err)
	}
}

func TestReadTooManyEntries(t *testing.T) {
	old := maxEntries
	maxEntries = 3
	defer func() { maxEntries = old }()
	data := zipFiles(t, "a", "", "b", "", "c", "", "word/document.xml", docStart+docEnd)
	if _, err := read(data); !errors.Is(err, ErrTooLarge) {
		t.Errorf("got %v, want ErrTooLarge", err)
	}
}

// TestReadZipBomb feeds a document.xml of 200 MiB of spaces that compresses
// to a few hundred KB; it must be refused once 64 MiB are decompressed, by
// counting bytes, even though the zip header declares the true size.
func TestReadZipBomb(t *testing.T) {
	if testing.Short() {
		t.Skip("compresses 200 MiB")
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	w, err := zw.Create("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, docStart)
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for range 200 {
		if _, err := w.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	io.WriteString(w, docEnd)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("bomb: %d bytes compressed", buf.Len())

	_, err = read(buf.Bytes())
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "文档内容超过 64 MiB 上限") {
		t.Errorf("got %v, want the 64 MiB size error", err)
	}
}

func TestReadSizeLimitBoundary(t *testing.T) {
	xml := docStart + `<w:p><w:r><w:t>边界</w:t></w:r></w:p>` + docEnd
	old := MaxDocumentSize
	defer func() { MaxDocumentSize = old }()

	MaxDocumentSize = int64(len(xml))
	if _, err := read(zipFiles(t, "word/document.xml", xml)); err != nil {
		t.Errorf("document of exactly the limit: %v", err)
	}
	MaxDocumentSize = int64(len(xml)) - len64(docEnd) - 1
	_, err := read(zipFiles(t, "word/document.xml", xml))
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "字节") {
		t.Errorf("document over the limit: %v", err)
	}
}

func len64(s string) int64 { return int64(len(s)) }

func TestReadBillionLaughs(t *testing.T) {
	var dtd strings.Builder
	dtd.WriteString(`<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY lol0 "lol">`)
	for i := 1; i <= 9; i++ {
		prev := "&lol" + string(rune('0'+i-1)) + ";"
		dtd.WriteString(`<!ENTITY lol` + string(rune('0'+i)) + ` "` + strings.Repeat(prev, 10) + `">`)
	}
	dtd.WriteString(`]>`)
	doc := dtd.String() + `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>`

	start := time.Now()
	blocks, err := read(zipFiles(t, "word/document.xml", doc))
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("took %v", elapsed)
	}
	if err == nil {
		size := 0
		for _, b := range blocks {
			size += len(b.Text)
		}
		if size > 1000 {
			t.Errorf("entities expanded to %d bytes", size)
		}
	}
	if err != nil && !strings.Contains(err.Error(), "DTD") {
		t.Errorf("unexpected error %v", err)
	}
}

// FuzzRead reads each input twice: as a whole .docx, and as the content of
// word/document.xml in a stored (uncompressed) zip, because random mutations
// of a compressed archive seldom get past the CRC and deflate layers to the
// XML walker.
func FuzzRead(f *testing.F) {
	for _, tc := range roundTripCases {
		var buf bytes.Buffer
		if err := Write(&buf, tc.blocks); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	for _, tc := range snippetCases {
		f.Add([]byte(docStart + tc.body + docEnd))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRead(t, data)
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, err := zw.CreateHeader(&zip.FileHeader{Name: "word/document.xml", Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		checkRead(t, buf.Bytes())
	})
}

// checkRead reads data and checks the invariants of any successful result.
func checkRead(t *testing.T, data []byte) {
	blocks, err := read(data)
	if err != nil {
		if !errors.Is(err, ErrNotDocx) && !errors.Is(err, ErrTooLarge) {
			t.Fatalf("error wraps neither sentinel: %v", err)
		}
		return
	}
	line, items := 1, 0
	for _, b := range blocks {
		items++
		if b.Line != line {
			t.Fatalf("line %d, want %d", b.Line, line)
		}
		if b.Table == nil {
			line++
			continue
		}
		if b.Text != "" || len(b.Table) == 0 || len(b.Table[0]) == 0 {
			t.Fatalf("malformed table block %+v", b)
		}
		for _, r := range b.Table {
			if len(r) != len(b.Table[0]) {
				t.Fatalf("ragged table %+v", b.Table)
			}
			items += len(r)
		}
		line += len(b.Table)
	}
	// Whatever Read returns, Write must keep: the fixtures and the letters
	// feature rely on it. Huge results are skipped: a few KB of gridSpan can
	// make a million cells, whose written form (every cell with properties
	// and a paragraph) takes seconds to write and read again, which stalls
	// the fuzzer, and may exceed the reader's limits.
	if items > 20000 {
		return
	}
	var buf bytes.Buffer
	if err := Write(&buf, blocks); err != nil {
		t.Fatal(err)
	}
	again, err := read(buf.Bytes())
	if err != nil {
		t.Fatalf("reading written document: %v", err)
	}
	if len(blocks) == 0 && len(again) == 0 {
		return
	}
	if !reflect.DeepEqual(again, blocks) {
		t.Fatalf("round trip changed\n%+v\ninto\n%+v", blocks, again)
	}
}
