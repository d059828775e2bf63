package store

import (
	"context"
	"database/sql"
	"time"
)

// Data versions: what the public portal's caches and validators (ETag,
// Last-Modified) are keyed on. Every audited write moves one of the rows
// of data_versions in its own transaction, with its audit seq and time:
// the row of its jurisdiction's year when the writer knows that nothing
// outside that year of that jurisdiction changes for a public reader
// (auditIn), else the row ('', 0) of everything (audit). A page of a plan
// or a project is built from its jurisdiction's year only (plan, projects,
// accepted reports and their releases, statuses, monthly plans, approved
// comments), so it is current while those two rows stand still; the
// index of plans depends on ('', 0) alone. A write left unscoped costs
// only cache hits, never correctness.

// Scope is the part of the data a write changes for public readers: one
// jurisdiction's year, or Everywhere.
type Scope struct {
	JurisdictionCode string
	Year             int
}

// Everywhere is the scope of a write that may change any public page.
var Everywhere = Scope{}

// NoPublicPage is the scope of a write that no public page shows at all
// (a resident's phone verification code, a comment awaiting moderation):
// it moves a row no page reads.
var NoPublicPage = Scope{JurisdictionCode: "-"}

// unseenEntities are the audited entities no public page shows: accounts
// and their sessions (every login and logout is an audited write) and the
// reminders' outbox (which the server's own loop writes). Left in
// Everywhere, each would drop every cached public page.
var unseenEntities = map[string]bool{"user": true, "outbox": true}

// ScopeOf is the scope of a project's (or plan's) jurisdiction and year.
func ScopeOf(jurisdictionCode string, year int) Scope { return Scope{jurisdictionCode, year} }

// Version is what a public page was built from: the seq of the last write
// of everything (All) and of the last write to its jurisdiction's year
// (Scope, 0 for none), and the time of the later of the two.
type Version struct {
	All   int64
	Scope int64
	At    time.Time
}

// NotOlder reports whether v has seen every write that w has.
func (v Version) NotOlder(w Version) bool { return v.All >= w.All && v.Scope >= w.Scope }

// bumpVersion records the audited write seq as sc's latest.
func (t *tx) bumpVersion(sc Scope, seq int64) error {
	_, err := t.exec(`INSERT INTO data_versions (jurisdiction_code, year, seq, at) VALUES (?, ?, ?, ?)
		ON CONFLICT (jurisdiction_code, year) DO UPDATE SET seq = excluded.seq, at = excluded.at`,
		sc.JurisdictionCode, sc.Year, seq, ts(t.now))
	return err
}

// DataVersion is the version of what depends on no jurisdiction's year
// in particular (the index of published plans). One primary-key read.
func (s *Store) DataVersion(ctx context.Context) (Version, error) {
	v, _, err := s.versionOf(ctx, "")
	return v, err
}

// PlanVersion is the version of a plan's public pages. An unknown plan
// has the version of everything (its 404 is not cached).
func (s *Store) PlanVersion(ctx context.Context, planID string) (Version, error) {
	v, _, err := s.versionOf(ctx, `SELECT p.id, COALESCE(v.seq, 0), COALESCE(v.at, '') FROM plans p
		LEFT JOIN data_versions v ON v.jurisdiction_code = p.jurisdiction_code AND v.year = p.year WHERE p.id = ?`, planID)
	return v, err
}

// ProjectVersion is the version of a project's public pages, and the ID
// of its plan ("" when there is no such project).
func (s *Store) ProjectVersion(ctx context.Context, projectID string) (Version, string, error) {
	return s.versionOf(ctx, `SELECT p.plan_id, COALESCE(v.seq, 0), COALESCE(v.at, '') FROM projects p
		LEFT JOIN data_versions v ON v.jurisdiction_code = p.jurisdiction_code AND v.year = p.year WHERE p.id = ?`, projectID)
}

// versionOf reads the row of everything and, when scoped is a query, the
// row it selects (id, seq, at) in one statement outside a transaction:
// each row is one committed write's, and a page built after this read
// from newer data is only rebuilt once more, never shown as newer than
// it is.
func (s *Store) versionOf(ctx context.Context, scoped string, args ...any) (Version, string, error) {
	q := `SELECT '', seq, at FROM data_versions WHERE jurisdiction_code = '' AND year = 0`
	if scoped != "" {
		q += " UNION ALL " + scoped
	}
	rows, err := conn{x: s.r, ctx: ctx, pg: s.postgres}.query(q, args...)
	if err != nil {
		return Version{}, "", mapError(err)
	}
	defer rows.Close()
	var v Version
	var id string
	for rows.Next() {
		var rid string
		var seq int64
		var at sql.NullString
		if err := rows.Scan(&rid, &seq, &at); err != nil {
			return Version{}, "", err
		}
		if rid == "" { // the row of everything; IDs are never empty
			v.All = seq
		} else {
			id, v.Scope = rid, seq
		}
		if t := parseTS(at.String); t.After(v.At) {
			v.At = t
		}
	}
	return v, id, mapError(rows.Err())
}
