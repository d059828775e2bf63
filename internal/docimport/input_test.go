package docimport

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"

	"minsheng/internal/docx"
)

// TestEncodings re-encodes a seed in each encoding government sites use
// and expects the same plan, with the encoding detected, not asked for.
func TestEncodings(t *testing.T) {
	raw, err := os.ReadFile(testdata("seeds/xinjian-2024.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := importTestdata(t, "seeds/xinjian-2024.txt")
	encode := func(e encoding.Encoding) []byte {
		out, err := e.NewEncoder().Bytes(raw)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	tests := []struct {
		name string
		data []byte
		enc  string
	}{
		{"utf-8 with BOM", append([]byte{0xEF, 0xBB, 0xBF}, raw...), EncUTF8},
		{"utf-8 with CRLF", bytes.ReplaceAll(raw, []byte("\n"), []byte("\r\n")), EncUTF8},
		{"gb18030", encode(simplifiedchinese.GB18030), EncGB18030},
		{"gbk", encode(simplifiedchinese.GBK), EncGB18030},
		{"utf-16le with BOM", encode(xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM)), EncUTF16},
		{"utf-16be with BOM", encode(xunicode.UTF16(xunicode.BigEndian, xunicode.UseBOM)), EncUTF16},
		{"utf-16le without BOM", encode(xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM)), EncUTF16},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Import("xinjian-2024.txt", tt.data)
			if err != nil {
				t.Fatal(err)
			}
			if p.Source.Encoding != tt.enc {
				t.Errorf("encoding %s, want %s", p.Source.Encoding, tt.enc)
			}
			got, _ := json.Marshal(p.Projects)
			exp, _ := json.Marshal(want.Projects)
			if !bytes.Equal(got, exp) {
				t.Errorf("projects differ from the UTF-8 import")
			}
		})
	}
}

// TestDocxMatchesText writes the 章贡区 seed as a real .docx — paragraphs
// and a Word table — and expects the same plan as from the text.
func TestDocxMatchesText(t *testing.T) {
	raw, err := os.ReadFile(testdata("seeds/zhanggong-2024.txt"))
	if err != nil {
		t.Fatal(err)
	}
	// A Word table keeps its merged cells in place (gridSpan), where the
	// text export lost them: write the table as Word would hold it, one
	// header row and every row as wide as the grid.
	var blocks []docx.Block
	for _, b := range textBlocks(string(raw)) {
		if b.table == nil {
			blocks = append(blocks, docx.Block{Text: b.text})
			continue
		}
		g, ok := readGrid(item{table: b.table, rowLines: b.rowLines})
		if !ok {
			t.Fatal("the seed's table was not recognised")
		}
		header := []string{"序号", "民生实事名称", "主要实施内容", "项目名称", "主要建设内容", "2024年度投资（万元）", "实施范围", "实施年限", "预期成效", "责任领导", "责任单位"}
		blocks = append(blocks, docx.Block{Table: append([][]string{header}, g.rows...)})
	}
	var buf bytes.Buffer
	if err := docx.Write(&buf, blocks); err != nil {
		t.Fatal(err)
	}
	fromDocx, err := Import("zhanggong.docx", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	fromText, _ := importTestdata(t, "seeds/zhanggong-2024.txt")
	got, _ := json.MarshalIndent(fromDocx.Projects, "", " ")
	want, _ := json.MarshalIndent(fromText.Projects, "", " ")
	if !bytes.Equal(got, want) {
		t.Errorf("docx import differs from text import:\n%s", firstDiff(string(got), string(want)))
	}
	if fromDocx.TotalInvestment.String() != "228527" {
		t.Errorf("total %v", fromDocx.TotalInvestment)
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return "line " + al[i] + "\n want " + bl[i]
		}
	}
	return "lengths differ"
}

// TestUnusableInput: each kind of bad input gives a Chinese error that
// names the file, and no plan.
func TestUnusableInput(t *testing.T) {
	seed, err := os.ReadFile(testdata("seeds/xinjian-2024.txt"))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	binary := make([]byte, 4096)
	for i := range binary {
		binary[i] = byte(rng.UintN(256))
	}
	huge := bytes.Repeat([]byte("民生实事"), 50<<20/12+1)
	tests := []struct {
		name, file string
		data       []byte
		want       string
		line       bool
	}{
		{"empty", "empty.txt", nil, "文件是空的", false},
		{"only blanks", "blank.txt", []byte("\n\n   \r\n"), "文件是空的", false},
		{"truncated before any project", "cut.txt", seed[:600], "没有找到任何编号的民生实事项目", true},
		{"binary", "random.bin", binary, "不是可识别的文本", true},
		{"50 MB", "huge.txt", huge, "超过 20 MiB 上限", false},
		{"utf-8 BOM but not utf-8", "bad.txt", append([]byte{0xEF, 0xBB, 0xBF}, 0xFF, 0xFE, 0xC0), "不是有效的 UTF-8", false},
		{"pdf", "plan.pdf", []byte("%PDF-1.7\n%âãÏÓ\n1 0 obj"), "暂不支持 PDF", false},
		{"old word", "plan.doc", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}, "旧版 Word", false},
		{"broken docx", "plan.docx", []byte("PK\x03\x04 not really a zip"), ".docx", false},
		{"text with no plan", "novel.txt", []byte("从前有座山，山里有座庙。\n庙里有个老和尚。\n"), "没有找到任何编号的民生实事项目", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Import(tt.file, tt.data)
			if err == nil {
				t.Fatalf("imported %d projects from bad input", len(p.Projects))
			}
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %T %v is not an InputError", err, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tt.file) || !strings.Contains(msg, tt.want) {
				t.Errorf("error %q: want the file name and %q", msg, tt.want)
			}
			if tt.line && ie.Line == 0 {
				t.Errorf("error %q names no line", msg)
			}
		})
	}
}

func FuzzImport(f *testing.F) {
	for _, rel := range documents {
		raw, err := os.ReadFile(testdata(rel))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Import("fuzz.txt", data)
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error is not an InputError: %v", err)
			}
			return
		}
		if len(p.Projects) == 0 {
			t.Fatal("a plan without projects was returned")
		}
		if _, err := json.Marshal(p); err != nil {
			t.Fatal(err)
		}
	})
}

// BenchmarkImport reads every bundled document; sub-benchmarks separate
// plain text from .docx, whose XML parsing costs more per byte.
func BenchmarkImport(b *testing.B) {
	for _, kind := range []string{"txt", "docx"} {
		b.Run(kind, func(b *testing.B) {
			var names []string
			var docs [][]byte
			var size int64
			for _, rel := range documents {
				if filepath.Ext(rel) != "."+kind {
					continue
				}
				raw, err := os.ReadFile(testdata(rel))
				if err != nil {
					b.Fatal(err)
				}
				names, docs = append(names, rel), append(docs, raw)
				size += int64(len(raw))
			}
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				for i, raw := range docs {
					if _, err := Import(names[i], raw); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
