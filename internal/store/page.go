package store

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"

	"minsheng/internal/plan"
)

// Page asks for one page of a list in the list's stable order (keyset
// pagination): at most Limit rows (0: all of them) after the row that the
// cursor After names. A list returns, with its page, the cursor of the
// page after it, or "" after the last page. Rows added or removed
// meanwhile neither repeat nor shift the pages that follow.
type Page struct {
	Limit int
	After string
}

// Limits of a page asked for by a client.
const (
	DefaultPageLimit = 100
	MaxPageLimit     = 1000
)

// keyCol is a column of a list's order: its SQL expression and direction.
type keyCol struct {
	expr string
	desc bool
}

// keyset is a list's order, which ends with a unique column so that it is
// total.
type keyset []keyCol

func (k keyset) orderBy() string {
	var b strings.Builder
	for i, c := range k {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.expr)
		if c.desc {
			b.WriteString(" DESC")
		}
	}
	return " ORDER BY " + b.String()
}

// where returns the condition "after the row whose key is cursor" (or
// "1 = 1" without a cursor) with its arguments. Errors: invalid (a cursor
// that is not one of this list's).
func (k keyset) where(cursor string) (string, []any, error) {
	if cursor == "" {
		return "1 = 1", nil, nil
	}
	vals, err := decodeCursor(cursor, len(k))
	if err != nil {
		return "", nil, err
	}
	// (a, b, c) after (x, y, z): a > x OR a = x AND (b > y OR b = y AND c > z),
	// each comparison turned for a descending column.
	var args []any
	var after func(i int) string
	after = func(i int) string {
		op := " > ?"
		if k[i].desc {
			op = " < ?"
		}
		args = append(args, vals[i])
		if i == len(k)-1 {
			return k[i].expr + op
		}
		args = append(args, vals[i])
		return "(" + k[i].expr + op + " OR " + k[i].expr + " = ? AND " + after(i+1) + ")"
	}
	return after(0), args, nil
}

// limit returns the SQL that fetches one row more than the page, which
// tells whether a page follows.
func (p Page) limit() string {
	if p.Limit <= 0 {
		return ""
	}
	return " LIMIT " + strconv.Itoa(p.Limit+1)
}

// cut trims rows fetched with limit() to the page and returns the cursor
// of the next page, made from the key of the page's last row.
func cut[T any](p Page, rows []T, key func(*T) []any) ([]T, string) {
	if p.Limit <= 0 || len(rows) <= p.Limit {
		return rows, ""
	}
	rows = rows[:p.Limit]
	return rows, encodeCursor(key(&rows[len(rows)-1]))
}

func encodeCursor(vals []any) string {
	b, err := json.Marshal(vals)
	if err != nil {
		panic(err) // strings and numbers only
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(cursor string, n int) ([]any, error) {
	bad := plan.FieldError("cursor", "翻页参数 cursor 无效，请从第一页重新开始")
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, bad
	}
	var vals []any
	if err := json.Unmarshal(raw, &vals); err != nil || len(vals) != n {
		return nil, bad
	}
	for i, v := range vals {
		switch x := v.(type) {
		case string:
		case float64: // JSON numbers: the keys' integers
			if x != float64(int64(x)) {
				return nil, bad
			}
			vals[i] = int64(x)
		default:
			return nil, bad
		}
	}
	return vals, nil
}
