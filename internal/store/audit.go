package store

import (
	"context"
	"database/sql"
	"encoding/json"

	"minsheng/internal/audit"
)

// appendAudit adds a row to the audit log in t's transaction. before and
// after are marshalled to JSON (nil stays nil). The head row is bumped
// first: on PostgreSQL its row lock holds other writers back until this
// transaction ends, so seq has no gaps and the chain no forks. The write
// counts for every public page (the data_versions row of everything),
// unless no public page shows its entity (unseenEntities); auditIn
// narrows it to one jurisdiction's year.
func (t *tx) audit(action, entity, entityID string, before, after any) error {
	sc := Everywhere
	if unseenEntities[entity] {
		sc = NoPublicPage
	}
	return t.auditIn(sc, action, entity, entityID, before, after)
}

// auditIn is audit for a write whose effect on what the public portal
// shows stays inside sc (dataversion.go): only sc's version moves.
func (t *tx) auditIn(sc Scope, action, entity, entityID string, before, after any) error {
	row := audit.Row{At: t.now, Actor: t.actor.ID, Action: action, Entity: entity, EntityID: entityID,
		Before: auditJSON(before), After: auditJSON(after)}
	var prev string
	if t.chain != nil {
		if err := t.chain.load(t); err != nil {
			return err
		}
		row.Seq, prev = t.chain.seq+1, t.chain.hash
	} else if err := t.row("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash").Scan(&row.Seq, &prev); err != nil {
		return err
	}
	row.Seal(prev)
	if _, err := t.exec(`INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		row.Seq, ts(row.At), row.Actor, row.Action, row.Entity, row.EntityID,
		nullBytes(row.Before), nullBytes(row.After), row.PrevHash, row.Hash); err != nil {
		return err
	}
	if t.chain != nil {
		t.chain.extend(row.Seq, row.Hash, sc)
		return nil
	}
	if _, err := t.exec("UPDATE audit_head SET hash = ? WHERE id = 1", row.Hash); err != nil {
		return err
	}
	return t.bumpVersion(sc, row.Seq)
}

// batchChain is, on SQLite, the end of the audit chain as the writes of a
// group-commit batch leave it: the head row is read once per batch and
// written once, with the data versions the writes moved, before the batch
// commits (writeBack), instead of three statements per audited write. The
// batch's transaction holds the only write lock, so nothing else moves the
// head meanwhile; a write rolled back to its savepoint takes its links
// back (mark, reset).
type batchChain struct {
	loaded   bool
	seq      int64
	hash     string
	versions []scopeSeq // in order; the last per scope wins
}

type scopeSeq struct {
	sc  Scope
	seq int64
}

// mark is where the chain stands before a write; reset(mark) takes the
// write's links back (the copy's versions keep their length then).
func (c *batchChain) mark() batchChain { return *c }

func (c *batchChain) reset(m batchChain) { *c = m }

func (c *batchChain) load(t *tx) error {
	if c.loaded {
		return nil
	}
	if err := t.row("SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&c.seq, &c.hash); err != nil {
		return err
	}
	c.loaded = true
	return nil
}

func (c *batchChain) extend(seq int64, hash string, sc Scope) {
	c.seq, c.hash = seq, hash
	c.versions = append(c.versions, scopeSeq{sc, seq})
}

// writeBack stores the head and the data versions the batch moved.
func (c *batchChain) writeBack(t *tx) error {
	if len(c.versions) == 0 {
		return nil
	}
	if _, err := t.exec("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", c.seq, c.hash); err != nil {
		return err
	}
	latest := map[Scope]int64{}
	var order []Scope
	for _, v := range c.versions {
		if _, ok := latest[v.sc]; !ok {
			order = append(order, v.sc)
		}
		latest[v.sc] = v.seq
	}
	for _, sc := range order {
		if err := t.bumpVersion(sc, latest[sc]); err != nil {
			return err
		}
	}
	return nil
}

func auditJSON(v any) []byte {
	switch x := v.(type) {
	case nil:
		return nil
	case json.RawMessage:
		return x
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	if string(b) == "null" {
		return nil
	}
	return b
}

func nullBytes(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// AuditRows returns audit rows with seq in [from, to] (to 0: to the end),
// in order, for display.
func (s *Store) AuditRows(ctx context.Context, from, to int64) ([]audit.Row, error) {
	var out []audit.Row
	err := s.read(ctx, func(c conn) error {
		q := "SELECT seq, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash FROM audit_log WHERE seq >= ?"
		args := []any{from}
		if to > 0 {
			q += " AND seq <= ?"
			args = append(args, to)
		}
		rows, err := c.query(q+" ORDER BY seq", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanAudit(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

func scanAudit(rows *sql.Rows) (audit.Row, error) {
	var r audit.Row
	var at string
	var before, after sql.NullString
	if err := rows.Scan(&r.Seq, &at, &r.Actor, &r.Action, &r.Entity, &r.EntityID, &before, &after, &r.PrevHash, &r.Hash); err != nil {
		return r, err
	}
	r.At = parseTS(at)
	if before.Valid {
		r.Before = []byte(before.String)
	}
	if after.Valid {
		r.After = []byte(after.String)
	}
	return r, nil
}

// AuditReport is the outcome of VerifyAudit.
type AuditReport struct {
	Rows  int64        `json:"rows"`  // rows verified intact
	Break *audit.Break `json:"break"` // the first break, nil when the log is intact
}

// VerifyAudit checks the whole audit log, streaming it in seq order, and
// compares its end with the head row. It returns the first break (edited,
// removed or reordered row), not an error, when the log was tampered with.
func (s *Store) VerifyAudit(ctx context.Context) (*AuditReport, error) {
	rep := &AuditReport{}
	err := s.read(ctx, func(c conn) error {
		v := audit.Verifier{Lookup: func(hash string) (int64, bool) {
			var seq int64
			if err := c.row("SELECT seq FROM audit_log WHERE hash = ?", hash).Scan(&seq); err != nil {
				return 0, false
			}
			return seq, true
		}}
		var headSeq int64
		var headHash string
		if err := c.row("SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&headSeq, &headHash); err != nil {
			return err
		}
		// Pages, not one cursor: Lookup queries the same connection, which
		// cannot run a query while a cursor is open on it.
		var last int64
		for rep.Break == nil {
			page, err := auditPage(c, last, 1000)
			if err != nil {
				return err
			}
			if len(page) == 0 {
				rep.Break = v.Finish(headSeq, headHash)
				break
			}
			for i := range page {
				if rep.Break = v.Next(&page[i]); rep.Break != nil {
					break
				}
			}
			last = page[len(page)-1].Seq
		}
		rep.Rows = v.Count()
		return nil
	})
	return rep, err
}

func auditPage(c conn, after int64, n int) ([]audit.Row, error) {
	rows, err := c.query(`SELECT seq, at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash
		FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`, after, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []audit.Row
	for rows.Next() {
		r, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// AuditHead returns the last seq and hash of the chain, to be written down
// elsewhere (a printed report, another system) as an external anchor.
func (s *Store) AuditHead(ctx context.Context) (seq int64, hash string, err error) {
	err = s.r.QueryRowContext(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&seq, &hash)
	return seq, hash, mapError(err)
}
