// Package docx reads the text of a .docx (WordprocessingML) file as
// paragraphs and tables in document order, and writes minimal .docx files.
//
// Only archive/zip and encoding/xml are used: the available third-party docx
// libraries are AGPL-licensed or unmaintained, and the importer needs text,
// not formatting.
package docx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// Block is a paragraph or a table of the document, in document order.
type Block struct {
	Line  int        // 1-based ordinal: each paragraph counts one line, each table row one line, in document order
	Text  string     // a paragraph's text; empty for a table
	Table [][]string // a table's rows of cells; nil for a paragraph
}

// Safety limits. The input is untrusted, so every dimension that decides how
// much memory or time Read spends is capped. They are variables so that a
// caller (or a test) can tighten or loosen them.
var (
	// MaxDocumentSize caps the uncompressed size of the main document part.
	// It is enforced while decompressing, because a zip header's declared
	// size is whatever the attacker wrote.
	MaxDocumentSize int64 = 64 << 20

	// maxEntries caps the number of zip entries looked at; a real .docx has
	// a few dozen, a few hundred with many images.
	maxEntries = 10000

	// maxItems caps paragraphs + table rows + table cells (including the
	// padding cells of merged cells): "<w:p/>" is 6 bytes of XML but a Block
	// in memory, so the size cap alone would allow ~10x amplification.
	maxItems = 2_000_000

	// maxColumns caps the grid columns of one table row; Word's own limit
	// is 63, and gridSpan/gridBefore values are attacker-chosen integers.
	maxColumns = 1000

	// maxDepth caps XML element nesting, because the walker recurses once
	// per level and a goroutine stack overflow cannot be recovered.
	maxDepth = 256

	// maxTableNesting caps tables inside tables: each level copies the
	// flattened text of the levels below it.
	maxTableNesting = 16

	// maxRelsSize caps the package relationships part read to locate the
	// main document.
	maxRelsSize int64 = 1 << 20
)

var (
	// ErrNotDocx is wrapped by errors for input that is not a readable .docx.
	ErrNotDocx = errors.New("不是有效的 .docx 文件")
	// ErrTooLarge is wrapped by errors for input that exceeds a safety limit.
	ErrTooLarge = errors.New("文档超出处理上限")
)

const defaultMainPart = "word/document.xml"

// Read parses the .docx in r (size bytes long) and returns the paragraphs and
// tables of its main document body. Headers, footers, footnotes, comments and
// text boxes are not part of the result. Every error wraps ErrNotDocx or
// ErrTooLarge and has a message in Chinese fit to show to the uploader.
func Read(r io.ReaderAt, size int64) ([]Block, error) {
	if r == nil || size < 0 {
		return nil, fmt.Errorf("%w：没有可读的内容", ErrNotDocx)
	}
	// Government offices still circulate .doc files renamed or mislabelled
	// as .docx; say so instead of a bare zip error.
	var magic [8]byte
	n, _ := r.ReadAt(magic[:min(size, int64(len(magic)))], 0)
	switch {
	case bytes.Equal(magic[:n], []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		// OLE2 compound file: a .doc, or a password-protected .docx.
		return nil, fmt.Errorf("%w：这是旧版 Word 97-2003（.doc）文件或加密的文档，请用 Word 或 WPS 另存为 .docx", ErrNotDocx)
	case bytes.HasPrefix(magic[:n], []byte(`{\rtf`)):
		return nil, fmt.Errorf("%w：这是 RTF 文件，请用 Word 或 WPS 另存为 .docx", ErrNotDocx)
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		// Insecure names (e.g. "../x") do not matter: nothing is extracted.
		return nil, fmt.Errorf("%w：无法按 zip 格式读取（%w）", ErrNotDocx, err)
	}
	if len(zr.File) > maxEntries {
		return nil, fmt.Errorf("%w：压缩包内有 %d 个文件，超过 %d 个的上限", ErrTooLarge, len(zr.File), maxEntries)
	}
	name := mainPartName(zr)
	f := findEntry(zr, name)
	if f == nil && name != defaultMainPart {
		name = defaultMainPart
		f = findEntry(zr, name)
	}
	if f == nil {
		return nil, fmt.Errorf("%w：缺少 %s", ErrNotDocx, defaultMainPart)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w：无法解压 %s（%w）", ErrNotDocx, name, err)
	}
	defer rc.Close()

	lr := &limitReader{r: rc, n: MaxDocumentSize}
	d := xml.NewDecoder(lr)
	// Strict mode with no Entity map: only the five predefined entities and
	// character references are accepted, so entity expansion attacks fail.
	d.Strict = true
	p := &parser{d: d, lr: lr, part: name}
	if err := p.document(); err != nil {
		return nil, err
	}
	return p.blocks, nil
}

// limitReader is io.LimitReader that remembers whether the limit was hit, so
// the size error can be told apart from the XML error the decoder reports
// when its input is cut short.
type limitReader struct {
	r        io.Reader
	n        int64
	exceeded bool
}

func (l *limitReader) Read(b []byte) (int, error) {
	if l.n <= 0 {
		// Probe one byte: a document of exactly the limit is fine.
		var one [1]byte
		if n, _ := l.r.Read(one[:]); n > 0 {
			l.exceeded = true
			return 0, ErrTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(b)) > l.n {
		b = b[:l.n]
	}
	n, err := l.r.Read(b)
	l.n -= int64(n)
	return n, err
}

// mainPartName finds the main document through the package relationships,
// as the OPC spec requires; some converters do not use word/document.xml.
func mainPartName(zr *zip.Reader) string {
	f := findEntry(zr, "_rels/.rels")
	if f == nil {
		return defaultMainPart
	}
	rc, err := f.Open()
	if err != nil {
		return defaultMainPart
	}
	defer rc.Close()
	var rels struct {
		Rel []struct {
			Type   string `xml:"Type,attr"`
			Target string `xml:"Target,attr"`
			Mode   string `xml:"TargetMode,attr"`
		} `xml:"Relationship"`
	}
	if err := xml.NewDecoder(io.LimitReader(rc, maxRelsSize)).Decode(&rels); err != nil {
		return defaultMainPart
	}
	for _, rel := range rels.Rel {
		if !strings.HasSuffix(rel.Type, "/officeDocument") || strings.EqualFold(rel.Mode, "External") {
			continue
		}
		target := path.Clean(strings.TrimPrefix(rel.Target, "/"))
		if target == "." || target == ".." || strings.HasPrefix(target, "../") {
			continue
		}
		return target
	}
	return defaultMainPart
}

// findEntry looks a part up the way OPC names work: case-insensitively, and
// tolerating the backslashes and leading slashes some Windows tools write.
func findEntry(zr *zip.Reader, name string) *zip.File {
	for _, f := range zr.File {
		if f.Name == name {
			return f
		}
	}
	for _, f := range zr.File {
		n := strings.TrimPrefix(strings.ReplaceAll(f.Name, `\`, "/"), "/")
		if strings.EqualFold(n, name) {
			return f
		}
	}
	return nil
}

const (
	nsW       = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	nsWStrict = "http://purl.oclc.org/ooxml/wordprocessingml/main"
	nsMath    = "http://schemas.openxmlformats.org/officeDocument/2006/math"
	nsMC      = "http://schemas.openxmlformats.org/markup-compatibility/2006"
)

// isW reports whether n is the WordprocessingML element local. Strict OOXML
// uses another namespace URI, and sloppy generators leave the "w" prefix
// undeclared (the decoder then keeps the prefix as the space).
func isW(n xml.Name, local string) bool {
	return n.Local == local && (n.Space == nsW || n.Space == nsWStrict || n.Space == "w")
}

func isMath(n xml.Name, local string) bool {
	return n.Local == local && (n.Space == nsMath || n.Space == "m")
}

func isWordSpace(space string) bool {
	return space == nsW || space == nsWStrict || space == "w" || space == ""
}

// attr returns the w:val-style attribute local of e.
func attr(e xml.StartElement, local string) (string, bool) {
	for _, a := range e.Attr {
		if a.Name.Local == local && isWordSpace(a.Name.Space) {
			return a.Value, true
		}
	}
	return "", false
}

// skipped lists elements whose content is never document text: properties,
// deleted text, field instructions, drawings (whose text boxes are outside
// the scope, and whose VML fallbacks would duplicate them), the ruby
// annotation above the base text, and mc:Choice, since a consumer that
// understands none of the optional namespaces must take mc:Fallback.
var skipped = map[string]bool{
	"pPr": true, "rPr": true, "sectPr": true, "tblPr": true, "tblPrEx": true,
	"sdtPr": true, "sdtEndPr": true, "del": true, "moveFrom": true,
	"delText": true, "delInstrText": true, "instrText": true, "fldData": true,
	"drawing": true, "pict": true, "object": true, "rt": true,
}

func isSkipped(n xml.Name) bool {
	if n.Space == nsMC || n.Space == "mc" {
		return n.Local == "Choice"
	}
	return skipped[n.Local] && isW(n, n.Local)
}

type parser struct {
	d      *xml.Decoder
	lr     *limitReader
	part   string
	depth  int
	tables int // current table nesting
	items  int
	blocks []Block
	line   int
}

// next returns the next token, enforcing the depth cap and rejecting DTDs.
func (p *parser) next() (xml.Token, error) {
	tok, err := p.d.Token()
	if err != nil {
		if p.lr.exceeded {
			return nil, fmt.Errorf("%w：文档内容超过 %s 上限", ErrTooLarge, formatSize(MaxDocumentSize))
		}
		if err == io.EOF {
			return nil, fmt.Errorf("%w：%s 内容不完整", ErrNotDocx, p.part)
		}
		return nil, fmt.Errorf("%w：%s 解析失败（%w）", ErrNotDocx, p.part, err)
	}
	switch tok.(type) {
	case xml.StartElement:
		p.depth++
		if p.depth > maxDepth {
			return nil, fmt.Errorf("%w：XML 元素嵌套超过 %d 层", ErrTooLarge, maxDepth)
		}
	case xml.EndElement:
		p.depth--
	case xml.Directive:
		// Word never writes a DTD; one here is at best noise and at worst an
		// entity-expansion attack, so refuse instead of reasoning about it.
		return nil, fmt.Errorf("%w：%s 含有 DTD 声明（<!DOCTYPE> 等），拒绝处理", ErrNotDocx, p.part)
	}
	return tok, nil
}

// skip consumes the rest of the element whose start was just read.
func (p *parser) skip() error {
	for level := 1; level > 0; {
		tok, err := p.next()
		if err != nil {
			return err
		}
		switch tok.(type) {
		case xml.StartElement:
			level++
		case xml.EndElement:
			level--
		}
	}
	return nil
}

func (p *parser) spend(n int) error {
	p.items += n
	if p.items > maxItems {
		return fmt.Errorf("%w：段落和表格单元格超过 %d 个", ErrTooLarge, maxItems)
	}
	return nil
}

func formatSize(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10) + " MiB"
	}
	return strconv.FormatInt(n, 10) + " 字节"
}

func (p *parser) document() error {
	for {
		tok, err := p.next()
		if err != nil {
			return err
		}
		if t, ok := tok.(xml.StartElement); ok {
			if !isW(t.Name, "document") {
				return fmt.Errorf("%w：%s 的根元素不是 w:document", ErrNotDocx, p.part)
			}
			return p.blockLevel(sink{para: p.bodyPara, table: p.bodyTable})
		}
	}
}

func (p *parser) bodyPara(s string) {
	p.line++
	p.blocks = append(p.blocks, Block{Line: p.line, Text: s})
}

func (p *parser) bodyTable(rows [][]string) {
	p.blocks = append(p.blocks, Block{Line: p.line + 1, Table: rows})
	p.line += len(rows)
}

// sink receives block-level content: the body turns it into Blocks, a table
// cell into its text.
type sink struct {
	para  func(string)
	table func([][]string)
}

// blockLevel reads the children of a block container (body, sdtContent,
// customXml, ...) up to its end tag.
func (p *parser) blockLevel(s sink) error {
	for {
		tok, err := p.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := p.blockElement(t, s); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

func (p *parser) blockElement(t xml.StartElement, s sink) error {
	switch {
	case isW(t.Name, "p"):
		var sb strings.Builder
		if err := p.inline(&sb); err != nil {
			return err
		}
		if err := p.spend(1); err != nil {
			return err
		}
		s.para(sb.String())
	case isW(t.Name, "tbl"):
		rows, err := p.table()
		if err != nil {
			return err
		}
		if rows != nil {
			s.table(rows)
		}
	case isSkipped(t.Name):
		return p.skip()
	default:
		// Unknown elements are treated as transparent wrappers: content
		// controls, custom XML, mc:Fallback and future wrappers keep their
		// text this way, and stray text outside a paragraph is ignored.
		return p.blockLevel(s)
	}
	return nil
}

// inline reads the content of a paragraph (or of a wrapper inside one) up to
// its end tag, appending its text to sb.
func (p *parser) inline(sb *strings.Builder) error {
	for {
		tok, err := p.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := t.Name
			switch {
			case isW(n, "t") || isMath(n, "t"):
				err = p.text(sb)
			case isW(n, "tab") || isW(n, "ptab"):
				sb.WriteByte('\t')
				err = p.skip()
			case isW(n, "br") || isW(n, "cr"):
				sb.WriteByte('\n')
				err = p.skip()
			case isW(n, "noBreakHyphen"):
				sb.WriteByte('-')
				err = p.skip()
			case isSkipped(n):
				err = p.skip()
			default:
				// Runs, w:ins, w:hyperlink, w:smartTag, w:fldSimple, w:sdt,
				// w:customXml, math zones and other wrappers.
				err = p.inline(sb)
			}
			if err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

// text reads the character data of a w:t.
func (p *parser) text(sb *strings.Builder) error {
	for {
		tok, err := p.next()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.CharData:
			sb.Write(t)
		case xml.StartElement:
			if err := p.skip(); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

type tableState struct {
	gridCols int
	rows     [][]string
}

// table reads a w:tbl and returns its rows padded to a common width, or nil
// for a table without any cell.
func (p *parser) table() ([][]string, error) {
	p.tables++
	defer func() { p.tables-- }()
	if p.tables > maxTableNesting {
		return nil, fmt.Errorf("%w：表格嵌套超过 %d 层", ErrTooLarge, maxTableNesting)
	}
	var t tableState
	if err := p.tableLevel(&t); err != nil {
		return nil, err
	}
	width := min(t.gridCols, maxColumns)
	for _, r := range t.rows {
		width = max(width, len(r))
	}
	if width == 0 {
		return nil, nil
	}
	for i, r := range t.rows {
		if len(r) < width {
			if err := p.spend(width - len(r)); err != nil {
				return nil, err
			}
			t.rows[i] = append(r, make([]string, width-len(r))...)
		}
	}
	return t.rows, nil
}

// tableLevel reads the children of a table or of a row-level wrapper (w:sdt,
// w:customXml around rows).
func (p *parser) tableLevel(t *tableState) error {
	for {
		tok, err := p.next()
		if err != nil {
			return err
		}
		switch e := tok.(type) {
		case xml.StartElement:
			switch {
			case isW(e.Name, "tblGrid"):
				err = p.grid(t)
			case isW(e.Name, "tr"):
				var row []string
				var deleted bool
				row, deleted, err = p.row()
				if err == nil && !deleted {
					err = p.spend(1)
					t.rows = append(t.rows, row)
				}
			case isSkipped(e.Name):
				err = p.skip()
			default:
				err = p.tableLevel(t)
			}
			if err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

// grid counts the w:gridCol children of a w:tblGrid; anything else there
// (w:tblGridChange holds the grid before a tracked change) is skipped.
func (p *parser) grid(t *tableState) error {
	for {
		tok, err := p.next()
		if err != nil {
			return err
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if isW(e.Name, "gridCol") {
				t.gridCols++
			}
			if err := p.skip(); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

type rowState struct {
	cells         []string
	before, after int
	deleted       bool
}

// row reads a w:tr. deleted reports a row removed with tracked changes.
func (p *parser) row() (cells []string, deleted bool, err error) {
	var r rowState
	if err := p.rowLevel(&r); err != nil {
		return nil, false, err
	}
	if r.deleted {
		return nil, true, nil
	}
	if r.before+len(r.cells)+r.after > maxColumns {
		return nil, false, fmt.Errorf("%w：表格一行超过 %d 列", ErrTooLarge, maxColumns)
	}
	if r.before+r.after > 0 {
		if err := p.spend(r.before + r.after); err != nil {
			return nil, false, err
		}
		cells = make([]string, r.before, r.before+len(r.cells)+r.after)
		cells = append(cells, r.cells...)
		cells = append(cells, make([]string, r.after)...)
		return cells, false, nil
	}
	return r.cells, false, nil
}

func (p *parser) rowLevel(r *rowState) error {
	for {
		tok, err := p.next()
		if err != nil {
			return err
		}
		switch e := tok.(type) {
		case xml.StartElement:
			switch {
			case isW(e.Name, "trPr"):
				err = p.rowProps(r)
			case isW(e.Name, "tc"):
				err = p.cell(r)
			case isSkipped(e.Name):
				err = p.skip()
			default:
				err = p.rowLevel(r)
			}
			if err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

// gridCount parses a count attribute; absent or invalid values mean def.
// Values are clamped so that arithmetic on them cannot overflow; the column
// cap rejects the row later anyway.
func gridCount(e xml.StartElement, def int) int {
	v, ok := attr(e, "val")
	if !ok {
		return def
	}
	v = strings.TrimSpace(v)
	n, err := strconv.Atoi(v)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(v, "-") {
			return maxColumns + 1
		}
		return def
	}
	if n < 0 {
		return def
	}
	return min(n, maxColumns+1)
}

// rowProps reads the direct children of w:trPr; w:trPrChange (the properties
// before a tracked change) is skipped with everything else.
func (p *parser) rowProps(r *rowState) error {
	for {
		tok, err := p.next()
		if err != nil {
			return err
		}
		switch e := tok.(type) {
		case xml.StartElement:
			switch {
			case isW(e.Name, "gridBefore"):
				r.before = gridCount(e, 0)
			case isW(e.Name, "gridAfter"):
				r.after = gridCount(e, 0)
			case isW(e.Name, "del"):
				r.deleted = true
			}
			if err := p.skip(); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

// cell reads a w:tc and appends it to r, with "" for the further grid
// columns a w:gridSpan covers and for vertically merged continuation cells.
func (p *parser) cell(r *rowState) error {
	span := 1
	merged := false
	var parts []string
	s := sink{
		para:  func(t string) { parts = append(parts, t) },
		table: func(rows [][]string) { parts = append(parts, flatten(rows)) },
	}
	for done := false; !done; {
		tok, err := p.next()
		if err != nil {
			return err
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if isW(e.Name, "tcPr") {
				err = p.cellProps(&span, &merged)
			} else {
				err = p.blockElement(e, s)
			}
			if err != nil {
				return err
			}
		case xml.EndElement:
			done = true
		}
	}
	if len(r.cells)+span > maxColumns {
		return fmt.Errorf("%w：表格一行超过 %d 列", ErrTooLarge, maxColumns)
	}
	if err := p.spend(span); err != nil {
		return err
	}
	text := ""
	if !merged {
		text = strings.Join(parts, "\n")
	}
	r.cells = append(r.cells, text)
	for i := 1; i < span; i++ {
		r.cells = append(r.cells, "")
	}
	return nil
}

// cellProps reads the direct children of w:tcPr. A w:vMerge or the legacy
// w:hMerge without val="restart" marks a continuation cell, whose text
// belongs to the cell where the merge starts.
func (p *parser) cellProps(span *int, merged *bool) error {
	for {
		tok, err := p.next()
		if err != nil {
			return err
		}
		switch e := tok.(type) {
		case xml.StartElement:
			switch {
			case isW(e.Name, "gridSpan"):
				*span = max(gridCount(e, 1), 1)
			case isW(e.Name, "vMerge") || isW(e.Name, "hMerge"):
				v, _ := attr(e, "val")
				if v != "restart" {
					*merged = true
				}
			}
			if err := p.skip(); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

// flatten renders a nested table as the text of the cell holding it: one
// line per row, cells separated by tabs. Line breaks inside a nested cell
// become spaces so that the rows stay recognisable.
func flatten(rows [][]string) string {
	lines := make([]string, len(rows))
	for i, r := range rows {
		cells := make([]string, len(r))
		for j, c := range r {
			cells[j] = strings.ReplaceAll(c, "\n", " ")
		}
		lines[i] = strings.Join(cells, "\t")
	}
	return strings.Join(lines, "\n")
}
