package store

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The writer leaves checkpoints to the checkpointer: what the writes put
// in the WAL reaches the database file without any write checkpointing
// (the WAL stays far below walSafetyPages here), and every committed row
// is there after the store is closed and opened again.
func TestBackgroundCheckpoint(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "minsheng.db")
	s := openTest(t, dsn)
	size := func() int64 {
		fi, err := os.Stat(dsn)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	f := newFixture(t, s)
	may := period("2024-05")
	must2(s.SaveAndSubmitReport(f.ctx, f.repA, f.p1.ID, may, f.fullReport(0, "0.5", "96", "100")))(t)
	// The plan and its report take a few hundred KB of pages; the file
	// of an empty database is a few pages.
	deadline := time.Now().Add(5 * time.Second)
	for size() < 200<<10 {
		if time.Now().After(deadline) {
			t.Fatalf("after 5 s the database file is %d bytes: nothing was checkpointed", size())
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.Close()
	s = openTest(t, dsn)
	if r := must(s.GetReport(f.ctx, f.sup, f.p1.ID, may))(t); r.Actual(f.p1.Targets[0].ID).String() != "0.5" {
		t.Fatalf("after reopening: %+v", r)
	}
}
