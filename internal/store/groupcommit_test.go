package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"minsheng/internal/plan"
)

// holdWriter starts a write that blocks until release is called, so that
// the writes queued meanwhile are committed as one batch after it.
func holdWriter(t *testing.T, s *Store) (release func(), done <-chan error) {
	t.Helper()
	d := make(chan error, 1)
	running, free := make(chan struct{}), make(chan struct{})
	go func() {
		d <- s.write(context.Background(), plan.SystemUser, func(tx *tx) error {
			close(running)
			<-free
			return nil
		})
	}()
	<-running
	return func() { close(free) }, d
}

// queued waits until n writes wait in the queue.
func queued(t *testing.T, s *Store, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); len(s.gc.reqs) < n; time.Sleep(100 * time.Microsecond) {
		if time.Now().After(deadline) {
			t.Fatalf("only %d writes queued, want %d", len(s.gc.reqs), n)
		}
	}
}

// TestGroupCommitEachWriteAlone: in one batch, a write that fails and one
// that panics are rolled back alone; the others commit, each with its
// audit row, and the chain stays whole.
func TestGroupCommitEachWriteAlone(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "gc.db"))
	ctx := context.Background()
	must(s.EnsureJurisdiction(ctx, plan.SystemUser, plan.JurisdictionRecord{Code: "360112", Name: "新建区"}))(t)
	const n = 12
	release, held := holdWriter(t, s)
	errs := make([]error, n)
	panics := make([]any, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { panics[i] = recover() }()
			errs[i] = s.write(ctx, plan.SystemUser, func(t *tx) error {
				u, err := t.ensureUnit("360112", fmt.Sprintf("单位%02d", i))
				if err != nil {
					return err
				}
				switch i {
				case 3:
					return plan.Errorf(plan.EConflict, "第 3 个写入失败")
				case 7:
					panic("第 7 个写入出错")
				}
				return t.audit("test.write", "unit", u.ID, nil, nil)
			})
		}(i)
		queued(t, s, i+1) // in order
	}
	release()
	wg.Wait()
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		_, err := s.FindUnit(ctx, "360112", fmt.Sprintf("单位%02d", i))
		switch i {
		case 3:
			wantCode(t, errs[i], plan.EConflict)
			wantCode(t, err, plan.ENotFound)
		case 7:
			if panics[i] != "第 7 个写入出错" {
				t.Errorf("write 7: panic %v, error %v", panics[i], errs[i])
			}
			wantCode(t, err, plan.ENotFound)
		default:
			if errs[i] != nil || panics[i] != nil || err != nil {
				t.Errorf("write %d: %v, panic %v; unit: %v", i, errs[i], panics[i], err)
			}
		}
	}
	rep := must(s.VerifyAudit(ctx))(t)
	// jurisdiction.create + 10 × (unit.create + test.write)
	if rep.Break != nil || rep.Rows != 1+2*(n-2) {
		t.Errorf("audit: %d rows, break %v", rep.Rows, rep.Break)
	}
}

// TestGroupCommitCancelledBeforeStart: a write whose context ends while it
// waits is not run.
func TestGroupCommitCancelledBeforeStart(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "gc.db"))
	release, held := holdWriter(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	ran := false
	done := make(chan error)
	go func() {
		done <- s.write(ctx, plan.SystemUser, func(t *tx) error { ran = true; return nil })
	}()
	queued(t, s, 1)
	cancel()
	release()
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, context.Canceled) || ran {
		t.Errorf("cancelled write: %v, ran %v", err, ran)
	}
	// The store goes on.
	must(s.EnsureJurisdiction(context.Background(), plan.SystemUser, plan.JurisdictionRecord{Code: "360112", Name: "新建区"}))(t)
}

// TestGroupCommitClose: Close waits for queued writes; later writes fail.
func TestGroupCommitClose(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "gc.db"))
	if err != nil {
		t.Fatal(err)
	}
	release, held := holdWriter(t, s)
	done := make(chan error, 1)
	go func() {
		done <- s.write(context.Background(), plan.SystemUser, func(t *tx) error {
			_, err := t.ensureJurisdiction(plan.JurisdictionRecord{Code: "360112", Name: "新建区"})
			return err
		})
	}()
	queued(t, s, 1)
	closed := make(chan error)
	go func() { closed <- s.Close() }()
	time.Sleep(10 * time.Millisecond) // Close is waiting for the writes
	release()
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Errorf("queued write: %v", err)
	}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if err := s.write(context.Background(), plan.SystemUser, func(t *tx) error { return nil }); err == nil {
		t.Error("a write after Close succeeded")
	}
}
