package store

import (
	"database/sql"
	"sync"
	"time"
)

// WAL checkpoints off the write path (SQLite).
//
// In WAL mode SQLite appends the pages a commit changed to the -wal file,
// and by default the connection whose commit takes the WAL past 1,000
// pages then copies them back into the database file — a write per page
// and an fsync of the file — before its COMMIT returns. Every write goes
// through the one writer (groupcommit.go), so every few batches all the
// waiting writes waited for a checkpoint as well: about a tenth of the
// report submission rate (docs/PERFORMANCE.md). So the writer checkpoints
// only as a safety net, past walSafetyPages, and a goroutine of its own
// runs PASSIVE checkpoints on a connection of its own every
// checkpointEvery: they copy what no reader still needs while the writer
// goes on. Durability does not depend on checkpoints: a commit is on disk
// once the WAL is synced (synchronous=FULL).

const (
	checkpointEvery = 200 * time.Millisecond
	walSafetyPages  = 20000 // about 80 MB of WAL
)

type checkpointer struct {
	db         *sql.DB
	stop, done chan struct{}
	once       sync.Once
}

func startCheckpointer(dsn string) (*checkpointer, error) {
	db, err := openSQLite(sqliteDSN(dsn))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	c := &checkpointer{db: db, stop: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c, nil
}

func (c *checkpointer) loop() {
	defer close(c.done)
	tick := time.NewTicker(checkpointEvery)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
			// A failure (the disk full, a reader in the way) leaves the
			// pages in the WAL for the next try, or for the safety net.
			c.db.Exec("PRAGMA wal_checkpoint(PASSIVE)")
		}
	}
}

// close ends the loop (once: the store may be closed again); the last
// connection to close checkpoints the rest.
func (c *checkpointer) close() (err error) {
	c.once.Do(func() {
		close(c.stop)
		<-c.done
		err = c.db.Close()
	})
	return err
}
