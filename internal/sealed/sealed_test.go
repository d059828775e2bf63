package sealed

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testBox(t *testing.T, hexKey string) *Box {
	t.Helper()
	key, err := ParseKey(hexKey)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const keyA = "00112233445566778899aabbccddeeff"

func TestSealOpen(t *testing.T) {
	b := testBox(t, keyA)
	for _, plain := range []string{"13812341234", "张三", "欧阳娜娜 +86 139-0000-1111", strings.Repeat("长", 500)} {
		s1, s2 := b.Seal("comment.phone", plain), b.Seal("comment.phone", plain)
		if s1 == s2 {
			t.Errorf("%q sealed twice gave the same text: the nonce is not random", plain)
		}
		if strings.Contains(s1, plain) || !IsSealed(s1) {
			t.Errorf("sealed %q = %q", plain, s1)
		}
		for _, s := range []string{s1, s2} {
			got, err := b.Open("comment.phone", s)
			if err != nil || got != plain {
				t.Errorf("Open(Seal(%q)) = %q, %v", plain, got, err)
			}
		}
	}
	if IsSealed("JBSWY3DPEHPK3PXP") || IsSealed("") {
		t.Error("clear text taken for sealed")
	}
	if b.Seal("x", "") != "" {
		t.Error("empty value should stay empty")
	}
	if got, err := b.Open("x", ""); got != "" || err != nil {
		t.Errorf("Open(\"\") = %q, %v", got, err)
	}
}

// A value must not open under another key, another purpose, or after any
// change to its text.
func TestOpenRefuses(t *testing.T) {
	a := testBox(t, keyA)
	other := testBox(t, "ffeeddccbbaa99887766554433221100")
	s := a.Seal("comment.phone", "13812341234")
	raw := []byte(s)
	flipped := append([]byte{}, raw...)
	i := len(flipped) - 5
	if flipped[i] == 'A' {
		flipped[i] = 'B'
	} else {
		flipped[i] = 'A'
	}
	cases := []struct {
		name    string
		box     *Box
		purpose string
		text    string
	}{
		{"other key", other, "comment.phone", s},
		{"other purpose", a, "vote.phone", s},
		{"altered", a, "comment.phone", string(flipped)},
		{"truncated", a, "comment.phone", s[:10]},
		{"no prefix", a, "comment.phone", strings.TrimPrefix(s, "s1.")},
		{"not base64", a, "comment.phone", "s1.!!!!"},
	}
	for _, c := range cases {
		if got, err := c.box.Open(c.purpose, c.text); err != ErrOpen {
			t.Errorf("%s: Open = %q, %v; want ErrOpen", c.name, got, err)
		}
	}
}

func TestIndex(t *testing.T) {
	a, other := testBox(t, keyA), testBox(t, "ffeeddccbbaa99887766554433221100")
	x := a.Index("phone", "13812341234")
	if x != a.Index("phone", "13812341234") {
		t.Error("index not stable")
	}
	if x == a.Index("phone", "13812341235") || x == a.Index("code", "13812341234") || x == other.Index("phone", "13812341234") {
		t.Error("index does not separate values, purposes or keys")
	}
	if len(x) != 64 || strings.Contains(x, "1381234") {
		t.Errorf("index = %q", x)
	}
}

func TestKeys(t *testing.T) {
	dir := t.TempDir()
	hexFile := filepath.Join(dir, "hex.key")
	os.WriteFile(hexFile, []byte(keyA+"\n"), 0o600)
	rawFile := filepath.Join(dir, "raw.key")
	raw := NewKey()
	os.WriteFile(rawFile, raw, 0o600)
	badFile := filepath.Join(dir, "bad.key")
	os.WriteFile(badFile, []byte("not a key"), 0o600)

	if k, err := LoadKey(hexFile); err != nil || len(k) != KeySize || k[0] != 0x00 || k[15] != 0xff {
		t.Errorf("hex key file: %x, %v", k, err)
	}
	if k, err := LoadKey(rawFile); err != nil || string(k) != string(raw) {
		t.Errorf("raw key file: %x, %v", k, err)
	}
	for _, p := range []string{badFile, filepath.Join(dir, "missing.key")} {
		if _, err := LoadKey(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("LoadKey(%s) error %v should name the file", p, err)
		}
	}
	for _, bad := range []string{"", "0011", keyA + "00", "zz112233445566778899aabbccddeeff"} {
		if _, err := ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) accepted", bad)
		}
	}
	if _, err := New(make([]byte, 32)); err == nil {
		t.Error("New accepted a 32-byte key")
	}
	if string(NewKey()) == string(NewKey()) {
		t.Error("NewKey repeats")
	}
}

func TestMask(t *testing.T) {
	for _, c := range []struct{ in, phone, name string }{
		{"13812341234", "138****1234", "13*********"},
		{"", "", ""},
		{"12345", "****5", "12***"},
		{"张", "*", "张"},
		{"张三", "*三", "张*"},
		{"欧阳娜娜", "***娜", "欧阳**"},
	} {
		if got := MaskPhone(c.in); got != c.phone {
			t.Errorf("MaskPhone(%q) = %q, want %q", c.in, got, c.phone)
		}
		if got := MaskName(c.in); got != c.name {
			t.Errorf("MaskName(%q) = %q, want %q", c.in, got, c.name)
		}
	}
}
