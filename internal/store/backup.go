package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"

	"minsheng/internal/plan"
)

// Backup writes a consistent copy of the database to path (which must not
// exist) while the store stays online.
//
// SQLite: VACUUM INTO on a connection of its own. Under WAL it reads one
// snapshot — every write committed before it began, no half of one — and
// does not hold the writer back, so reports keep being saved meanwhile.
// The copy is written under a temporary name, synced and renamed, so a
// file with the final name is always a whole backup.
//
// PostgreSQL: pg_dump (custom format, for pg_restore) when it is on PATH;
// otherwise invalid, with the advice to run pg_dump.
//
// Errors: invalid, conflict (path exists).
func (s *Store) Backup(ctx context.Context, path string) error {
	if _, err := os.Lstat(path); err == nil {
		return plan.Errorf(plan.EConflict, "备份文件 %s 已存在，请换一个文件名", path)
	}
	if s.postgres {
		return pgDump(ctx, s.dsn, path)
	}
	tmp := path + ".part"
	os.Remove(tmp)
	db, err := openSQLite(sqliteDSN(s.dsn))
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		os.Remove(tmp)
		return mapError(fmt.Errorf("备份失败: %w", err))
	}
	if err := syncRename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// syncRename makes the file at tmp durable and gives it the name path:
// VACUUM INTO does not sync what it writes. Opened read-only: fsync needs
// no write access on Linux, and an anchor is created 0444, which a server
// not running as root could not open for writing (it never wrote one).
func syncRename(tmp, path string) error {
	f, err := os.Open(tmp)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// pgDump runs pg_dump into path. A search_path parameter in the DSN (how
// the tests select a schema) is not understood by libpq; it becomes
// --schema.
func pgDump(ctx context.Context, dsn, path string) error {
	bin, err := exec.LookPath("pg_dump")
	if err != nil {
		return plan.Errorf(plan.EInvalid, "PostgreSQL 数据库请用 pg_dump 备份（本机未找到 pg_dump 命令），见 docs/运维手册.md")
	}
	args := []string{"--format=custom", "--no-owner", "--file", path + ".part"}
	if u, err := url.Parse(dsn); err == nil {
		q := u.Query()
		if sp := q.Get("search_path"); sp != "" {
			args = append(args, "--schema="+sp)
			q.Del("search_path")
			u.RawQuery = q.Encode()
			dsn = u.String()
		}
	}
	cmd := exec.CommandContext(ctx, bin, append(args, dsn)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		os.Remove(path + ".part")
		return fmt.Errorf("pg_dump 失败: %v: %s", err, out)
	}
	return syncRename(path+".part", path)
}

// Restore brings a SQLite backup back as a new database file at path,
// which must not exist (stop the server and move the damaged file aside
// first). The backup is copied under a temporary name, opened — which
// brings an older backup's schema up to date — and checked: SQLite's
// integrity check and the whole audit chain must pass, or nothing is
// left at path. It returns the audit report of the restored database.
//
// PostgreSQL targets are restored with pg_restore. Errors: invalid
// (not a SQLite backup, damaged, PostgreSQL target), conflict (path
// exists).
func Restore(ctx context.Context, backup, path string) (*AuditReport, error) {
	if isPostgresDSN(path) {
		return nil, plan.Errorf(plan.EInvalid, "恢复到 PostgreSQL 请用 pg_restore（见 docs/运维手册.md）")
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if _, err := os.Lstat(p); err == nil {
			return nil, plan.Errorf(plan.EConflict, "%s 已存在：请先停止服务并把原数据库文件移走，再恢复", p)
		}
	}
	if err := checkSQLiteHeader(backup); err != nil {
		return nil, err
	}
	tmp := path + ".restoring"
	for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
		os.Remove(p)
	}
	if err := copyFile(backup, tmp); err != nil {
		return nil, err
	}
	rep, err := checkRestored(ctx, tmp)
	if err == nil {
		// Closing the last connection checkpoints the WAL into the file;
		// a WAL left over would be lost by the rename.
		if _, statErr := os.Stat(tmp + "-wal"); statErr == nil {
			err = fmt.Errorf("恢复失败：临时文件 %s-wal 未合并", tmp)
		}
	}
	if err == nil {
		err = syncRename(tmp, path)
	}
	if err != nil {
		for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
			os.Remove(p)
		}
		return nil, err
	}
	return rep, nil
}

func checkRestored(ctx context.Context, path string) (*AuditReport, error) {
	st, err := Open(ctx, path)
	if err != nil {
		return nil, plan.Errorf(plan.EInvalid, "备份文件无法打开：%v", err)
	}
	defer st.Close()
	var ok string
	if err := st.r.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		return nil, plan.Errorf(plan.EInvalid, "备份文件已损坏（integrity_check：%s %v）", ok, err)
	}
	rep, err := st.VerifyAudit(ctx)
	if err != nil {
		return nil, err
	}
	if rep.Break != nil {
		return nil, plan.Errorf(plan.EInvalid, "备份中的审计日志不完整：%s", rep.Break.Error())
	}
	return rep, nil
}

// checkSQLiteHeader refuses a file that is not a SQLite database (a
// pg_dump archive, say) before anything is written.
func checkSQLiteHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return plan.Errorf(plan.EInvalid, "无法读取备份文件 %s：%v", path, err)
	}
	defer f.Close()
	head := make([]byte, 16)
	if _, err := io.ReadFull(f, head); err != nil || string(head) != "SQLite format 3\x00" {
		return plan.Errorf(plan.EInvalid, "%s 不是 SQLite 备份文件（PostgreSQL 的备份请用 pg_restore 恢复）", path)
	}
	return nil
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return errors.Join(dst.Sync(), dst.Close())
}
