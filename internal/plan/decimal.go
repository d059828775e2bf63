package plan

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/shopspring/decimal"
)

// Decimal is an exact decimal number: money in 元 or 万元, target values,
// percentages. It prints in JSON as a bare number, exactly as written
// (1.42, never 1.4199999), and is stored in SQL as text.
type Decimal struct{ decimal.Decimal }

// ParseDecimal reads a plain decimal literal such as "1.42" or "-3".
func ParseDecimal(s string) (Decimal, error) {
	d, err := decimal.NewFromString(s)
	if err != nil {
		return Decimal{}, fmt.Errorf("不是有效的数值：%q", s)
	}
	return Decimal{d}, nil
}

// MustDecimal is ParseDecimal for literals in code and tests.
func MustDecimal(s string) Decimal {
	d, err := ParseDecimal(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DecimalFromInt returns n as a Decimal.
func DecimalFromInt(n int64) Decimal { return Decimal{decimal.NewFromInt(n)} }

// Ptr returns a pointer to a copy of d, for the optional fields.
func (d Decimal) Ptr() *Decimal { return &d }

func (d Decimal) Add(e Decimal) Decimal { return Decimal{d.Decimal.Add(e.Decimal)} }
func (d Decimal) Sub(e Decimal) Decimal { return Decimal{d.Decimal.Sub(e.Decimal)} }
func (d Decimal) Mul(e Decimal) Decimal { return Decimal{d.Decimal.Mul(e.Decimal)} }

// MarshalJSON writes the number without quotes.
func (d Decimal) MarshalJSON() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalJSON accepts a JSON number or a quoted decimal string. Anything
// else is a *json.UnmarshalTypeError, which encoding/json completes with
// the path of the field, so that a caller can say which field is wrong.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	if err := d.Decimal.UnmarshalJSON(b); err != nil {
		kind := "string"
		switch {
		case len(b) == 0:
		case b[0] == 't' || b[0] == 'f':
			kind = "bool"
		case b[0] == '{':
			kind = "object"
		case b[0] == '[':
			kind = "array"
		case b[0] != '"':
			kind = "number " + string(b)
		}
		return &json.UnmarshalTypeError{Value: kind, Type: reflect.TypeFor[Decimal]()}
	}
	return nil
}

// Value stores the decimal as text, the one representation that SQLite and
// PostgreSQL both keep exactly.
func (d Decimal) Value() (driver.Value, error) { return d.String(), nil }

// Scan reads a decimal stored as text or as a number.
func (d *Decimal) Scan(v any) error { return d.Decimal.Scan(v) }
