package docx

import (
	"archive/zip"
	"bufio"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
)

// Page geometry of GB/T 9704 (Chinese official documents) on A4, in twips:
// margins of 37/35/28/26 mm leave a 156 mm wide text block.
const (
	textWidth = 8844
	sectPr    = `<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>` +
		`<w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1588" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr>`
)

const xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"

const contentTypes = xmlHeader +
	`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
	`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
	`<Default Extension="xml" ContentType="application/xml"/>` +
	`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
	`<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>` +
	`</Types>`

const rootRels = xmlHeader +
	`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
	`</Relationships>`

const documentRels = xmlHeader +
	`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
	`</Relationships>`

// The fonts live in the document defaults rather than on every run: 仿宋
// 三号 (16 pt) is the body text of official documents; Latin text and digits
// in Times New Roman.
const styles = xmlHeader +
	`<w:styles xmlns:w="` + nsW + `">` +
	`<w:docDefaults><w:rPrDefault><w:rPr>` +
	`<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="仿宋" w:cs="Times New Roman"/>` +
	`<w:sz w:val="32"/><w:szCs w:val="32"/><w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>` +
	`</w:rPr></w:rPrDefault><w:pPrDefault/></w:docDefaults>` +
	`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>` +
	`<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>` +
	`<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>` +
	`<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>` +
	`</w:styles>`

const tableProps = `<w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblBorders>` +
	`<w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/>` +
	`<w:left w:val="single" w:sz="4" w:space="0" w:color="000000"/>` +
	`<w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/>` +
	`<w:right w:val="single" w:sz="4" w:space="0" w:color="000000"/>` +
	`<w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/>` +
	`<w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/>` +
	`</w:tblBorders></w:tblPr>`

// Write writes blocks as a minimal .docx: paragraphs, and tables with single
// borders whose columns share the text width. Block.Line is ignored. In a
// paragraph "\n" becomes a line break; in a cell it starts a new paragraph,
// which is how Read joins a cell's paragraphs. "\t" becomes a tab. Tables
// without rows are left out, and short rows are padded with empty cells,
// because Word requires a rectangular grid with at least one cell per row.
// Two tables in a row are written as they are, so that Read gives back what
// was written, but Word and LibreOffice join them into one table when they
// open the file: put a paragraph between them.
func Write(w io.Writer, blocks []Block) error {
	zw := zip.NewWriter(w)
	for _, part := range []struct{ name, body string }{
		{"[Content_Types].xml", contentTypes},
		{"_rels/.rels", rootRels},
		{"word/_rels/document.xml.rels", documentRels},
		{"word/styles.xml", styles},
	} {
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
	// bufio.Writer keeps the first write error, so only Flush is checked.
	bw := bufio.NewWriter(f)
	bw.WriteString(xmlHeader)
	bw.WriteString(`<w:document xmlns:w="` + nsW + `"><w:body>`)
	for _, b := range blocks {
		if b.Table != nil {
			writeTable(bw, b.Table)
		} else {
			writeParagraph(bw, b.Text)
		}
	}
	bw.WriteString(sectPr + `</w:body></w:document>`)
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

func writeParagraph(bw *bufio.Writer, text string) {
	if text == "" {
		bw.WriteString("<w:p/>")
		return
	}
	bw.WriteString("<w:p><w:r>")
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			bw.WriteString("<w:br/>")
		}
		for j, seg := range strings.Split(line, "\t") {
			if j > 0 {
				bw.WriteString("<w:tab/>")
			}
			if seg != "" {
				bw.WriteString(`<w:t xml:space="preserve">`)
				// EscapeText also replaces characters XML cannot carry, so
				// the output stays well-formed for any input string; "\r"
				// becomes a character reference and survives a round trip.
				xml.EscapeText(bw, []byte(seg))
				bw.WriteString("</w:t>")
			}
		}
	}
	bw.WriteString("</w:r></w:p>")
}

func writeTable(bw *bufio.Writer, rows [][]string) {
	if len(rows) == 0 {
		return
	}
	cols := 1
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	width := strconv.Itoa(max(textWidth/cols, 1))
	bw.WriteString("<w:tbl>" + tableProps + "<w:tblGrid>")
	for range cols {
		bw.WriteString(`<w:gridCol w:w="` + width + `"/>`)
	}
	bw.WriteString("</w:tblGrid>")
	for _, r := range rows {
		bw.WriteString("<w:tr>")
		for i := range cols {
			bw.WriteString(`<w:tc><w:tcPr><w:tcW w:w="` + width + `" w:type="dxa"/></w:tcPr>`)
			text := ""
			if i < len(r) {
				text = r[i]
			}
			// A cell must end with a paragraph, hence one even when empty.
			for _, para := range strings.Split(text, "\n") {
				writeParagraph(bw, para)
			}
			bw.WriteString("</w:tc>")
		}
		bw.WriteString("</w:tr>")
	}
	bw.WriteString("</w:tbl>")
}
