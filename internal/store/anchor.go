package store

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"minsheng/internal/audit"
	"minsheng/internal/plan"
)

// Anchors of the audit chain.
//
// The chain shows a row edited, removed or moved, but someone who can
// write the database can also rebuild the whole chain from a changed row
// on. What they cannot rewrite is a copy of the head written down
// elsewhere: once a day the server writes the head (seq and SM3 hash) to
// a file in a directory the operator keeps apart (another disk, a
// write-once share, another machine), and `audit verify --anchors DIR`
// checks that every anchored row still has the hash written down.

// Anchor is the head of the chain as written down at a time.
type Anchor struct {
	File string // where it was read from
	Seq  int64
	Hash string
	At   time.Time
}

const anchorPrefix = "audit-anchor-"

// WriteAnchor writes today's anchor (Asia/Shanghai date) into dir unless
// there is one already, and returns its path ("" when it was there).
func (s *Store) WriteAnchor(ctx context.Context, dir string) (string, error) {
	now := s.now()
	path := filepath.Join(dir, anchorPrefix+now.In(plan.Shanghai).Format("2006-01-02")+".txt")
	if _, err := os.Stat(path); err == nil {
		return "", nil
	}
	seq, hash, err := s.AuditHead(ctx)
	if err != nil {
		return "", err
	}
	line := fmt.Sprintf("seq=%d hash=%s at=%s\n", seq, hash, audit.FormatTime(now))
	tmp := path + ".part"
	if err := os.WriteFile(tmp, []byte(line), 0o444); err != nil {
		return "", err
	}
	if err := syncRename(tmp, path); err != nil {
		os.Remove(tmp)
		return "", err
	}
	return path, nil
}

// ReadAnchors reads every anchor file of dir, oldest first.
func ReadAnchors(dir string) ([]Anchor, error) {
	names, err := filepath.Glob(filepath.Join(dir, anchorPrefix+"*.txt"))
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, plan.Errorf(plan.EInvalid, "目录 %s 中没有审计链头锚点文件（%s日期.txt）", dir, anchorPrefix)
	}
	sort.Strings(names)
	var out []Anchor
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if strings.TrimSpace(sc.Text()) == "" {
				continue
			}
			a := Anchor{File: name}
			var at string
			if _, err := fmt.Sscanf(sc.Text(), "seq=%d hash=%s at=%s", &a.Seq, &a.Hash, &at); err != nil {
				f.Close()
				return nil, plan.Errorf(plan.EInvalid, "锚点文件 %s 格式错误：%q", name, sc.Text())
			}
			a.At, _ = audit.ParseTime(at)
			out = append(out, a)
		}
		f.Close()
	}
	return out, nil
}

// CheckAnchors compares the chain with anchors: each anchored row must
// still be there with the hash written down. It returns the first
// mismatch, nil when all agree.
func (s *Store) CheckAnchors(ctx context.Context, anchors []Anchor) (*audit.Break, error) {
	for _, a := range anchors {
		if a.Seq == 0 {
			continue // anchored before the first row
		}
		var hash string
		err := s.r.QueryRowContext(ctx, conn{pg: s.postgres}.q("SELECT hash FROM audit_log WHERE seq = ?"), a.Seq).Scan(&hash)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return &audit.Break{Seq: a.Seq, Kind: "anchor", Message: fmt.Sprintf("锚点 %s 记录的这一条已不存在（日志被截断或重建）", filepath.Base(a.File))}, nil
		case err != nil:
			return nil, mapError(err)
		case hash != a.Hash:
			return &audit.Break{Seq: a.Seq, Kind: "anchor", Message: fmt.Sprintf("哈希与锚点 %s 记录的不符（日志被改写后重新计算过链）", filepath.Base(a.File))}, nil
		}
	}
	return nil, nil
}
