package store

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"minsheng/internal/plan"
)

// PasswordParams are the argon2id parameters of new hashes (RFC 9106's
// second recommended option: 64 MiB, 3 passes). The parameters travel in
// each hash, so raising them later leaves old hashes checkable.
var PasswordParams = struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
	KeyLen  uint32
}{Memory: 64 * 1024, Time: 3, Threads: 2, KeyLen: 32}

// hashing bounds how many argon2id computations run at once: each takes
// PasswordParams.Memory (64 MiB), so a burst of logins must queue rather
// than take the server's memory (100 logins at once would need 6.4 GB).
var hashing = make(chan struct{}, max(1, runtime.NumCPU()))

// idKey is argon2.IDKey under the hashing bound.
func idKey(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	hashing <- struct{}{}
	defer func() { <-hashing }()
	return argon2.IDKey(password, salt, time, memory, threads, keyLen)
}

// HashPassword returns an argon2id hash of password in the PHC string
// format: $argon2id$v=19$m=65536,t=3,p=2$<salt>$<hash>.
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	p := PasswordParams
	key := idKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches hash. A malformed hash is
// an error, a wrong password is (false, nil).
func CheckPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, fmt.Errorf("不支持的密码哈希格式")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, fmt.Errorf("不支持的 argon2 版本")
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, fmt.Errorf("密码哈希参数无效")
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil {
		return false, fmt.Errorf("密码哈希无效")
	}
	want, err := enc.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, fmt.Errorf("密码哈希无效")
	}
	got := idKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// PasswordPolicy are the rules a new password must meet (GB/T 22239-2019
// 身份鉴别: complexity, periodic change).
type PasswordPolicy struct {
	MinLength  int           // characters
	MinClasses int           // of lower case, upper case, digits, anything else
	History    int           // the last N passwords may not be used again
	MaxAge     time.Duration // 0: passwords do not expire
}

// DefaultPasswordPolicy is the store's own: lenient on classes and age,
// so that tools and tests may use simple passwords. The product's
// configuration (internal/config) is stricter by default.
var DefaultPasswordPolicy = PasswordPolicy{MinLength: 8, MinClasses: 1, History: 5}

// Check says in Chinese what a password lacks.
func (p PasswordPolicy) Check(password string) error {
	if n := utf8.RuneCountInString(password); n < p.MinLength {
		return plan.FieldError("password", "密码至少 %d 位（现为 %d 位）", p.MinLength, n)
	}
	var lower, upper, digit, other int
	for _, r := range password {
		switch {
		case unicode.IsLower(r):
			lower = 1
		case unicode.IsUpper(r):
			upper = 1
		case unicode.IsDigit(r):
			digit = 1
		default:
			other = 1
		}
	}
	if lower+upper+digit+other < p.MinClasses {
		return plan.FieldError("password", "密码须包含小写字母、大写字母、数字、其他符号中的至少 %d 类", p.MinClasses)
	}
	return nil
}
