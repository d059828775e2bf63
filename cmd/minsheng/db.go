package main

import (
	"flag"
	"fmt"

	"minsheng/internal/store"
)

// dbFlag adds --db to a subcommand: a SQLite file or postgres:// URL,
// defaulting to MINSHENG_DB, then ./minsheng.db.
func dbFlag(fs *flag.FlagSet, e env) *string {
	def := e.getenv("MINSHENG_DB")
	if def == "" {
		def = "minsheng.db"
	}
	return fs.String("db", def, "数据库：SQLite 文件路径或 postgres:// 连接串（默认取 MINSHENG_DB，否则 ./minsheng.db）")
}

func openStore(e env, dsn string) (*store.Store, error) {
	st, err := store.Open(e.ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("无法打开数据库 %s：%w", dsn, err)
	}
	return st, nil
}
