package docimport

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
)

// Encodings a text input may be detected as, named as the schema names them.
const (
	EncUTF8    = "utf-8"
	EncGB18030 = "gb18030"
	EncUTF16   = "utf-16"
)

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// decodeText detects the encoding of a plain-text plan and returns its text.
// Government sites serve UTF-8, GBK/GB18030 and, from Windows tools,
// UTF-16; nobody tells us which, so we look: BOM first, then valid UTF-8,
// then UTF-16 by its zero bytes, and GB18030 last because almost any byte
// string decodes as GB18030 — it must also read as sensible text.
func decodeText(raw []byte) (text, enc string, err error) {
	switch {
	case bytes.HasPrefix(raw, bomUTF8):
		raw = raw[len(bomUTF8):]
		if !utf8.Valid(raw) {
			return "", "", errorAt(0, "文件以 UTF-8 标记开头，但内容不是有效的 UTF-8")
		}
		return checkText(string(raw), EncUTF8)
	case bytes.HasPrefix(raw, bomUTF16LE), bytes.HasPrefix(raw, bomUTF16BE):
		return decodeWith(raw, xunicode.UTF16(xunicode.BigEndian, xunicode.ExpectBOM), EncUTF16)
	case utf8.Valid(raw):
		return checkText(string(raw), EncUTF8)
	}
	if order, ok := looksUTF16(raw); ok {
		return decodeWith(raw, xunicode.UTF16(order, xunicode.IgnoreBOM), EncUTF16)
	}
	return decodeWith(raw, simplifiedchinese.GB18030, EncGB18030)
}

func decodeWith(raw []byte, e encoding.Encoding, name string) (string, string, error) {
	out, err := e.NewDecoder().Bytes(raw)
	if err != nil {
		return "", "", errorAt(0, "无法按 %s 解码：%v", name, err)
	}
	return checkText(string(out), name)
}

// looksUTF16 guesses UTF-16 without a BOM: Chinese text in UTF-16 has few
// zero bytes, but ASCII line breaks and digits put a zero in every other
// byte, always on the same side.
func looksUTF16(raw []byte) (xunicode.Endianness, bool) {
	if len(raw) < 4 || len(raw)%2 != 0 {
		return xunicode.LittleEndian, false
	}
	var even, odd int
	for i := 0; i+1 < len(raw); i += 2 {
		if raw[i] == 0 {
			even++
		}
		if raw[i+1] == 0 {
			odd++
		}
	}
	// GB18030 and UTF-8 text never contain zero bytes; UTF-16 has them on
	// one side, from line breaks and digits.
	switch {
	case odd > 0 && even*4 < odd && odd*100 >= len(raw)/2:
		return xunicode.LittleEndian, true
	case even > 0 && odd*4 < even && even*100 >= len(raw)/2:
		return xunicode.BigEndian, true
	}
	return xunicode.LittleEndian, false
}

// checkText refuses decoded text that is not prose: binary files decode
// "successfully" as GB18030 or UTF-16 into control characters and
// replacement runes.
func checkText(s, enc string) (string, string, error) {
	if asciiClean(s) {
		return s, enc, nil
	}
	var bad, total int
	line := 1
	for _, r := range s {
		total++
		if r == '\n' {
			line++
		}
		if r == utf8.RuneError || r == 0 || (unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' && r != '\f') {
			bad++
			if bad > 8 && bad*100 > total {
				return "", "", errorAt(line, "内容不是可识别的文本（疑似二进制文件或编码错误，按 %s 解码）", enc)
			}
		}
	}
	if bad*100 > total {
		return "", "", errorAt(line, "内容不是可识别的文本（疑似二进制文件或编码错误，按 %s 解码）", enc)
	}
	return s, enc, nil
}

// asciiClean is checkText's fast path: no control bytes and no
// replacement character, checked byte by byte. (C1 controls, U+0080–U+009F,
// are two bytes starting C2 8x/9x: they send the text to the slow path.)
func asciiClean(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' || c == 0x7F || c == 0xC2 && i+1 < len(s) && s[i+1] < 0xA0 {
			return false
		}
	}
	return !strings.Contains(s, "\uFFFD")
}

// DecodeText detects the encoding of a Chinese text file — a plan, or a
// CSV that Excel saved as UTF-8 or, on Chinese Windows, as GB18030 — and
// returns its text and the encoding's name (EncUTF8 …). Errors are
// *InputError.
func DecodeText(raw []byte) (text, enc string, err error) { return decodeText(raw) }
