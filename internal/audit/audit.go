// Package audit holds the pure logic of the append-only, hash-chained audit
// log: the canonical bytes of a row, its SM3 hash, and the verification that
// finds the first row edited, removed or moved. Storage lives elsewhere
// (internal/store); this package does no I/O.
//
// Each row carries the hash of the row before it (PrevHash) and its own
// Hash = SM3(PrevHash ‖ Canonical(row)). Editing a row breaks its hash;
// re-hashing it breaks the link from the next row; deleting a row leaves a
// gap in Seq; moving a row (changing Seq) leaves it linked to a row that is
// no longer its predecessor. Cutting the tail off is caught only against a
// head kept elsewhere (see Verifier.Finish).
package audit

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/emmansun/gmsm/sm3"
)

// GenesisHash is the PrevHash of the first row.
var GenesisHash = hex.EncodeToString(make([]byte, sm3.Size))

// TimeLayout is how row times are written, in UTC with microseconds and a
// fixed width, both in storage and in the canonical bytes, so a round trip
// through either database gives the same bytes (and text order is time
// order).
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// FormatTime writes t in TimeLayout.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ParseTime reads a time written by FormatTime.
func ParseTime(s string) (time.Time, error) { return time.Parse(TimeLayout, s) }

// Row is one entry of the audit log: who did what to which entity, when,
// and the entity before and after as JSON (nil for none: before a creation,
// after a deletion).
type Row struct {
	Seq      int64     `json:"seq"` // 1, 2, … without gaps
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`  // user ID, or "system"
	Action   string    `json:"action"` // e.g. report.submit
	Entity   string    `json:"entity"` // e.g. report
	EntityID string    `json:"entity_id"`
	Before   []byte    `json:"before,omitempty"`
	After    []byte    `json:"after,omitempty"`
	PrevHash string    `json:"prev_hash"` // hex
	Hash     string    `json:"hash"`      // hex
}

// canonicalTag versions the encoding: a change of Canonical must change it.
const canonicalTag = "minsheng-audit-v1"

// Canonical returns the bytes of r that its hash covers: every field but
// the hashes, each length-prefixed so that no two different rows encode
// alike (moving a character from Action to Entity changes the bytes).
func Canonical(r *Row) []byte {
	var b bytes.Buffer
	field := func(p []byte) {
		var n [binary.MaxVarintLen64]byte
		b.Write(n[:binary.PutUvarint(n[:], uint64(len(p)))])
		b.Write(p)
	}
	field([]byte(canonicalTag))
	var seq [8]byte
	binary.BigEndian.PutUint64(seq[:], uint64(r.Seq))
	field(seq[:])
	field([]byte(FormatTime(r.At)))
	field([]byte(r.Actor))
	field([]byte(r.Action))
	field([]byte(r.Entity))
	field([]byte(r.EntityID))
	field(r.Before)
	field(r.After)
	return b.Bytes()
}

// Hash returns hex(SM3(prev ‖ Canonical(r))), prev being the previous row's
// hash in hex (GenesisHash for the first row). A prev that is not valid hex
// is hashed as its text, so a tampered value still yields a (wrong) hash.
func Hash(prev string, r *Row) string {
	h := sm3.New()
	if p, err := hex.DecodeString(prev); err == nil {
		h.Write(p)
	} else {
		h.Write([]byte(prev))
	}
	h.Write(Canonical(r))
	return hex.EncodeToString(h.Sum(nil))
}

// Seal sets r's PrevHash to prev and computes its Hash.
func (r *Row) Seal(prev string) {
	r.PrevHash = prev
	r.Hash = Hash(prev, r)
}

// Kinds of break.
const (
	Edited    = "edited"    // a row's content no longer matches its hash, or it was re-hashed
	Removed   = "removed"   // rows are missing: a gap in Seq, or the tail cut off
	Reordered = "reordered" // a row sits where it was not written
	Broken    = "broken"    // the chain is broken in a way none of the above explains
)

// Break is the first place where the log is not as it was written.
type Break struct {
	Seq     int64  `json:"seq"` // the row at fault (the first missing one for Removed)
	Kind    string `json:"kind"`
	Message string `json:"message"` // Chinese, for the operator
}

func (b *Break) Error() string { return fmt.Sprintf("审计日志第 %d 条：%s", b.Seq, b.Message) }

// Verifier checks rows one at a time, in Seq order, so that a log of any
// length can be verified without holding it in memory.
type Verifier struct {
	// Lookup finds the row whose Hash is hash, for telling a moved row from
	// an edited one; nil means moved rows are reported as Broken.
	Lookup func(hash string) (seq int64, ok bool)

	n        int64
	lastSeq  int64
	lastHash string
	broken   *Break
}

// Next checks the next row and returns the first break found so far (after
// a break, it keeps returning it and checks nothing more).
func (v *Verifier) Next(r *Row) *Break {
	if v.broken != nil {
		return v.broken
	}
	if v.n == 0 {
		v.lastHash = GenesisHash
	}
	expected := v.lastSeq + 1
	bad := func(seq int64, kind, format string, args ...any) *Break {
		v.broken = &Break{Seq: seq, Kind: kind, Message: fmt.Sprintf(format, args...)}
		return v.broken
	}
	switch {
	case r.Seq > expected:
		if r.Seq == expected+1 {
			return bad(expected, Removed, "记录缺失（第 %d 条之后直接是第 %d 条），有记录被删除", v.lastSeq, r.Seq)
		}
		return bad(expected, Removed, "第 %d 至 %d 条记录缺失，有记录被删除", expected, r.Seq-1)
	case r.Seq < expected:
		return bad(r.Seq, Reordered, "序号 %d 重复或倒序出现（应为第 %d 条），记录被移动或复制", r.Seq, expected)
	}
	if r.PrevHash != v.lastHash {
		if v.Lookup != nil {
			if seq, ok := v.Lookup(r.PrevHash); ok && seq != v.lastSeq {
				return bad(r.Seq, Reordered, "记录位置被调换：它原本接在第 %d 条之后，现在排在第 %d 条之后", seq, v.lastSeq)
			}
		}
		if Hash(r.PrevHash, r) == r.Hash && v.n > 0 {
			return bad(v.lastSeq, Edited, "记录被改动后重新计算了哈希（与第 %d 条的链接不符）", r.Seq)
		}
		return bad(r.Seq, Broken, "与前一条记录的哈希链接不符")
	}
	if Hash(r.PrevHash, r) != r.Hash {
		return bad(r.Seq, Edited, "记录内容与其哈希不符，记录被改动（操作 %s，对象 %s %s）", r.Action, r.Entity, r.EntityID)
	}
	v.n++
	v.lastSeq = r.Seq
	v.lastHash = r.Hash
	return nil
}

// Finish checks the end of the log against a head kept elsewhere (the last
// seq and hash recorded when the last row was written); pass headSeq 0 to
// skip the check. It returns the first break, if any.
func (v *Verifier) Finish(headSeq int64, headHash string) *Break {
	if v.broken != nil {
		return v.broken
	}
	if headSeq == 0 {
		return nil
	}
	if v.lastSeq < headSeq {
		v.broken = &Break{Seq: v.lastSeq + 1, Kind: Removed, Message: fmt.Sprintf("日志末尾的第 %d 至 %d 条记录缺失，有记录被删除", v.lastSeq+1, headSeq)}
	} else if v.lastSeq > headSeq || v.lastHash != headHash {
		v.broken = &Break{Seq: v.lastSeq, Kind: Edited, Message: fmt.Sprintf("日志末尾与记录的链头（第 %d 条）不符", headSeq)}
	}
	return v.broken
}

// Count is the number of rows verified intact so far.
func (v *Verifier) Count() int64 { return v.n }

// Verify checks a whole log, given in Seq order, and returns the first
// break, or nil when it is intact.
func Verify(rows []Row) *Break {
	bySeq := make(map[string]int64, len(rows))
	for _, r := range rows {
		bySeq[r.Hash] = r.Seq
	}
	v := Verifier{Lookup: func(h string) (int64, bool) { s, ok := bySeq[h]; return s, ok }}
	for i := range rows {
		if b := v.Next(&rows[i]); b != nil {
			return b
		}
	}
	return nil
}
