// Package store keeps the monthly cycle in SQL: SQLite (a file, the
// default) or PostgreSQL, with one schema, one set of migrations per
// database kept parallel, and hand-written SQL shared by both.
//
// Every write runs in one transaction that also appends a row to the
// hash-chained audit log (see internal/audit), so a change and its audit
// row commit or vanish together. Operations that a user starts take the
// acting *plan.User and check plan.Can inside the transaction; reads of
// published plans and projects take no user (they are public).
//
// Errors are *plan.Error with the codes named on each method; anything else
// is an internal error.
//
// Two kinds of write are deliberately not audited: TouchSession (it would
// log every request) and DeleteExpiredSessions (housekeeping). Logins,
// failed logins and logouts are. The outbox's claims and retries are
// delivery bookkeeping and not audited either; enqueueing a reminder and
// its final outcome are (outbox.go).
//
// # Where things are
//
//	store.go        Open, pools, transactions, placeholder rebinding
//	audit.go        appending to the chain, VerifyAudit, AuditRows, AuditHead
//	units.go        jurisdictions and units (find-or-create)
//	users.go        users, Authenticate with lock-out, password changes and
//	                history, sessions (idle timeout)
//	password.go     HashPassword, CheckPassword (argon2id), PasswordPolicy
//	totp.go         the TOTP second factor; secrets sealed (SealTOTPSecrets seals old clear ones)
//	plans.go        plan versions: import as draft, correct, publish, supersede
//	projects.go     published projects, targets, sub-projects
//	monthly.go      monthly plans: save, submit, approve, return, reopen
//	reports.go      reports: save, contribute, submit, accept, return, reopen,
//	                revisions, review queue, missing and late reports
//	attachments.go  evidence files, stored once per SHA-256
//	dashboard.go    the dashboard of a jurisdiction for a month
//	rollup.go       Rollup: the dashboards of a city, province or the nation summed
//	rollupfacts.go  the per-project, per-month facts behind Rollup, kept by writes
//	rolluptotals.go the facts summed per jurisdiction and month, which Rollup reads
//	page.go         keyset pages of lists (Page, cursors); planlist.go plan summaries
//	tasksplit.go    任务分解: a target's shares among the jurisdictions below, their monthly figures, the roll-up
//	links.go        a lower plan's repeat of a higher project: suggestions, links, left out of Rollup
//	indicators.go   targets of published plans for the comparison of standards, manual indicator mappings
//	funds.go        reports' allocation and sub-project funds; money by month (FundsOf)
//	progress.go     the bulk upload of a month's figures (ApplyProgress), all or nothing
//	votes.go        人大票决: rounds, candidates, secret ballots, adoption into
//	                the plan, the deputies' year-end evaluation
//	public.go       what the public portal shows of accepted reports; releases
//	feedback.go     residents' comments (moderated), satisfaction votes, phone codes
//	inspections.go  on-site visits (实地督查): findings against the last report, photos, the ladder's letter
//	carryover.go    multi-year projects into next year's plan: links on a draft, shares, predecessors, history
//	backup.go       online copy (VACUUM INTO, pg_dump) and checked restore
//	anchor.go       daily anchors of the audit chain's head, checked by audit verify
//	bulk.go         bulk loads (synthetic data) audited per batch, users with one hash
//	groupcommit.go  SQLite: concurrent writes committed together
//	checkpoint.go   SQLite: WAL checkpoints by a goroutine of their own, off the write path
//	stmtcache.go    SQLite: connections that keep their compiled statements
//	projectcache.go project records cached under the generation of their tables
//	letters.go      提示函 and 督办函: draft, edit, issue, answer, evidence, close
//	contacts.go     units' reminder addresses (e-mail, group-robot webhook)
//	outbox.go       reminders to send: enqueue once per key, claim, mark sent
//
// Tables (migrations/sqlite and migrations/postgres, kept parallel):
// jurisdictions, units, users, sessions, password_history; plans (one row per version, with
// the document JSON and source text), projects, project_units, targets,
// subprojects (rows of the published version, stable IDs, retired_by when a
// later version dropped them); monthly_plans, monthly_plan_targets,
// monthly_plan_investment; reports, report_targets, report_contributions,
// report_revisions, attachments, report_attachments, report_funds; audit_log, audit_head;
// target_shares, share_reports, project_links, indicator_overrides (levels);
// vote_rounds, vote_candidates, vote_voters and vote_ballots (kept apart:
// secret ballots), vote_evaluators and vote_evaluations;
// letters, letter_events, letter_attachments; unit_contacts, outbox;
// rollup_facts, rollup_totals, rollup_basis (derived, below);
// report_releases, report_public_photos, resident_comments,
// satisfaction_votes, phone_codes (00007);
// inspections, inspection_findings, inspection_photos; carryover_links,
// project_predecessors, subproject_predecessors (00006); data_versions
// (00011: the last write per jurisdiction's year, for the public
// portal's caches, dataversion.go); generations (00012: a random value
// triggers replace on any change to the tables a project record is read
// from, projectcache.go).
// Money and target values are TEXT decimals, times TEXT in UTC.
//
// # Roll-up facts and totals
//
// Rollup (a province, the nation) does not recompute every project's
// year. rollup_facts holds one row per project in force and month of its
// year with what the dashboard line of that month says — report state,
// late submission, status, money planned, invested and disbursed — and
// rollup_totals those rows summed per jurisdiction and month; Rollup
// reads a row per county. A fact is computed by Dashboard's own code as
// if the month were not yet overdue: the one input that moves with the
// clock, whether a month with no report or only a draft is overdue, is
// the same for every project of the month and is applied when Rollup
// reads (the totals keep those months' count apart; once overdue they
// count as late, and 临期 becomes 未报送). Facts and totals are kept in the
// audited write transaction that changes an input, before its audit row:
// report state changes (one that keeps the report counted or not counted
// updates the month's state; the others recompute the project's facts
// from that month on), monthly plan approval and its reopening, plan publication
// (new and retired projects), bulk loads. On PostgreSQL the project's
// facts are locked first (FOR UPDATE, in one order), so that two writes
// to one project compute one after the other. On SQLite a batch of the
// group commit recomputes the facts its reports changed and applies its
// writes' changes to the totals once, before it commits (deferredFacts in
// rollupfacts.go, deferredTotals in rolluptotals.go): still in the
// transaction that changed the input. Facts also depend on the due day and the
// status thresholds; rollup_basis records those they were computed under,
// and Rollup rebuilds everything first when the ones in force differ. A
// new write that changes a report's figures or state, a monthly plan or a
// project must keep them too (rollupfacts.go); TestRollupMatchesComputation
// compares Rollup with the computation from the reports themselves.
//
// # Writers
//
// SQLite allows one writer at a time. With several pooled connections a
// transaction that starts reading and then writes can fail at once with
// SQLITE_BUSY ("database is locked") whatever the busy_timeout, because
// SQLite refuses to wait when waiting could deadlock. So the Store keeps
// two pools on a SQLite file: one writer connection (SetMaxOpenConns(1),
// transactions begun IMMEDIATE) through which every write transaction
// passes, queued by database/sql, and a pool of read-only connections that
// WAL lets read while the writer writes. Writers wait their turn in Go
// instead of failing in SQLite. They are queued to one goroutine that
// commits the writes waiting together (group commit, groupcommit.go): each
// runs in a savepoint of a shared transaction and fails alone, and the
// batch costs one fsync — which, with synchronous=FULL, is what bounds a
// single-writer SQLite file (docs/PERFORMANCE.md).
//
// On PostgreSQL one pool serves both; concurrent writers are kept correct
// by optimistic version checks in UPDATE … WHERE version = ?, unique
// constraints, and the audit head row, whose lock serialises appends to
// the chain.
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"embed"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers driver "pgx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // registers driver "sqlite"

	"minsheng/internal/audit"
	"minsheng/internal/plan"
	"minsheng/internal/sealed"
)

//go:embed migrations
var migrations embed.FS

// sqlitePragmas are set on every SQLite connection through the DSN, because
// PRAGMA statements run with db.Exec reach only one pooled connection.
var sqlitePragmas = []string{"busy_timeout(5000)", "foreign_keys(1)", "journal_mode(WAL)", "synchronous(FULL)",
	"wal_autocheckpoint(" + strconv.Itoa(walSafetyPages) + ")"} // checkpoints run apart (checkpoint.go)

// Defaults of the Store's settings.
const (
	DefaultMaxAttachmentBytes = 20 << 20
	DefaultSessionTTL         = 30 * time.Minute // idle: a session unused this long ends
	DefaultMaxLoginFailures   = 5
	DefaultLockout            = 15 * time.Minute
)

// Store is the database. Set its exported fields right after Open, before
// use; they are read without locks.
type Store struct {
	// Now gives the time of every write; tests replace it to control the
	// clock. All times stored are UTC with microseconds.
	Now func() time.Time
	// NewID makes the random part of new IDs.
	NewID func() string
	// DueDay is the day of the next month a report is due (plan.DefaultDueDay).
	DueDay int
	// MaxAttachmentBytes bounds one uploaded file.
	MaxAttachmentBytes int64
	// SessionTTL is how long a session lives after it was last touched.
	SessionTTL time.Duration
	// MaxLoginFailures failed logins in a row lock an account for Lockout.
	MaxLoginFailures int
	Lockout          time.Duration
	// Passwords are the rules of new passwords.
	Passwords PasswordPolicy
	// Sealer encrypts residents' personal data (feedback.go); nil: the
	// key is not configured and no personal data is accepted.
	Sealer *sealed.Box

	postgres bool
	dsn      string     // as given to Open: backups open it again
	w        *sql.DB    // writes (the single writer connection on SQLite)
	r        *sql.DB    // reads
	gc       *committer // SQLite: batches concurrent writes (groupcommit.go)
	ckpt     *checkpointer
	projects *projectCache

	rebuildMu sync.Mutex // one rebuild of the roll-up facts at a time
}

// Open opens the database named by dsn and brings its schema up to date.
// A dsn starting with postgres:// or postgresql:// is a PostgreSQL
// connection string for pgx (search_path=… as a parameter selects a schema);
// anything else is a SQLite file path or file: URI, created if missing.
func Open(ctx context.Context, dsn string) (*Store, error) {
	s := &Store{
		Now:                time.Now,
		NewID:              newID,
		DueDay:             plan.DefaultDueDay,
		MaxAttachmentBytes: DefaultMaxAttachmentBytes,
		SessionTTL:         DefaultSessionTTL,
		MaxLoginFailures:   DefaultMaxLoginFailures,
		Lockout:            DefaultLockout,
		Passwords:          DefaultPasswordPolicy,
		dsn:                dsn,
	}
	var err error
	switch {
	case dsn == "":
		return nil, plan.Errorf(plan.EInvalid, "未指定数据库")
	case isPostgresDSN(dsn):
		s.postgres = true
		if s.w, err = sql.Open("pgx", dsn); err != nil {
			return nil, err
		}
		// Bounded, so that a burst of requests queues here, in order,
		// rather than in PostgreSQL: every write ends on the audit head's
		// row lock, and backends beyond a few per core only wait on it
		// and take CPU from the one holding it (50 clients on two cores:
		// 25 connections gave 410–420 reports/s, p95 360–380 ms; 6 gave
		// 490, p95 215 ms — docs/PERFORMANCE.md). No request holds two
		// connections (the tests pass with one). All kept when idle
		// (database/sql keeps two by default): under load every
		// connection returned would be closed and another opened.
		pool := 2*runtime.NumCPU() + 2
		s.w.SetMaxOpenConns(pool)
		s.w.SetMaxIdleConns(pool)
		s.r = s.w
	default:
		// temp_store: each write of a group-commit batch runs in a
		// savepoint, so SQLite copies every page it changes to a statement
		// journal first; in memory rather than a temporary file, that copy
		// costs no write system call (+10% reports/s, docs/PERFORMANCE.md
		// §十三). It holds at most the pages one write changes.
		if s.w, err = openSQLite(sqliteDSN(dsn, "_txlock=immediate", "_pragma=cache_size(-65536)", "_pragma=temp_store(MEMORY)")); err != nil {
			return nil, err
		}
		s.w.SetMaxOpenConns(1)
		s.w.SetConnMaxIdleTime(0)
		// The writer connects first: on a new file it is the one that
		// switches the journal to WAL, which readers cannot do.
		if err := s.w.PingContext(ctx); err != nil {
			s.w.Close()
			return nil, fmt.Errorf("打开数据库 %s 失败: %w", dsn, err)
		}
		if s.r, err = openSQLite(sqliteDSN(dsn, "_pragma=query_only(1)")); err != nil {
			s.w.Close()
			return nil, err
		}
		readers := max(4, runtime.NumCPU())
		s.r.SetMaxOpenConns(readers)
		// As on PostgreSQL; a new connection also starts with an empty
		// statement cache.
		s.r.SetMaxIdleConns(readers)
	}
	if err := s.w.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("连接数据库失败: %w", err)
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("数据库迁移失败: %w", err)
	}
	if !s.postgres {
		if s.ckpt, err = startCheckpointer(dsn); err != nil {
			s.Close()
			return nil, err
		}
		s.gc = startCommitter(s)
	}
	s.projects = newProjectCache()
	return s, nil
}

func isPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

func sqliteDSN(dsn string, extra ...string) string {
	params := extra
	for _, p := range sqlitePragmas {
		params = append(params, "_pragma="+p)
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + strings.Join(params, "&")
}

func (s *Store) migrate(ctx context.Context) error {
	dialect, dir := goose.DialectSQLite3, "migrations/sqlite"
	// Numbers are handed out ahead of time to changes made side by side; a
	// database made while a later number was merged first still gets the
	// earlier one.
	opts := []goose.ProviderOption{goose.WithAllowOutofOrder(true)}
	if s.postgres {
		dialect, dir = goose.DialectPostgres, "migrations/postgres"
		// Two servers starting at once must not both migrate.
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	sub, err := fs.Sub(migrations, dir)
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(dialect, s.w, sub, opts...)
	if err != nil {
		return err
	}
	_, err = p.Up(ctx)
	return err
}

// SchemaVersion returns the version of the newest migration applied.
func (s *Store) SchemaVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.r.QueryRowContext(ctx, "SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied").Scan(&v)
	return v, err
}

// Close closes both pools, after the writes under way.
func (s *Store) Close() error {
	if s.gc != nil {
		s.gc.stop()
	}
	var err error
	if s.ckpt != nil {
		err = s.ckpt.close()
	}
	if s.r != nil && s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	if s.w != nil {
		err = errors.Join(err, s.w.Close())
	}
	return err
}

// Postgres reports whether the store is on PostgreSQL.
func (s *Store) Postgres() bool { return s.postgres }

// DB returns the pool for reads, for tests and tools that need raw access.
func (s *Store) DB() *sql.DB { return s.r }

// WriteDB returns the pool for writes, for tests and tools that need raw
// access (e.g. a test that tampers with the audit log).
func (s *Store) WriteDB() *sql.DB { return s.w }

// newID is the part of an ID after its prefix: 48 bits of the time in
// milliseconds, then 48 random bits, in hex. Time first, so that new rows
// go to the end of the indexes keyed by IDs (a report's ID keys its
// targets, revisions and audit rows too) rather than to a random page
// each: a batch of reports then dirties, and writes to the WAL, a few
// pages per index instead of one per report, and a large database keeps
// the pages it writes in its cache. The random half keeps IDs
// unguessable; the time an ID shows is the row's created_at, no secret.
func newID() string {
	var b [12]byte
	binary.BigEndian.PutUint64(b[:8], uint64(time.Now().UnixMilli())<<16)
	if _, err := rand.Read(b[6:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

func (s *Store) id(prefix string) string { return prefix + "_" + s.NewID() }

func (s *Store) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// conn runs SQL written with ? placeholders on a pool or a transaction,
// rebinding them to $1, $2 … for PostgreSQL.
type conn struct {
	x interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}
	ctx context.Context
	pg  bool
	// projects caches project records for getProject; nil: no cache.
	projects *projectCache
}

func (c conn) q(query string) string {
	if !c.pg {
		return query
	}
	return rebind(query)
}

func (c conn) exec(query string, args ...any) (sql.Result, error) {
	return c.x.ExecContext(c.ctx, c.q(query), args...)
}

func (c conn) query(query string, args ...any) (*sql.Rows, error) {
	return c.x.QueryContext(c.ctx, c.q(query), args...)
}

func (c conn) row(query string, args ...any) *sql.Row {
	return c.x.QueryRowContext(c.ctx, c.q(query), args...)
}

// rebind turns ? placeholders into $n, leaving quoted text alone.
func rebind(q string) string {
	var b strings.Builder
	n := 0
	inQuote := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inQuote = !inQuote
			b.WriteByte(c)
		case c == '?' && !inQuote:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// tx is a write transaction with its fixed time and acting user.
type tx struct {
	conn
	s     *Store
	now   time.Time
	actor *plan.User
	// totals: on SQLite, the write's changes to the roll-up totals, which
	// its batch applies once before it commits (groupcommit.go); nil: they
	// are applied at once.
	totals *deferredTotals
	// facts: on SQLite, the projects whose facts the write's batch
	// recomputes before it commits (rollupfacts.go); nil: at once.
	facts *deferredFacts
	// chain: on SQLite, the audit chain's end as the write's batch leaves
	// it (audit.go); nil: the head row is moved at once.
	chain *batchChain
}

// write runs fn in a write transaction and commits it if fn returns nil.
func (s *Store) write(ctx context.Context, actor *plan.User, fn func(t *tx) error) error {
	if actor == nil {
		return plan.Errorf(plan.EUnauthorized, "请先登录")
	}
	if s.gc != nil {
		return s.gc.do(ctx, actor, fn)
	}
	// PostgreSQL may pick this transaction as a deadlock's victim or fail
	// it for serialization: it was rolled back whole, so it runs again.
	for attempt := 1; ; attempt++ {
		err := s.writeOnce(ctx, actor, fn)
		var pgErr *pgconn.PgError
		if attempt < 4 && errors.As(err, &pgErr) && (pgErr.Code == "40P01" || pgErr.Code == "40001") {
			time.Sleep(time.Duration(attempt*10) * time.Millisecond)
			continue
		}
		return mapError(err)
	}
}

func (s *Store) writeOnce(ctx context.Context, actor *plan.User, fn func(t *tx) error) error {
	sqlTx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	t := &tx{conn: conn{x: sqlTx, ctx: ctx, pg: s.postgres, projects: s.projects}, s: s, now: s.now(), actor: actor}
	if err := fn(t); err != nil {
		sqlTx.Rollback()
		return err
	}
	return sqlTx.Commit()
}

// read runs fn on a consistent snapshot of the database.
func (s *Store) read(ctx context.Context, fn func(c conn) error) error {
	sqlTx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return mapError(err)
	}
	defer sqlTx.Rollback()
	return mapError(fn(conn{x: sqlTx, ctx: ctx, pg: s.postgres, projects: s.projects}))
}

// mapError turns database errors a user can cause into *plan.Error.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	var pe *plan.Error
	if errors.As(err, &pe) {
		return err
	}
	if unavailable(err) {
		// The cause stays in the chain for the log; the user reads only
		// the message.
		return fmt.Errorf("%w: %w", errUnavailable, err)
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "UNIQUE constraint failed"), strings.Contains(msg, "SQLSTATE 23505"):
		return &plan.Error{Code: plan.EConflict, Message: "数据已被他人同时修改或已存在，请刷新后重试"}
	case strings.Contains(msg, "FOREIGN KEY constraint failed"), strings.Contains(msg, "SQLSTATE 23503"):
		return &plan.Error{Code: plan.EInvalid, Message: "引用的数据不存在"}
	}
	return err
}

var errUnavailable = &plan.Error{Code: plan.EUnavailable, Message: "数据库暂时无法写入或连接（磁盘空间不足或数据库正在重启），本次操作未生效，请稍后重试"}

// IsUnavailable reports whether err is an outage (see unavailable): the
// HTTP layer's safety net for a store path that did not map its error.
func IsUnavailable(err error) bool { return unavailable(err) }

// unavailable reports whether err is an outage rather than a bug or bad
// input: SQLite out of disk, failing I/O or made read-only (a file system
// remounted read-only after disk errors), PostgreSQL unreachable,
// restarting or shutting down. Such a request is answered 503 and can be
// retried; nothing of it was committed.
func unavailable(err error) bool {
	var sqliteErr interface{ Code() int }
	if errors.As(err, &sqliteErr) {
		switch sqliteErr.Code() & 0xff {
		case 8, 10, 13, 14: // SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN
			return true
		}
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// 08: connection exception; 57P01–57P03: admin shutdown, crash
		// shutdown, cannot connect now; 53: insufficient resources (disk
		// full, out of memory, too many connections).
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P") || strings.HasPrefix(pgErr.Code, "53")
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connectErr) || errors.As(err, &netErr) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.ErrUnexpectedEOF) || pgconn.SafeToRetry(err) ||
		strings.Contains(err.Error(), "conn closed") || strings.Contains(err.Error(), "unexpected EOF")
}

// Time helpers: every time is stored as audit.TimeLayout text.

func ts(t time.Time) string { return audit.FormatTime(t) }

func tsPtr(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return ts(*t)
}

func parseTS(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := audit.ParseTime(s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func parseTSPtr(s sql.NullString) *time.Time {
	if !s.Valid || s.String == "" {
		return nil
	}
	t := parseTS(s.String)
	return &t
}

func toJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only our own types are marshalled
	}
	return string(b)
}

func fromJSON(s string, v any) error {
	if s == "" {
		return nil
	}
	return json.Unmarshal([]byte(s), v)
}

func strList(v []string) string {
	if v == nil {
		v = []string{}
	}
	return toJSON(v)
}

// execRows runs head + one placeholder group per row + tail (a
// multi-row INSERT): up to rowsAtOnce rows in one statement, more in
// chunks of the sizes of rowChunks and the rest in one statement. So a
// statement has a few texts whatever the number of rows, and they stay in
// the connection's statement cache instead of being compiled each time,
// while a report's few targets still go in one statement.
func (t *tx) execRows(head, group, tail string, rows [][]any) error {
	for len(rows) > 0 {
		n := len(rows)
		if n > rowsAtOnce {
			for _, c := range rowChunks {
				if n >= c {
					n = c
					break
				}
			}
		}
		args := make([]any, 0, n*len(rows[0]))
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		if _, err := t.exec(head+strings.TrimSuffix(strings.Repeat(group+", ", n), ", ")+tail, args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// rowsAtOnce and rowChunks are the numbers of rows execRows puts in one
// statement: any number up to rowsAtOnce, else a chunk.
const rowsAtOnce = 16

var rowChunks = []int{256, 64, rowsAtOnce}

func decPtr(d *plan.Decimal) any {
	if d == nil {
		return nil
	}
	return d.String()
}

func scanDec(s sql.NullString) (*plan.Decimal, error) {
	if !s.Valid {
		return nil, nil
	}
	d, err := plan.ParseDecimal(s.String)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

func nullStr(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

func strPtr(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	v := s.String
	return &v
}

func notFound(format string, args ...any) error {
	return plan.Errorf(plan.ENotFound, format, args...)
}

// Ping checks that both pools reach the database (readiness).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return mapError(err)
	}
	return mapError(s.r.PingContext(ctx))
}
