package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strings"
)

// A statement cache for SQLite connections.
//
// database/sql hands every Exec and Query of a transaction straight to the
// driver, and the SQLite driver compiles the SQL each time: with the
// store's queries (joins, subqueries, twenty columns) compiling took about
// a third of the writer's time under load. Each SQLite connection of the
// store is therefore wrapped so that it keeps the compiled statements it
// has run, keyed by their text, and runs them again after a reset. The
// store's SQL is mostly a fixed set of texts with ? placeholders; texts
// that vary (lists of IDs) would fill the cache over the weeks a server
// runs, so a full cache drops the statement used least recently. A
// statement whose rows are still open when its text is run again (a
// nested query of the same text) falls back to a one-off statement.
// PostgreSQL needs none of this: pgx caches statements itself.

// maxCachedStatements bounds one connection's cache, maxCachedText the
// text of a statement it keeps: the long texts are those of many rows or
// many IDs at once (bulk loads, lists), whose compiled programs are large
// and whose compiling is a small part of their work.
const (
	maxCachedStatements = 256
	maxCachedText       = 4096
)

// openSQLite opens a pool over the modernc driver whose connections cache
// their statements.
func openSQLite(dsn string) (*sql.DB, error) {
	probe, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	drv := probe.Driver()
	probe.Close()
	return sql.OpenDB(&cachingConnector{drv: drv, dsn: dsn}), nil
}

type cachingConnector struct {
	drv driver.Driver
	dsn string
}

func (c *cachingConnector) Connect(context.Context) (driver.Conn, error) {
	dc, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &cachingConn{Conn: dc, stmts: map[string]*cachedStmt{}}, nil
}

func (c *cachingConnector) Driver() driver.Driver { return c.drv }

// cachingConn is one SQLite connection with its compiled statements.
// database/sql uses a connection from one goroutine at a time (and closes
// rows under the connection's lock), so it needs no lock of its own.
type cachingConn struct {
	driver.Conn
	stmts map[string]*cachedStmt
	uses  uint64 // a clock of uses, for lastUse
}

type cachedStmt struct {
	ds      driver.Stmt
	busy    bool // its rows are open
	lastUse uint64
}

var (
	_ driver.ConnPrepareContext = (*cachingConn)(nil)
	_ driver.ConnBeginTx        = (*cachingConn)(nil)
	_ driver.ExecerContext      = (*cachingConn)(nil)
	_ driver.QueryerContext     = (*cachingConn)(nil)
	_ driver.Pinger             = (*cachingConn)(nil)
	_ driver.SessionResetter    = (*cachingConn)(nil)
	_ driver.Validator          = (*cachingConn)(nil)
)

var errNoContext = errors.New("sqlite driver without context methods")

// stmt returns the cached statement of query, compiling it on first use;
// nil when it is not cached (a script, a long text, a full cache whose
// statements are all in use) or is in use.
func (c *cachingConn) stmt(ctx context.Context, query string) *cachedStmt {
	c.uses++
	if s, ok := c.stmts[query]; ok {
		if s.busy {
			return nil
		}
		s.lastUse = c.uses
		return s
	}
	if strings.Contains(query, ";") || len(query) > maxCachedText {
		return nil
	}
	if len(c.stmts) >= maxCachedStatements && !c.evict() {
		return nil
	}
	pc, ok := c.Conn.(driver.ConnPrepareContext)
	if !ok {
		return nil
	}
	ds, err := pc.PrepareContext(ctx, query)
	if err != nil {
		return nil // the uncached path reports the error
	}
	s := &cachedStmt{ds: ds, lastUse: c.uses}
	c.stmts[query] = s
	return s
}

// evict closes the statement used least recently whose rows are not open;
// false when every one is in use.
func (c *cachingConn) evict() bool {
	var oldest string
	var at uint64
	for q, s := range c.stmts {
		if !s.busy && (oldest == "" || s.lastUse < at) {
			oldest, at = q, s.lastUse
		}
	}
	if oldest == "" {
		return false
	}
	c.stmts[oldest].ds.Close()
	delete(c.stmts, oldest)
	return true
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if s := c.stmt(ctx, query); s != nil {
		if se, ok := s.ds.(driver.StmtExecContext); ok {
			return se.ExecContext(ctx, args)
		}
	}
	if e, ok := c.Conn.(driver.ExecerContext); ok {
		return e.ExecContext(ctx, query, args)
	}
	return nil, errNoContext
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if s := c.stmt(ctx, query); s != nil {
		if sq, ok := s.ds.(driver.StmtQueryContext); ok {
			rows, err := sq.QueryContext(ctx, args)
			if err != nil {
				return nil, err
			}
			s.busy = true
			return &cachedRows{Rows: rows, s: s}, nil
		}
	}
	if q, ok := c.Conn.(driver.QueryerContext); ok {
		return q.QueryContext(ctx, query, args)
	}
	return nil, errNoContext
}

func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if pc, ok := c.Conn.(driver.ConnPrepareContext); ok {
		return pc.PrepareContext(ctx, query)
	}
	return c.Conn.Prepare(query)
}

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	return nil, errNoContext
}

func (c *cachingConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *cachingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *cachingConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// Close finalises the cached statements, then closes the connection.
func (c *cachingConn) Close() error {
	for q, s := range c.stmts {
		s.ds.Close()
		delete(c.stmts, q)
	}
	return c.Conn.Close()
}

// cachedRows frees its statement for the next use when closed.
type cachedRows struct {
	driver.Rows
	s *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.s.busy = false
	return err
}
