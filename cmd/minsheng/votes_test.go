package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// closedRoundDB is a SQLite file with a closed 人大票决 round of 新建区:
// three candidates, five deputies (votes 养老 4, 排水 3, 公园 1, one blank
// ballot), two seats.
func closedRoundDB(t *testing.T) (dbPath, roundID string) {
	t.Helper()
	ctx := context.Background()
	dbPath = filepath.Join(t.TempDir(), "m.db")
	st, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	st.Now = func() time.Time { return time.Date(2024, 12, 2, 9, 0, 0, 0, plan.Shanghai) }
	sys := plan.SystemUser
	sup := &plan.User{Username: "ducha", Role: plan.RoleSupervisor, JurisdictionCode: "360112"}
	if err := st.CreateUser(ctx, sys, sup, "密码-12345678"); err != nil {
		t.Fatal(err)
	}
	rd, err := st.CreateRound(ctx, sup, "360112", 2025, "")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, name := range []string{"建设社区嵌入式养老服务中心", "实施城区排水管网改造", "新建城市口袋公园"} {
		c, err := st.ProposeCandidate(ctx, sup, rd.ID, plan.Candidate{Name: name, Content: name, UnitName: "区住建局", Reason: "群众呼声高"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.ModerateCandidate(ctx, sup, c.ID, store.CandidateShortlist, ""); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	if rd, err = st.SetRoundSettings(ctx, sup, rd.ID, store.RoundSettings{Version: rd.Version, MaxChoices: 2, Seats: 2}); err != nil {
		t.Fatal(err)
	}
	if rd, err = st.OpenVoting(ctx, sup, rd.ID, rd.Version); err != nil {
		t.Fatal(err)
	}
	for i, choice := range [][]string{{ids[0], ids[1]}, {ids[0], ids[1]}, {ids[0], ids[2]}, {ids[0], ids[1]}, {}} {
		d := &plan.User{Username: fmt.Sprintf("daibiao%d", i), Role: plan.RoleDeputy, JurisdictionCode: "360112"}
		if err := st.CreateUser(ctx, sys, d, "密码-12345678"); err != nil {
			t.Fatal(err)
		}
		if err := st.CastBallot(ctx, d, rd.ID, choice); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.CloseRound(ctx, sup, rd.ID, rd.Version); err != nil {
		t.Fatal(err)
	}
	return dbPath, rd.ID
}

func runCmd(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(context.Background(), args, func(string) string { return "" }, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestVotesTally(t *testing.T) {
	db, round := closedRoundDB(t)
	code, out, stderr := runCmd("votes", "tally", "--round", round, "--db", db)
	if code != 0 || !strings.Contains(out, "选票 5 张（空白票 1 张）") || !strings.Contains(out, "与公布的结果一致") {
		t.Fatalf("tally: exit %d\n%s%s", code, out, stderr)
	}
	for name, want := range map[string]string{"建设社区嵌入式养老服务中心": "1 1 4 当选", "实施城区排水管网改造": "2 2 3 当选", "新建城市口袋公园": "3 3 1 未当选"} {
		found := false
		for _, line := range strings.Split(out, "\n") {
			if f := strings.Fields(line); len(f) == 6 && f[2] == name {
				found = strings.Join([]string{f[0], f[1], f[4], f[5]}, " ") == want
			}
		}
		if !found {
			t.Errorf("tally output: %s is not %q:\n%s", name, want, out)
		}
	}

	// The export verifies against the published hash and recounts the same.
	export := filepath.Join(t.TempDir(), "ballots.txt")
	if code, _, stderr := runCmd("votes", "ballots", "--round", round, "-o", export, "--db", db); code != 0 {
		t.Fatalf("ballots: %d %s", code, stderr)
	}
	if code, out, _ := runCmd("votes", "tally", "--round", round, "--ballots", export, "--db", db); code != 0 || !strings.Contains(out, "一致") {
		t.Fatalf("tally of the export: %d\n%s", code, out)
	}
	// A changed export (one ballot moved from 公园 to 排水) no longer
	// matches: the hash differs, and so does the count.
	raw, _ := os.ReadFile(export)
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	lines[len(lines)-1] = lines[1]
	forged := filepath.Join(t.TempDir(), "forged.txt")
	os.WriteFile(forged, []byte(plan.ExportBallots(plan.ParseBallotExport(strings.Join(lines, "\n")+"\n"))), 0o644)
	if code, out, _ := runCmd("votes", "tally", "--round", round, "--ballots", forged, "--db", db); code != 1 || !strings.Contains(out, "不一致") {
		t.Fatalf("forged export: exit %d\n%s", code, out)
	}
	os.WriteFile(forged, []byte("b,a\n"), 0o644)
	if code, _, stderr := runCmd("votes", "tally", "--round", round, "--ballots", forged, "--db", db); code != 2 || !strings.Contains(stderr, "不是选票导出格式") {
		t.Fatalf("unsorted export: exit %d %s", code, stderr)
	}
	os.WriteFile(forged, []byte("不是选票\n"), 0o644)
	if code, _, stderr := runCmd("votes", "tally", "--round", round, "--ballots", forged, "--db", db); code != 1 || !strings.Contains(stderr, "不在入围名单中") {
		t.Fatalf("export naming no candidate: exit %d %s", code, stderr)
	}

	// A ballot changed in the database is found.
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.WriteDB().Exec("UPDATE vote_ballots SET choices = '' WHERE id = (SELECT MIN(id) FROM vote_ballots WHERE choices <> '')"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if code, out, _ := runCmd("votes", "tally", "--round", round, "--db", db); code != 1 || !strings.Contains(out, "不一致") {
		t.Fatalf("tampered database: exit %d\n%s", code, out)
	}
	// So is a ballot added without a voter.
	st, err = store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.WriteDB().Exec("INSERT INTO vote_ballots (id, round_id, choices) SELECT 'extra', round_id, choices FROM vote_ballots LIMIT 1"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if code, out, _ := runCmd("votes", "tally", "--round", round, "--db", db); code != 1 || !strings.Contains(out, "选票被增删过") {
		t.Fatalf("added ballot: exit %d\n%s", code, out)
	}
	if code, _, _ := runCmd("votes", "tally", "--db", db); code != 2 {
		t.Fatalf("no --round: exit %d", code)
	}
	if code, _, stderr := runCmd("votes", "tally", "--round", "vr_nope", "--db", db); code != 2 || !strings.Contains(stderr, "不存在") {
		t.Fatalf("unknown round: exit %d %s", code, stderr)
	}
}
