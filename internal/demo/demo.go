// Package demo fills an empty database with the three bundled plans,
// users and ten months of plausible reporting, so that a newcomer sees a
// living programme at once.
package demo

import (
	"context"
	"fmt"
	"io"
	"time"

	"minsheng/internal/store"
)

// Login is a demo account printed at start.
type Login struct {
	Username, Password, Role, Unit string
}

// Load fills an empty database; on a database that has plans it does
// nothing and returns no logins.
func Load(ctx context.Context, st *store.Store, now time.Time) ([]Login, error) {
	return nil, fmt.Errorf("演示数据尚未实现")
}

// PrintLogins writes the demo accounts as a table.
func PrintLogins(w io.Writer, logins []Login) {
	for _, l := range logins {
		fmt.Fprintf(w, "%-16s %-12s %-12s %s\n", l.Username, l.Password, l.Role, l.Unit)
	}
}
