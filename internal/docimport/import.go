// Package docimport reads a published 民生实事 plan document (.txt in any
// common Chinese encoding, or .docx) into a plan.Plan, and checks what it
// read: counts, totals, body text against the attachment table, units and
// places.
//
// It works on the structure such documents share — a title block, numbering
// schemes (一、 （一） 1. （1） ①), category headings, unit clauses in （）
// ［］ or on their own line, attachment tables — not on any one file.
package docimport

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"

	"minsheng/internal/docx"
	"minsheng/internal/plan"
)

// MaxInputSize is the largest document accepted. Real plans are tens of
// kilobytes; a docx with photos a few megabytes.
var MaxInputSize = 20 << 20

// InputError means the input is not a usable plan document at all (exit
// status 2): it names the file and, where it can, the line.
type InputError struct {
	File string
	Line int // 0 when the whole file is at fault
	Msg  string
}

func (e *InputError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s 第 %d 行：%s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s：%s", e.File, e.Msg)
}

// errorAt makes an InputError whose file name Import fills in.
func errorAt(line int, format string, args ...any) *InputError {
	return &InputError{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// Import reads one plan document. name is the file name as given; it
// decides nothing but the format (.txt or .docx) and what errors call it.
func Import(name string, raw []byte) (*plan.Plan, error) {
	p, err := read(name, raw)
	if ie, ok := err.(*InputError); ok {
		ie.File = name
	}
	return p, err
}

// Text returns the document's text as the importer read it: what a
// reviewer puts beside the parsed plan. A .docx gives its paragraphs and
// its table rows with tab-separated cells.
func Text(name string, raw []byte) (string, error) {
	blocks, _, err := decode(name, raw)
	if ie, ok := err.(*InputError); ok {
		ie.File = name
	}
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, bl := range blocks {
		if bl.table == nil {
			b.WriteString(bl.text)
			b.WriteByte('\n')
			continue
		}
		for _, row := range bl.table {
			b.WriteString(strings.ReplaceAll(strings.Join(row, "\t"), "\n", " "))
			b.WriteByte('\n')
		}
	}
	return b.String(), nil
}

func read(name string, raw []byte) (*plan.Plan, error) {
	blocks, enc, err := decode(name, raw)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(raw)
	p := &plan.Plan{Source: plan.Source{File: name, SHA256: hex.EncodeToString(sum[:]), Encoding: enc}}
	return parse(p, blocks)
}

// decode turns the raw input into blocks, by its format.
func decode(name string, raw []byte) ([]block, string, error) {
	if len(raw) > MaxInputSize {
		return nil, "", errorAt(0, "文件大小 %d 字节，超过 %d MiB 上限", len(raw), MaxInputSize>>20)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, "", errorAt(0, "文件是空的")
	}
	switch ext := strings.ToLower(filepath.Ext(name)); {
	case ext == ".docx" || ext != ".xlsx" && bytes.HasPrefix(raw, []byte("PK\x03\x04")):
		bs, err := docx.Read(bytes.NewReader(raw), int64(len(raw)))
		if err != nil {
			return nil, "", errorAt(0, "%v", err)
		}
		return docxBlocks(bs), EncUTF8, nil
	case ext == ".xlsx":
		bs, err := xlsxBlocks(raw)
		if err != nil {
			return nil, "", err
		}
		return bs, EncUTF8, nil
	case ext == ".pdf" || bytes.HasPrefix(raw, []byte("%PDF")):
		return nil, "", errorAt(0, "暂不支持 PDF 文件：请另存为 .docx 或 .txt 后再导入")
	case ext == ".doc" || bytes.HasPrefix(raw, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, "", errorAt(0, "不支持旧版 Word（.doc）文件：请在 Word 或 WPS 中另存为 .docx 后再导入")
	}
	text, enc, err := decodeText(raw)
	if err != nil {
		return nil, "", err
	}
	return textBlocks(text), enc, nil
}

// parse interprets the blocks of a document.
func parse(p *plan.Plan, blocks []block) (*plan.Plan, error) {
	items := repairParagraphs(blocks)
	if len(items) == 0 {
		return nil, errorAt(0, "文件中没有文字")
	}
	f := &findings{}
	start := readHeader(items, p)
	b := readBody(items[start:], f)
	p.Categories = b.categories
	for _, rp := range b.projects {
		p.Projects = append(p.Projects, interpret(rp, f))
	}
	if len(p.Projects) > 0 {
		readAttachment(p, b.tables, f)
	} else {
		projectsFromTable(p, b.tables, f)
	}
	if len(p.Projects) == 0 {
		return nil, errorAt(items[0].line, "没有找到任何编号的民生实事项目（如“一、”“（一）”“1.”开头的段落或项目清单表格）")
	}
	resolveJurisdiction(p, f)
	checkPlan(p, f)
	p.Findings = f.list
	ensureSlices(p)
	return p, nil
}

// findings collects what the importer found doubtful.
type findings struct{ list []plan.Finding }

func (f *findings) add(severity, code, msg string, projectSeq *int, line int) {
	fd := plan.Finding{Severity: severity, Code: code, Message: msg, ProjectSeq: projectSeq}
	if line > 0 {
		l := line
		fd.Line = &l
	}
	f.list = append(f.list, fd)
}

// ensureSlices makes empty lists print as [] rather than null, as the
// schema requires arrays.
func ensureSlices(p *plan.Plan) {
	if p.Categories == nil {
		p.Categories = []plan.Category{}
	}
	if p.Findings == nil {
		p.Findings = []plan.Finding{}
	}
	for i := range p.Projects {
		pr := &p.Projects[i]
		for _, s := range []*[]string{&pr.Tags, &pr.LeadUnits, &pr.ResponsibleUnits, &pr.Leaders} {
			if *s == nil {
				*s = []string{}
			}
		}
		if pr.Targets == nil {
			pr.Targets = []plan.Target{}
		}
		if pr.Subprojects == nil {
			pr.Subprojects = []plan.Subproject{}
		}
		for j := range pr.Subprojects {
			sp := &pr.Subprojects[j]
			for _, s := range []*[]string{&sp.Locations, &sp.Leaders, &sp.Units} {
				if *s == nil {
					*s = []string{}
				}
			}
		}
	}
}
