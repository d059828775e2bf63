package documents

import (
	"archive/zip"
	"bufio"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
)

// A small WordprocessingML writer for official documents laid out after
// GB/T 9704-2012 (党政机关公文格式): A4, margins 37 mm top, 35 mm bottom,
// 28 mm left, 26 mm right (a 156 × 225 mm text block), 22 lines of 28
// characters of 3号 (16 pt) 仿宋 per page, title in 2号 (22 pt) 小标宋,
// page numbers in 4号 宋体 as "— 1 —". internal/docx.Write writes plain
// blocks for the importer's round trips; letters and bulletins need runs
// with fonts, sizes and colours, alignment, indents, borders and tables
// with set widths, which this file adds without growing that one.

// Fonts of official documents. Each is declared in the font table with
// the common Windows and Linux fonts it may be replaced by.
const (
	fontTitle = "方正小标宋简体"
	fontBody  = "仿宋_GB2312"
	fontHei   = "黑体"
	fontKai   = "楷体_GB2312"
	fontSong  = "宋体"
	fontLatin = "Times New Roman"
)

var fontAlternatives = map[string]string{
	fontTitle: "方正小标宋_GBK;华文中宋;宋体;SimSun;Noto Serif CJK SC",
	fontBody:  "仿宋;FangSong;STFangsong;Noto Serif CJK SC",
	fontHei:   "SimHei;Noto Sans CJK SC",
	fontKai:   "楷体;KaiTi;STKaiti;Noto Serif CJK SC",
	fontSong:  "SimSun;Noto Serif CJK SC",
}

// Sizes in half-points: 初号 42 pt … 五号 10.5 pt.
const (
	sizeXiaoChu = 72 // 小初 36 pt
	size1       = 52 // 一号 26 pt
	size2       = 44 // 二号 22 pt
	size3       = 32 // 三号 16 pt
	size4       = 28 // 四号 14 pt
	size5       = 21 // 五号 10.5 pt
	sizeXiao4   = 24 // 小四 12 pt
)

// Geometry in twips. Body paragraphs take an exact line height of the
// page's 22-line pitch rather than a document grid, which LibreOffice
// would also snap table rows and titles to.
//
// Geometry in twips (1/1440 inch; 1 mm = 56.7 twips).
const (
	pageW, pageH          = 11906, 16838 // A4
	marginTop, marginBot  = 2098, 1984   // 37 mm, 35 mm
	marginLeft, marginRgt = 1588, 1474   // 28 mm, 26 mm
	blockWidth            = pageW - marginLeft - marginRgt
	linePitch             = 579 // 225 mm / 22 lines
	charWidth             = 320 // one 3号 character
	red                   = "FF0000"
)

// run is text in one font, size and colour.
type run struct {
	text  string
	font  string // East Asian font; "" the body font
	size  int    // half-points; 0 the body size
	bold  bool
	color string
}

// para is a paragraph.
type para struct {
	runs      []run
	align     string // left, center, right, both
	firstLine int    // first-line indent in twips
	left      int    // left indent
	right     int    // right indent
	exact     int    // exact line height in twips; 0: the body pitch; -1: single
	before    int    // space before in twips
	after     int
	keepNext  bool
	pageBreak bool   // start on a new page
	border    string // bottom border: "red2" (the red separator), "line" (a thin black rule), "top+bottom"
	tabRight  bool   // a right-aligned tab stop at the right edge ("\t" in a run)
}

// cell is a table cell; span > 1 merges it over columns.
type cell struct {
	text  string
	align string
	bold  bool
	span  int
	shade string
}

// table is a table with fixed column widths (twips) and a header row
// repeated on every page.
type table struct {
	widths []int
	header []cell
	rows   [][]cell
	size   int // text size in half-points
}

// block is a paragraph or a table.
type block struct {
	p *para
	t *table
}

func p(runs ...run) block { return block{p: &para{runs: runs}} }

func (b block) with(f func(*para)) block {
	f(b.p)
	return b
}

// body is a 3号仿宋 text paragraph with the two-character indent.
func bodyPara(text string) block {
	return block{p: &para{runs: []run{{text: text}}, align: "both", firstLine: 2 * charWidth}}
}

// docxDoc is a whole document.
type docxDoc struct {
	blocks []block
	// pageNumbers puts "— N —" at the foot of every page.
	pageNumbers bool
}

func writeDocx(w io.Writer, d docxDoc) error {
	zw := zip.NewWriter(w)
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", wmlContentTypes},
		{"_rels/.rels", wmlRootRels},
		{"word/_rels/document.xml.rels", wmlDocRels},
		{"word/styles.xml", wmlStyles},
		{"word/fontTable.xml", fontTable()},
		{"word/settings.xml", wmlSettings},
		{"word/footer1.xml", wmlFooter},
		{"docProps/core.xml", wmlCore},
	}
	for _, part := range parts {
		f, err := zw.Create(part.name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(f, part.body); err != nil {
			return err
		}
	}
	f, err := zw.Create("word/document.xml")
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	bw.WriteString(xmlHead + `<w:document xmlns:w="` + nsW + `" xmlns:r="` + nsR + `"><w:body>`)
	for _, b := range d.blocks {
		if b.t != nil {
			writeWTable(bw, b.t)
		} else {
			writeWPara(bw, b.p)
		}
	}
	bw.WriteString(`<w:sectPr>`)
	if d.pageNumbers {
		bw.WriteString(`<w:footerReference w:type="default" r:id="rIdFooter"/>`)
	}
	bw.WriteString(`<w:pgSz w:w="` + itoa(pageW) + `" w:h="` + itoa(pageH) + `"/>` +
		`<w:pgMar w:top="` + itoa(marginTop) + `" w:right="` + itoa(marginRgt) + `" w:bottom="` + itoa(marginBot) + `" w:left="` + itoa(marginLeft) +
		`" w:header="851" w:footer="1134" w:gutter="0"/></w:sectPr></w:body></w:document>`)
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

func itoa(n int) string { return strconv.Itoa(n) }

func writeRun(bw *bufio.Writer, r run) {
	font := r.font
	if font == "" {
		font = fontBody
	}
	size := r.size
	if size == 0 {
		size = size3
	}
	bw.WriteString(`<w:r><w:rPr><w:rFonts w:ascii="` + fontLatin + `" w:hAnsi="` + fontLatin + `" w:eastAsia="` + font + `" w:cs="` + fontLatin + `"/>`)
	if r.bold {
		bw.WriteString(`<w:b/><w:bCs/>`)
	}
	if r.color != "" {
		bw.WriteString(`<w:color w:val="` + r.color + `"/>`)
	}
	bw.WriteString(`<w:sz w:val="` + itoa(size) + `"/><w:szCs w:val="` + itoa(size) + `"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr>`)
	for i, line := range strings.Split(r.text, "\n") {
		if i > 0 {
			bw.WriteString(`<w:br/>`)
		}
		for j, seg := range strings.Split(line, "\t") {
			if j > 0 {
				bw.WriteString(`<w:tab/>`)
			}
			if seg != "" {
				bw.WriteString(`<w:t xml:space="preserve">`)
				xml.EscapeText(bw, []byte(seg))
				bw.WriteString(`</w:t>`)
			}
		}
	}
	bw.WriteString(`</w:r>`)
}

func writeWPara(bw *bufio.Writer, p *para) {
	bw.WriteString(`<w:p><w:pPr>`)
	if p.keepNext {
		bw.WriteString(`<w:keepNext/>`)
	}
	if p.pageBreak {
		bw.WriteString(`<w:pageBreakBefore/>`)
	}
	switch p.border {
	case "red2":
		bw.WriteString(`<w:pBdr><w:bottom w:val="thickThinSmallGap" w:sz="24" w:space="1" w:color="` + red + `"/></w:pBdr>`)
	case "line":
		bw.WriteString(`<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="000000"/></w:pBdr>`)
	case "top+bottom":
		bw.WriteString(`<w:pBdr><w:top w:val="single" w:sz="6" w:space="1" w:color="000000"/><w:bottom w:val="single" w:sz="6" w:space="1" w:color="000000"/></w:pBdr>`)
	}
	if p.tabRight {
		bw.WriteString(`<w:tabs><w:tab w:val="right" w:pos="` + itoa(blockWidth) + `"/></w:tabs>`)
	}
	switch {
	case p.exact > 0:
		bw.WriteString(`<w:spacing w:before="` + itoa(p.before) + `" w:after="` + itoa(p.after) + `" w:line="` + itoa(p.exact) + `" w:lineRule="exact"/>`)
	case p.exact < 0:
		bw.WriteString(`<w:spacing w:before="` + itoa(p.before) + `" w:after="` + itoa(p.after) + `" w:line="240" w:lineRule="auto"/>`)
	default:
		bw.WriteString(`<w:spacing w:before="` + itoa(p.before) + `" w:after="` + itoa(p.after) + `" w:line="` + itoa(linePitch) + `" w:lineRule="exact"/>`)
	}
	if p.firstLine != 0 || p.left != 0 || p.right != 0 {
		bw.WriteString(`<w:ind w:left="` + itoa(p.left) + `" w:right="` + itoa(p.right) + `" w:firstLine="` + itoa(p.firstLine) + `"/>`)
	}
	align := p.align
	if align == "" {
		align = "both"
	}
	bw.WriteString(`<w:jc w:val="` + align + `"/></w:pPr>`)
	for _, r := range p.runs {
		writeRun(bw, r)
	}
	bw.WriteString(`</w:p>`)
}

func writeWTable(bw *bufio.Writer, t *table) {
	size := t.size
	if size == 0 {
		size = size5
	}
	total := 0
	for _, w := range t.widths {
		total += w
	}
	bw.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="` + itoa(total) + `" w:type="dxa"/><w:jc w:val="center"/><w:tblBorders>`)
	for _, side := range []string{"top", "left", "bottom", "right", "insideH", "insideV"} {
		bw.WriteString(`<w:` + side + ` w:val="single" w:sz="4" w:space="0" w:color="000000"/>`)
	}
	bw.WriteString(`</w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid>`)
	for _, w := range t.widths {
		bw.WriteString(`<w:gridCol w:w="` + itoa(w) + `"/>`)
	}
	bw.WriteString(`</w:tblGrid>`)
	writeRow := func(cells []cell, header bool) {
		bw.WriteString(`<w:tr><w:trPr><w:cantSplit/>`)
		if header {
			bw.WriteString(`<w:tblHeader/>`)
		}
		bw.WriteString(`</w:trPr>`)
		col := 0
		for _, c := range cells {
			span := max(c.span, 1)
			w := 0
			for i := col; i < col+span && i < len(t.widths); i++ {
				w += t.widths[i]
			}
			col += span
			bw.WriteString(`<w:tc><w:tcPr><w:tcW w:w="` + itoa(w) + `" w:type="dxa"/>`)
			if span > 1 {
				bw.WriteString(`<w:gridSpan w:val="` + itoa(span) + `"/>`)
			}
			if c.shade != "" {
				bw.WriteString(`<w:shd w:val="clear" w:color="auto" w:fill="` + c.shade + `"/>`)
			}
			bw.WriteString(`<w:vAlign w:val="center"/></w:tcPr>`)
			align := c.align
			if align == "" {
				align = "left"
			}
			for _, line := range strings.Split(c.text, "\n") {
				writeWPara(bw, &para{runs: []run{{text: line, font: fontBody, size: size, bold: c.bold || header}}, align: align, exact: -1})
			}
			bw.WriteString(`</w:tc>`)
		}
		bw.WriteString(`</w:tr>`)
	}
	if t.header != nil {
		writeRow(t.header, true)
	}
	for _, r := range t.rows {
		writeRow(r, false)
	}
	bw.WriteString(`</w:tbl>`)
}

const (
	xmlHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
	nsW     = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	nsR     = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
)

const wmlContentTypes = xmlHead +
	`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
	`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
	`<Default Extension="xml" ContentType="application/xml"/>` +
	`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
	`<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>` +
	`<Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/>` +
	`<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>` +
	`<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>` +
	`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
	`</Types>`

const wmlRootRels = xmlHead +
	`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
	`</Relationships>`

const wmlDocRels = xmlHead +
	`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
	`<Relationship Id="rIdFonts" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable" Target="fontTable.xml"/>` +
	`<Relationship Id="rIdSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/>` +
	`<Relationship Id="rIdFooter" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>` +
	`</Relationships>`

const wmlStyles = xmlHead +
	`<w:styles xmlns:w="` + nsW + `"><w:docDefaults><w:rPrDefault><w:rPr>` +
	`<w:rFonts w:ascii="` + fontLatin + `" w:hAnsi="` + fontLatin + `" w:eastAsia="` + fontBody + `" w:cs="` + fontLatin + `"/>` +
	`<w:sz w:val="32"/><w:szCs w:val="32"/><w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>` +
	`</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:widowControl/><w:jc w:val="both"/></w:pPr></w:pPrDefault></w:docDefaults>` +
	`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Footer"><w:name w:val="footer"/><w:basedOn w:val="Normal"/></w:style>` +
	`<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>` +
	`<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>` +
	`<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>` +
	`</w:styles>`

const wmlSettings = xmlHead +
	`<w:settings xmlns:w="` + nsW + `"><w:defaultTabStop w:val="420"/><w:characterSpacingControl w:val="compressPunctuation"/>` +
	`<w:compat><w:spaceForUL/><w:balanceSingleByteDoubleByteWidth/><w:doNotLeaveBackslashAlone/><w:ulTrailSpace/><w:doNotExpandShiftReturn/><w:adjustLineHeightInTable/></w:compat>` +
	`</w:settings>`

// The page number: "— N —" in 4号 宋体, centred under the text block.
const wmlFooter = xmlHead +
	`<w:ftr xmlns:w="` + nsW + `"><w:p><w:pPr><w:pStyle w:val="Footer"/><w:jc w:val="center"/></w:pPr>` +
	`<w:r><w:rPr><w:rFonts w:ascii="` + fontSong + `" w:hAnsi="` + fontSong + `" w:eastAsia="` + fontSong + `"/><w:sz w:val="28"/></w:rPr><w:t xml:space="preserve">— </w:t></w:r>` +
	`<w:r><w:rPr><w:rFonts w:ascii="` + fontSong + `" w:hAnsi="` + fontSong + `" w:eastAsia="` + fontSong + `"/><w:sz w:val="28"/></w:rPr><w:fldChar w:fldCharType="begin"/></w:r>` +
	`<w:r><w:rPr><w:rFonts w:ascii="` + fontSong + `" w:hAnsi="` + fontSong + `" w:eastAsia="` + fontSong + `"/><w:sz w:val="28"/></w:rPr><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>` +
	`<w:r><w:rPr><w:rFonts w:ascii="` + fontSong + `" w:hAnsi="` + fontSong + `" w:eastAsia="` + fontSong + `"/><w:sz w:val="28"/></w:rPr><w:fldChar w:fldCharType="separate"/></w:r>` +
	`<w:r><w:rPr><w:rFonts w:ascii="` + fontSong + `" w:hAnsi="` + fontSong + `" w:eastAsia="` + fontSong + `"/><w:sz w:val="28"/></w:rPr><w:t>1</w:t></w:r>` +
	`<w:r><w:rPr><w:rFonts w:ascii="` + fontSong + `" w:hAnsi="` + fontSong + `" w:eastAsia="` + fontSong + `"/><w:sz w:val="28"/></w:rPr><w:fldChar w:fldCharType="end"/></w:r>` +
	`<w:r><w:rPr><w:rFonts w:ascii="` + fontSong + `" w:hAnsi="` + fontSong + `" w:eastAsia="` + fontSong + `"/><w:sz w:val="28"/></w:rPr><w:t xml:space="preserve"> —</w:t></w:r>` +
	`</w:p></w:ftr>`

const wmlCore = xmlHead +
	`<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">` +
	`<dc:creator>minsheng</dc:creator></cp:coreProperties>`

func fontTable() string {
	var b strings.Builder
	b.WriteString(xmlHead + `<w:fonts xmlns:w="` + nsW + `">`)
	for _, f := range []string{fontTitle, fontBody, fontHei, fontKai, fontSong} {
		family := "roman"
		if f == fontHei {
			family = "modern"
		}
		b.WriteString(`<w:font w:name="` + f + `"><w:altName w:val="` + fontAlternatives[f] + `"/><w:charset w:val="86"/><w:family w:val="` + family + `"/><w:pitch w:val="variable"/></w:font>`)
	}
	b.WriteString(`<w:font w:name="` + fontLatin + `"><w:charset w:val="00"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font></w:fonts>`)
	return b.String()
}
