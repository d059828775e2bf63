package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"minsheng/internal/plan"
)

// TestStatementCacheEvicts: a connection's cache keeps the statements in
// use and drops the one used least recently when full, so that texts run
// once (lists of IDs) do not crowd out those run all the time; a statement
// whose rows are open is not dropped under them; a long text (many rows at
// once) is not kept.
func TestStatementCacheEvicts(t *testing.T) {
	db, err := openSQLite(sqliteDSN(filepath.Join(t.TempDir(), "cache.db")))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	c, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const hot = "SELECT 1"
	open, err := c.QueryContext(ctx, "SELECT value FROM json_each('[1,2,3]')")
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	if !open.Next() {
		t.Fatal("no first row")
	}
	for i := 0; i < 3*maxCachedStatements; i++ {
		if i%10 == 0 {
			if _, err := c.ExecContext(ctx, hot); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := c.ExecContext(ctx, fmt.Sprintf("SELECT %d", i+2)); err != nil {
			t.Fatal(err)
		}
	}
	long := "SELECT 1" + strings.Repeat(" ", maxCachedText)
	if _, err := c.ExecContext(ctx, long); err != nil {
		t.Fatal(err)
	}
	err = c.Raw(func(dc any) error {
		stmts := dc.(*cachingConn).stmts
		if len(stmts) > maxCachedStatements {
			t.Errorf("%d statements cached, at most %d", len(stmts), maxCachedStatements)
		}
		if stmts[long] != nil {
			t.Errorf("a text of %d bytes is cached", len(long))
		}
		if stmts[hot] == nil {
			t.Error("the statement run all along was dropped")
		}
		if stmts["SELECT 2"] != nil {
			t.Error("the oldest statement run once is still cached")
		}
		if last := fmt.Sprintf("SELECT %d", 3*maxCachedStatements+1); stmts[last] == nil {
			t.Errorf("the last statement (%s) is not cached", last)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	n := 1
	for open.Next() {
		n++
	}
	if err := open.Err(); err != nil || n != 3 {
		t.Errorf("the open rows: %d of 3, %v", n, err)
	}
}

// TestExecRows: rows go in, each once, up to rowsAtOnce in one statement
// and more in chunks of the few fixed sizes (rowChunks), so that the
// statements' texts stay few whatever the numbers of rows (on SQLite: all
// in the writer's statement cache).
func TestExecRows(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		if _, err := s.w.Exec("CREATE TABLE exec_rows (n INTEGER PRIMARY KEY, label TEXT NOT NULL)"); err != nil {
			t.Fatal(err)
		}
		next := 0
		counts := []int{0, 1, 3, 4, 21, 64, 341, 600}
		for c := 17; c < 64; c += 3 { // one text each, were each row count its own statement
			counts = append(counts, c)
		}
		for _, count := range counts {
			rows := make([][]any, count)
			for i := range rows {
				rows[i] = []any{next, fmt.Sprintf("第%d行", next)}
				next++
			}
			err := s.write(context.Background(), plan.SystemUser, func(t *tx) error {
				return t.execRows("INSERT INTO exec_rows (n, label) VALUES ", "(?, ?)", "", rows)
			})
			if err != nil {
				t.Fatalf("%d rows: %v", count, err)
			}
			var n, sum int
			if err := s.w.QueryRow("SELECT COUNT(*), COALESCE(SUM(n), 0) FROM exec_rows").Scan(&n, &sum); err != nil {
				t.Fatal(err)
			}
			if n != next || sum != next*(next-1)/2 {
				t.Fatalf("after %d more rows: %d rows summing to %d, want %d summing to %d", count, n, sum, next, next*(next-1)/2)
			}
		}
		if s.postgres {
			return
		}
		c, err := s.w.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.Raw(func(dc any) error {
			texts := 0
			for q := range dc.(*cachingConn).stmts {
				if strings.HasPrefix(q, "INSERT INTO exec_rows") {
					texts++
				}
			}
			if most := rowsAtOnce + len(rowChunks) - 1; texts == 0 || texts > most {
				t.Errorf("%d texts of the insert cached, want 1 to %d", texts, most)
			}
			return nil
		})
	})
}
