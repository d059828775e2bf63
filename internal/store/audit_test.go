package store

import (
	"context"
	"strings"
	"testing"

	"minsheng/internal/audit"
)

// auditedStore is a fixture with a report saved and submitted: some dozens
// of audit rows.
func auditedStore(t *testing.T, s *Store) *fixture {
	f := newFixture(t, s)
	may := period("2024-05")
	r := saved(s.SaveReport(f.ctx, f.repA, f.p1.ID, may, f.fullReport(0, "0.5", "96", "100")))(t)
	must(s.SubmitReport(f.ctx, f.repA, f.p1.ID, may, r.Version))(t)
	must(s.AcceptReport(f.ctx, f.sup, f.p1.ID, may))(t)
	return f
}

func execRaw(t *testing.T, s *Store, q string, args ...any) {
	t.Helper()
	if _, err := s.WriteDB().Exec(conn{pg: s.postgres}.q(q), args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func TestAuditChain(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := auditedStore(t, s)
		ctx := f.ctx
		rep := must(s.VerifyAudit(ctx))(t)
		if rep.Break != nil {
			t.Fatalf("intact log reported broken: %v", rep.Break)
		}
		seq, hash := must2(s.AuditHead(ctx))(t)
		if rep.Rows != seq || rep.Rows < 10 || len(hash) != 64 {
			t.Fatalf("verified %d rows, head %d %s", rep.Rows, seq, hash)
		}
		rows := must(s.AuditRows(ctx, 1, 0))(t)
		if audit.Verify(rows) != nil {
			t.Fatal("rows read back do not verify")
		}
		var submit *audit.Row
		for i := range rows {
			if rows[i].Action == "report.submit" {
				submit = &rows[i]
			}
		}
		if submit == nil || submit.Actor != f.repA.ID || submit.Entity != "report" ||
			!strings.Contains(string(submit.Before), `"state":"draft"`) || !strings.Contains(string(submit.After), `"state":"submitted"`) {
			t.Fatalf("submit row: %+v", submit)
		}
		if !submit.At.Equal(june3) {
			t.Fatalf("audit time %v is not the store's clock", submit.At)
		}
	})
}

func TestAuditTamperingDetected(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, s *Store)
		kind   string
		seq    int64
	}{
		{"after JSON edited", func(t *testing.T, s *Store) {
			execRaw(t, s, `UPDATE audit_log SET after_json = '{"state":"accepted","investment_wan":"9999"}' WHERE seq = 5`)
		}, audit.Edited, 5},
		{"row deleted", func(t *testing.T, s *Store) {
			execRaw(t, s, "DELETE FROM audit_log WHERE seq = 7")
		}, audit.Removed, 7},
		{"last row deleted", func(t *testing.T, s *Store) {
			execRaw(t, s, "DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)")
		}, audit.Removed, -1},
		{"two rows' seq swapped", func(t *testing.T, s *Store) {
			execRaw(t, s, "UPDATE audit_log SET seq = -1 WHERE seq = 4")
			execRaw(t, s, "UPDATE audit_log SET seq = 4 WHERE seq = 9")
			execRaw(t, s, "UPDATE audit_log SET seq = 9 WHERE seq = -1")
		}, audit.Reordered, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eachBackend(t, func(t *testing.T, s *Store, dsn string) {
				auditedStore(t, s)
				ctx := context.Background()
				head, _ := must2(s.AuditHead(ctx))(t)
				tt.tamper(t, s)
				rep := must(s.VerifyAudit(ctx))(t)
				if rep.Break == nil {
					t.Fatal("tampering not detected")
				}
				want := tt.seq
				if want < 0 {
					want = head
				}
				if rep.Break.Kind != tt.kind || rep.Break.Seq != want {
					t.Fatalf("detected %s at %d (%s), want %s at %d", rep.Break.Kind, rep.Break.Seq, rep.Break.Message, tt.kind, want)
				}
				if rep.Break.Message == "" {
					t.Fatal("no message")
				}
			})
		})
	}
}

// TestAuditInSameTransaction: a write that fails leaves no audit row, and
// a successful one always has its row.
func TestAuditInSameTransaction(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx := f.ctx
		before, _ := must2(s.AuditHead(ctx))(t)
		_, _, err := s.SaveReport(ctx, f.repA, f.p1.ID, period("2024-05"), f.fullReport(3, "1", "96", "1"))
		if err == nil {
			t.Fatal("stale save succeeded")
		}
		if after, _ := must2(s.AuditHead(ctx))(t); after != before {
			t.Fatalf("failed write left audit rows: %d → %d", before, after)
		}
		saved(s.SaveReport(ctx, f.repA, f.p1.ID, period("2024-05"), f.fullReport(0, "1", "96", "1")))(t)
		var n int
		if err := s.DB().QueryRow(conn{pg: s.postgres}.q("SELECT COUNT(*) FROM audit_log WHERE action = ? AND entity = ?"), "report.save", "report").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("%d report.save rows", n)
		}
	})
}
