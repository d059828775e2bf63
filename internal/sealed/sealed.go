// Package sealed encrypts short personal data (a resident's phone number
// or name) field by field with SM4-GCM, so that a copy of the database —
// a backup, a dump handed to a contractor — does not reveal it.
//
// The key never lives in the database: it comes from the configuration
// file or a key file (LoadKey). From the one master key two keys are
// derived with HMAC-SM3: one encrypts, the other makes blind indexes
// (Index), so that the store can find "the same phone number" (one vote
// per verified phone, the codes sent to it) without decrypting anything.
//
// A sealed value is text: "s1." + base64url(nonce ‖ ciphertext ‖ tag). The
// nonce is random (12 bytes) for every seal, so the same phone number
// sealed twice gives two different texts. Every seal names a purpose
// (e.g. "comment.phone"), bound as additional data: a value copied from
// one column into another does not open.
package sealed

import (
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/sm4"
)

// KeySize is the length of a master key in bytes.
const KeySize = 16

const prefix = "s1."

// Box seals and opens values under one master key. It is safe for
// concurrent use.
type Box struct {
	aead     cipher.AEAD
	indexKey []byte
}

// New returns a Box for a 16-byte master key.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("个人信息加密密钥应为 %d 字节（%d 个十六进制字符），实为 %d 字节", KeySize, 2*KeySize, len(key))
	}
	block, err := sm4.NewCipher(derive(key, "minsheng sealed: sm4-gcm")[:KeySize])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead, indexKey: derive(key, "minsheng sealed: blind index")}, nil
}

func derive(key []byte, label string) []byte {
	m := hmac.New(sm3.New, key)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// ParseKey reads a master key written as 32 hexadecimal characters
// (surrounding space ignored).
func ParseKey(text string) ([]byte, error) {
	text = strings.TrimSpace(text)
	key, err := hex.DecodeString(text)
	if err != nil || len(key) != KeySize {
		return nil, fmt.Errorf("个人信息加密密钥应为 %d 个十六进制字符", 2*KeySize)
	}
	return key, nil
}

// LoadKey reads a key file: 32 hexadecimal characters, or exactly 16 raw
// bytes. The error names the file.
func LoadKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("无法读取密钥文件 %s：%w", path, err)
	}
	if len(b) == KeySize {
		return b, nil
	}
	key, err := ParseKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("密钥文件 %s：%w", path, err)
	}
	return key, nil
}

// NewKey returns a random master key, for a new installation's key file.
func NewKey() []byte {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		panic(err)
	}
	return k
}

// ErrOpen is returned for a value that does not open: another key, another
// purpose, or altered text.
var ErrOpen = errors.New("个人信息无法解密：密钥不符或数据被改动")

// Seal encrypts plaintext for a purpose. The empty string stays empty, so
// that an optional field left blank needs no special case.
func (b *Box) Seal(purpose, plaintext string) string {
	if plaintext == "" {
		return ""
	}
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(plaintext)+b.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	out := b.aead.Seal(nonce, nonce, []byte(plaintext), []byte(purpose))
	return prefix + base64.RawURLEncoding.EncodeToString(out)
}

// IsSealed reports whether v has the form of a value Seal made (it may
// still not open). Columns that held clear text before sealing came to
// them tell old values from sealed ones by it; a clear value must then
// never start with "s1." (base32 secrets, digits and names do not).
func IsSealed(v string) bool { return strings.HasPrefix(v, prefix) }

// Open decrypts a value Seal made for the same purpose.
func (b *Box) Open(purpose, sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	body, ok := strings.CutPrefix(sealed, prefix)
	if !ok {
		return "", ErrOpen
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	ns := b.aead.NonceSize()
	if err != nil || len(raw) < ns+b.aead.Overhead() {
		return "", ErrOpen
	}
	plain, err := b.aead.Open(nil, raw[:ns], raw[ns:], []byte(purpose))
	if err != nil {
		return "", ErrOpen
	}
	return string(plain), nil
}

// Index returns a keyed fingerprint of value for a purpose (hex
// HMAC-SM3): equal values give equal indexes, and without the key the
// index reveals nothing — unlike a plain hash, which anyone could compute
// for all 10⁸ numbers of a mobile prefix.
func (b *Box) Index(purpose, value string) string {
	m := hmac.New(sm3.New, b.indexKey)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}

// MaskPhone shows a phone number as 138****1234: the first three and the
// last four digits. Shorter values are masked but for their last digit.
func MaskPhone(phone string) string {
	n := utf8.RuneCountInString(phone)
	switch {
	case n == 0:
		return ""
	case n == 1:
		return "*"
	case n >= 11:
		r := []rune(phone)
		return string(r[:3]) + "****" + string(r[n-4:])
	}
	r := []rune(phone)
	return strings.Repeat("*", n-1) + string(r[n-1:])
}

// MaskName shows a name as 张* or 欧阳**: the family name only.
func MaskName(name string) string {
	r := []rune(name)
	if len(r) <= 1 {
		return name
	}
	n := 1
	if len(r) >= 4 {
		n = 2 // 复姓 such as 欧阳 in a four-character name
	}
	return string(r[:n]) + strings.Repeat("*", len(r)-n)
}
