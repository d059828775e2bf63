package store

import (
	"context"
	"os"

	"minsheng/internal/plan"
)

// Backup writes a consistent copy of a SQLite database to path (which
// must not exist) while the store stays online: VACUUM INTO runs on the
// writer connection, so it sees every committed write and no half of one.
// On PostgreSQL it answers invalid: use pg_dump, which does the same
// there. Errors: invalid, conflict (path exists).
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.postgres {
		return plan.Errorf(plan.EInvalid, "PostgreSQL 数据库请使用 pg_dump 备份")
	}
	if _, err := os.Stat(path); err == nil {
		return plan.Errorf(plan.EConflict, "备份文件 %s 已存在", path)
	}
	_, err := s.w.ExecContext(ctx, "VACUUM INTO ?", path)
	return err
}
