#!/bin/sh
# rebuild-peak.sh BIN DB: the server's peak memory while it rebuilds the
# roll-up facts at start (docs/PERFORMANCE.md §十三). It clears the facts'
# basis in the SQLite file DB, starts BIN serve on it, waits until the
# basis is written again and prints VmHWM. Needs python3 (module sqlite3).
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE rollup_basis SET basis=''\"); c.commit()" "$2"
"$1" serve --db "$2" --addr 127.0.0.1:8096 > /tmp/rebuild-serve.log 2>&1 &
sleep 2
PID=$(pgrep -f "addr 127.0.0.1:8096")
start=$(date +%s)
while python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); sys.exit(0 if c.execute('SELECT basis FROM rollup_basis').fetchone()[0]=='' else 1)" "$2" 2>/dev/null; do sleep 1; done
echo "rebuilt in about $(( $(date +%s) - start + 2 )) s"
grep VmHWM /proc/$PID/status
kill $PID
