package store

import (
	"database/sql"
	"errors"
	"testing"
)

// The cache must never answer with a record older than the tables: a
// change made by another process (here: SQL on a connection of its own),
// by any statement on any of the five tables, is seen at the next read;
// a change rolled back leaves the cached record in use; and what a caller
// does to its copy does not reach the cache.
func TestProjectCache(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		id := f.p1.ID
		get := func() string {
			t.Helper()
			p := must(s.GetProject(f.ctx, id))(t)
			return p.Title + "|" + p.Targets[0].Metric + "|" + p.Units[0].UnitName
		}
		other, err := sql.Open(map[bool]string{true: "pgx", false: "sqlite"}[s.Postgres()], dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := other.Exec(conn{pg: s.Postgres()}.q(q), args...); err != nil {
				t.Fatal(err)
			}
		}

		first := get()
		p := must(s.GetProject(f.ctx, id))(t)
		p.Title, p.Targets[0].Metric, p.Units[0].UnitName = "改了副本", "改了副本", "改了副本"
		if got := get(); got != first {
			t.Fatalf("a caller's change to its copy reached the cache: %s, was %s", got, first)
		}

		exec("UPDATE projects SET title = ? WHERE id = ?", "新标题", id)
		exec("UPDATE targets SET metric = ? WHERE id = ?", "新指标", f.p1.Targets[0].ID)
		exec("UPDATE units SET name = ? WHERE id = ?", "新单位", f.p1.Units[0].UnitID)
		if got, want := get(), "新标题|新指标|新单位"; got != want {
			t.Errorf("after changes by another connection: %s, want %s", got, want)
		}

		// A transaction that changes the project, reads it (filling the
		// cache under its own generation) and rolls back.
		rollback := errors.New("rollback")
		err = s.write(f.ctx, f.sup, func(tx *tx) error {
			if _, err := tx.exec("UPDATE projects SET title = ? WHERE id = ?", "回滚的标题", id); err != nil {
				return err
			}
			p, err := getProject(tx.conn, id)
			if err != nil {
				return err
			}
			if p.Title != "回滚的标题" {
				t.Errorf("inside the transaction the project reads %q", p.Title)
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatalf("write: %v", err)
		}
		if got, want := get(), "新标题|新指标|新单位"; got != want {
			t.Errorf("after a rolled-back change: %s, want %s", got, want)
		}
	})
}
