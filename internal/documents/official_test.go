package documents

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"

	"minsheng/internal/docx"
	"minsheng/internal/plan"
)

// parts opens a .docx and returns its parts' text, checking each XML part
// is well-formed.
func parts(t *testing.T, b []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		dec := xml.NewDecoder(bytes.NewReader(data))
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s is not well-formed: %v", f.Name, err)
			}
		}
		out[f.Name] = string(data)
	}
	return out
}

func sampleLetter() *plan.Letter {
	issued := time.Date(2024, 3, 11, 10, 0, 0, 0, plan.Shanghai)
	return &plan.Letter{Kind: plan.LetterSupervision, State: plan.LetterIssued, DocNumber: "新建督办〔2024〕3号",
		Title: "关于督促加快“建设城市口袋公园”项目进度的督办函", Recipients: []string{"区城管局"}, CC: []string{"区住建局", "区财政局"},
		Body: "截至2024年2月底，该项目进展严重滞后。\n请你单位主要负责同志亲自研究部署。", Issuer: "南昌市新建区人民政府督查室",
		ResponseDays: 3, DueDate: "2024-03-14", IssuedAt: &issued, Answer: "已增派施工队伍 <3 支> & 加班。"}
}

func TestLetterDocx(t *testing.T) {
	d := LetterDocument(sampleLetter())
	if !strings.HasPrefix(d.Response, "请于2024年3月14日前（3个工作日内）") || d.Draft {
		t.Errorf("response %q draft %v", d.Response, d.Draft)
	}
	var buf bytes.Buffer
	if err := WriteLetterDocx(&buf, d); err != nil {
		t.Fatal(err)
	}
	ps := parts(t, buf.Bytes())
	doc := ps["word/document.xml"]
	// GB/T 9704 page: A4 with 37/35/28/26 mm margins.
	for _, want := range []string{`<w:pgSz w:w="11906" w:h="16838"/>`, `w:top="2098" w:right="1474" w:bottom="1984" w:left="1588"`,
		`w:eastAsia="方正小标宋简体"`, `w:eastAsia="仿宋_GB2312"`, `<w:sz w:val="44"/>`, `<w:sz w:val="32"/>`, `w:color="FF0000"`,
		`<w:footerReference`, `&lt;3 支&gt; &amp; 加班`} {
		if !strings.Contains(doc, want) {
			t.Errorf("document.xml lacks %s", want)
		}
	}
	if !strings.Contains(ps["word/fontTable.xml"], `仿宋;FangSong`) || !strings.Contains(ps["word/footer1.xml"], "PAGE") {
		t.Error("font fallbacks or page numbers missing")
	}
	blocks, err := docx.Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, b := range blocks {
		lines = append(lines, b.Text)
	}
	text := strings.Join(lines, "\n")
	for _, want := range []string{"南昌市新建区人民政府督查室\n新建督办〔2024〕3号", "区城管局：", "2024年3月11日", "抄送：区住建局、区财政局。", "附：整改落实情况"} {
		if !strings.Contains(text, want) {
			t.Errorf("letter lacks %q:\n%s", want, text)
		}
	}

	draft := sampleLetter()
	draft.State, draft.DocNumber, draft.DueDate, draft.IssuedAt = plan.LetterDraft, "", "", nil
	d = LetterDocument(draft)
	if !d.Draft || !strings.Contains(d.Response, "收到本函后3个工作日内") {
		t.Errorf("draft: %+v", d)
	}
	var h bytes.Buffer
	if err := WriteLetterHTML(&h, d); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"草稿，尚未印发", "〔　　〕　号", "　　年　月　日", "@page { size: A4; margin: 37mm 26mm 35mm 28mm; }", "&lt;3 支&gt;"} {
		if !strings.Contains(h.String(), want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}

func TestBulletinDocxEmptyLists(t *testing.T) {
	b := Bulletin{Jurisdiction: "赣州市章贡区", Period: plan.MustPeriod("2024-01"), Title: "关于2024年1月民生实事项目推进情况的通报",
		Issue: "2024年第1期", Issuer: "赣州市章贡区人民政府办公室", Recipients: "各牵头单位", Summary: BulletinSummary{Projects: 0}}
	var buf bytes.Buffer
	if err := WriteBulletinDocx(&buf, b); err != nil {
		t.Fatal(err)
	}
	doc := parts(t, buf.Bytes())["word/document.xml"]
	for _, want := range []string{"本期无进度滞后项目", "本期无挂牌督办项目", "本期无提前完成", "全区0件民生实事"} {
		if !strings.Contains(doc, want) {
			t.Errorf("lacks %q", want)
		}
	}
	var h bytes.Buffer
	if err := WriteBulletinHTML(&h, b); err != nil || !strings.Contains(h.String(), "本期无挂牌督办项目") {
		t.Errorf("HTML: %v", err)
	}
}

func TestChineseNumber(t *testing.T) {
	for n, want := range map[int]string{1: "一", 7: "七", 10: "十", 11: "十一", 20: "二十", 23: "二十三"} {
		if got := chineseNumber(n); got != want {
			t.Errorf("%d: %s", n, got)
		}
	}
}
