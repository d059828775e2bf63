package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
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
