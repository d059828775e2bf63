package audit

import (
	"fmt"
	"testing"
	"time"
)

func chain(n int) []Row {
	rows := make([]Row, n)
	prev := GenesisHash
	t0 := time.Date(2024, 6, 1, 8, 0, 0, 123456789, time.UTC)
	for i := range rows {
		rows[i] = Row{
			Seq: int64(i + 1), At: t0.Add(time.Duration(i) * time.Minute),
			Actor: "u1", Action: "report.save", Entity: "report", EntityID: fmt.Sprintf("r%d", i),
			Before: []byte(`{"v":1}`), After: []byte(fmt.Sprintf(`{"v":%d}`, i+2)),
		}
		rows[i].Seal(prev)
		prev = rows[i].Hash
	}
	return rows
}

func TestVerify(t *testing.T) {
	tests := []struct {
		name   string
		tamper func([]Row) []Row
		kind   string
		seq    int64
	}{
		{"intact", func(r []Row) []Row { return r }, "", 0},
		{"after JSON edited", func(r []Row) []Row { r[4].After = []byte(`{"v":999}`); return r }, Edited, 5},
		{"actor edited", func(r []Row) []Row { r[2].Actor = "u2"; return r }, Edited, 3},
		{"time edited", func(r []Row) []Row { r[2].At = r[2].At.Add(time.Second); return r }, Edited, 3},
		{"edited and re-hashed", func(r []Row) []Row {
			r[4].After = []byte(`{"v":999}`)
			r[4].Seal(r[4].PrevHash)
			return r
		}, Edited, 5},
		{"row deleted", func(r []Row) []Row { return append(r[:4], r[5:]...) }, Removed, 5},
		{"first row deleted", func(r []Row) []Row { return r[1:] }, Removed, 1},
		{"several rows deleted", func(r []Row) []Row { return append(r[:2], r[6:]...) }, Removed, 3},
		{"adjacent rows swapped", func(r []Row) []Row {
			r[4].Seq, r[5].Seq = r[5].Seq, r[4].Seq
			r[4], r[5] = r[5], r[4] // read back in seq order
			return r
		}, Reordered, 5},
		{"distant rows swapped", func(r []Row) []Row {
			r[2].Seq, r[7].Seq = r[7].Seq, r[2].Seq
			r[2], r[7] = r[7], r[2]
			return r
		}, Reordered, 3},
		{"hash replaced by garbage", func(r []Row) []Row { r[0].Hash = "zz"; return r }, Edited, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := Verify(tt.tamper(chain(10)))
			if tt.kind == "" {
				if b != nil {
					t.Fatalf("intact chain reported broken: %v", b)
				}
				return
			}
			if b == nil {
				t.Fatal("tampering not detected")
			}
			if b.Kind != tt.kind || b.Seq != tt.seq {
				t.Fatalf("got %s at %d (%s), want %s at %d", b.Kind, b.Seq, b.Message, tt.kind, tt.seq)
			}
		})
	}
}

func TestFinish(t *testing.T) {
	rows := chain(5)
	var v Verifier
	for i := range rows[:3] { // the last two rows cut off
		if b := v.Next(&rows[i]); b != nil {
			t.Fatal(b)
		}
	}
	if b := v.Finish(5, rows[4].Hash); b == nil || b.Kind != Removed || b.Seq != 4 {
		t.Fatalf("tail cut: %v", b)
	}
	var w Verifier
	for i := range rows {
		w.Next(&rows[i])
	}
	if b := w.Finish(5, rows[4].Hash); b != nil {
		t.Fatalf("intact: %v", b)
	}
	if w.Count() != 5 {
		t.Fatalf("Count = %d", w.Count())
	}
}

func TestCanonicalIsUnambiguous(t *testing.T) {
	a := Row{Seq: 1, Action: "ab", Entity: "c"}
	b := Row{Seq: 1, Action: "a", Entity: "bc"}
	if string(Canonical(&a)) == string(Canonical(&b)) {
		t.Fatal("field boundaries are not encoded")
	}
	// Nanoseconds beyond the stored microseconds do not change the hash,
	// so a row read back from storage hashes as it was written.
	c := Row{Seq: 1, At: time.Date(2024, 1, 1, 0, 0, 0, 1500, time.UTC)}
	d := c
	d.At = d.At.Truncate(time.Microsecond)
	if Hash(GenesisHash, &c) != Hash(GenesisHash, &d) {
		t.Fatal("hash depends on sub-microsecond time")
	}
}
