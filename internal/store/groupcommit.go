package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"

	"minsheng/internal/plan"
)

// Group commit for SQLite.
//
// With synchronous=FULL every commit waits for the disk (an fsync of the
// WAL); one report per fsync caps the store at the disk's sync rate however
// fast the rest is. So on SQLite the writes of concurrent requests are
// queued to one goroutine, which runs each in a SAVEPOINT of a shared
// transaction and commits them together: one fsync for the batch.
//
// Each write still succeeds or fails on its own: a write whose function
// returns an error (or panics) is rolled back to its savepoint and its
// caller gets that error, while the others of the batch go on. A write is
// acknowledged (its caller returns nil) only after the batch's COMMIT
// returned, so an acknowledged write is on disk; if the COMMIT fails,
// every write of the batch gets the error and none of them happened. A
// write begins with its own clock reading (tx.now), as before.
//
// A batch takes the writes that are waiting when it starts and those that
// arrive while it runs, up to maxGroup; when one writer is alone, its
// batch is itself and nothing waits for company.

// maxGroup bounds the writes committed together.
const maxGroup = 64

type committer struct {
	s    *Store
	reqs chan *writeReq
	mu   sync.RWMutex // held for reading while sending, for writing to close
	shut bool
	done chan struct{}
}

type writeReq struct {
	ctx    context.Context
	actor  *plan.User
	fn     func(t *tx) error
	err    error
	panicV any
	done   chan struct{}
}

func startCommitter(s *Store) *committer {
	c := &committer{s: s, reqs: make(chan *writeReq, maxGroup), done: make(chan struct{})}
	go c.loop()
	return c
}

// do queues fn and waits for its batch to commit or fail. It waits even
// when ctx ends meanwhile: a write that has begun is finished and
// committed (or not) as a whole; one not begun yet is skipped.
func (c *committer) do(ctx context.Context, actor *plan.User, fn func(t *tx) error) error {
	r := &writeReq{ctx: ctx, actor: actor, fn: fn, done: make(chan struct{})}
	c.mu.RLock()
	if c.shut {
		c.mu.RUnlock()
		return fmt.Errorf("数据库已关闭")
	}
	c.reqs <- r
	c.mu.RUnlock()
	<-r.done
	if r.panicV != nil {
		panic(r.panicV)
	}
	return r.err
}

// QueueDepth is how many writes wait for the database: on SQLite those
// queued for the next batch, on PostgreSQL the connections in use.
func (s *Store) QueueDepth() int {
	if s.gc != nil {
		return len(s.gc.reqs)
	}
	return s.w.Stats().InUse
}

// stop lets the queued writes finish and ends the loop.
func (c *committer) stop() {
	c.mu.Lock()
	if !c.shut {
		c.shut = true
		close(c.reqs)
	}
	c.mu.Unlock()
	<-c.done
}

func (c *committer) loop() {
	defer close(c.done)
	for first := range c.reqs {
		c.commit(first)
	}
}

// commit runs first and the writes that are waiting, or arrive while the
// batch runs, up to maxGroup, in one transaction, and commits it.
func (c *committer) commit(first *writeReq) {
	batch := []*writeReq{first}
	defer func() {
		for _, r := range batch {
			close(r.done)
		}
	}()
	sqlTx, err := c.s.w.BeginTx(context.Background(), nil)
	if err != nil {
		first.err = mapError(err)
		return
	}
	var broken error
	b := &batchState{totals: &deferredTotals{}, facts: &deferredFacts{}, chain: &batchChain{}}
	for i := 0; broken == nil && i < len(batch); i++ {
		broken = c.run(sqlTx, batch[i], b)
		if broken == nil && i == len(batch)-1 && len(batch) < maxGroup {
			select {
			case r, ok := <-c.reqs:
				if ok {
					batch = append(batch, r)
				}
			default:
			}
		}
	}
	if broken == nil {
		broken = c.finishBatch(sqlTx, b)
	}
	if broken == nil {
		broken = sqlTx.Commit()
	} else {
		// The transaction cannot go on (SQLite rolled it back, or a
		// savepoint failed): nothing of the batch is kept.
		sqlTx.Rollback()
	}
	if broken != nil {
		broken = mapError(broken)
		for _, r := range batch {
			if r.err == nil && r.panicV == nil {
				r.err = broken
			}
		}
	}
}

// batchState is what the writes of a batch leave to the batch, to be
// done once before it commits: the roll-up facts to recompute, the
// changes to the totals, the audit chain's head and data versions.
type batchState struct {
	totals *deferredTotals
	facts  *deferredFacts
	chain  *batchChain
}

// finishBatch recomputes the facts the batch's writes made stale, applies
// the batch's changes to the totals (those of the recomputation
// included) and writes the audit chain's head back.
func (c *committer) finishBatch(sqlTx *sql.Tx, b *batchState) error {
	t := &tx{conn: conn{x: sqlTx, ctx: context.Background(), projects: c.s.projects}, s: c.s, now: c.s.now(), actor: plan.SystemUser,
		totals: b.totals}
	if err := t.refreshDeferred(b.facts); err != nil {
		return err
	}
	if len(b.totals.deltas) > 0 {
		t.totals = nil
		if err := t.addToTotals(b.totals.deltas); err != nil {
			return err
		}
	}
	return b.chain.writeBack(t)
}

// run runs one write in a savepoint of the batch's transaction. If it
// succeeds, its changes to the roll-up totals join the batch's; if not,
// its links of the audit chain are taken back. The projects whose facts
// it left to the batch stay noted either way. It returns an error only
// when the transaction itself failed.
func (c *committer) run(sqlTx *sql.Tx, r *writeReq, b *batchState) error {
	if err := r.ctx.Err(); err != nil {
		r.err = err // given up before it began
		return nil
	}
	// Statements do not watch the request's context: interrupting one
	// could roll back the whole shared transaction.
	t := &tx{conn: conn{x: sqlTx, ctx: context.WithoutCancel(r.ctx), projects: c.s.projects}, s: c.s, now: c.s.now(), actor: r.actor,
		totals: &deferredTotals{}, facts: b.facts, chain: b.chain}
	if _, err := t.exec("SAVEPOINT w"); err != nil {
		return err
	}
	chainAt := b.chain.mark()
	r.err = callWrite(r, t)
	if r.err != nil || r.panicV != nil {
		b.chain.reset(chainAt)
		if _, err := t.exec("ROLLBACK TO w"); err != nil {
			return err
		}
	}
	if _, err := t.exec("RELEASE w"); err != nil {
		return err
	}
	if r.err == nil && r.panicV == nil {
		b.totals.merge(t.totals)
	}
	return nil
}

// callWrite runs a write's function, turning a panic into a rollback here
// and a panic again in the caller's goroutine.
func callWrite(r *writeReq, t *tx) (err error) {
	defer func() {
		if v := recover(); v != nil {
			r.panicV = v
			err = nil
		}
	}()
	if err := r.fn(t); err != nil {
		return mapError(err)
	}
	return nil
}
