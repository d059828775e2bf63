package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"minsheng/internal/plan"
)

// runVotes: minsheng votes tally|ballots — recount a closed 人大票决 round
// from its stored ballots (or from a ballot export), or write the export.
//
//	minsheng votes tally --round ID [--ballots FILE] [--db …]
//	minsheng votes ballots --round ID [-o FILE] [--db …]
//
// tally prints the count and compares it with the result published when
// the round closed: exit 0 when they agree, 1 when they do not (or the
// export's hash is not the published one), 2 for unusable input.
func runVotes(e env, args []string) int {
	const use = "用法：minsheng votes tally --round 轮次ID [--ballots 选票导出文件] [--db …]\n      minsheng votes ballots --round 轮次ID [-o 文件] [--db …]"
	if len(args) == 0 || (args[0] != "tally" && args[0] != "ballots") {
		fmt.Fprintln(e.stderr, use)
		return exitUnusable
	}
	fs := flag.NewFlagSet("votes "+args[0], flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	roundID := fs.String("round", "", "票决轮次 ID（见 /api/v1/votes/rounds）")
	ballotsFile := fs.String("ballots", "", "tally：按此选票导出文件重新计票，而不是数据库中的选票")
	out := fs.String("o", "", "ballots：写入的文件（默认标准输出）")
	db := dbFlag(fs, e)
	if err := fs.Parse(args[1:]); err != nil {
		return exitUnusable
	}
	if *roundID == "" || fs.NArg() > 0 {
		fmt.Fprintln(e.stderr, use)
		return exitUnusable
	}
	st, err := openStore(e, *db)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return exitUnusable
	}
	defer st.Close()
	rd, err := st.GetRound(e.ctx, *roundID)
	if err != nil {
		fmt.Fprintln(e.stderr, "票决轮次 "+*roundID+"：", plan.ErrorMessage(err))
		return exitUnusable
	}
	ballots, shortlist, err := st.RoundBallots(e.ctx, rd.ID)
	if err != nil {
		fmt.Fprintln(e.stderr, plan.ErrorMessage(err))
		return exitUnusable
	}
	if args[0] == "ballots" {
		return writeBallots(e, *out, ballots)
	}
	source := "数据库中的选票"
	if voted, _, err := st.Turnout(e.ctx, rd.ID); err != nil {
		fmt.Fprintln(e.stderr, plan.ErrorMessage(err))
		return exitUnusable
	} else if voted != len(ballots) {
		fmt.Fprintf(e.stdout, "数据库中有 %d 张选票，却只有 %d 位代表投票：选票被增删过\n", len(ballots), voted)
		return 1
	}
	if *ballotsFile != "" {
		raw, err := os.ReadFile(*ballotsFile)
		if err != nil {
			fmt.Fprintf(e.stderr, "无法读取选票导出 %s：%v\n", *ballotsFile, err)
			return exitUnusable
		}
		ballots, source = plan.ParseBallotExport(string(raw)), "选票导出 "+*ballotsFile
		if plan.ExportBallots(ballots) != string(raw) {
			fmt.Fprintf(e.stderr, "%s 不是选票导出格式（每行一张选票，候选项目编号以逗号分隔，各行排序，以换行结尾）\n", *ballotsFile)
			return exitUnusable
		}
	}
	res, err := plan.Tally(shortlist, ballots, rd.Seats)
	if err != nil {
		fmt.Fprintf(e.stderr, "%s：%s\n", source, plan.ErrorMessage(err))
		return 1
	}
	printTally(e.stdout, rd, res, source)
	if rd.Result == nil || fmt.Sprint(*rd.Result) != fmt.Sprint(*res) {
		fmt.Fprintln(e.stdout, "结论：重新计票与公布的结果不一致")
		return 1
	}
	fmt.Fprintln(e.stdout, "结论：重新计票与公布的结果一致")
	return 0
}

func printTally(w io.Writer, rd *plan.Round, res *plan.TallyResult, source string) {
	fmt.Fprintf(w, "%s\n按%s重新计票：选票 %d 张（空白票 %d 张），当选 %d 项\n", rd.Title, source, res.Ballots, res.Blank, res.Seats)
	fmt.Fprintf(w, "选票校验值（SM3）：%s\n公布的校验值：    %s\n\n", res.BallotsHash, rd.BallotsHash)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "名次\t序号\t候选项目\t编号\t得票\t结果")
	for _, c := range res.Candidates {
		result := "未当选"
		if c.Elected {
			result = "当选"
		}
		if c.ByLot {
			result += "（平票抽签）"
		}
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%d\t%s\n", c.Rank, c.Seq, c.Name, c.CandidateID, c.Votes, result)
	}
	tw.Flush()
	fmt.Fprintln(w)
}

func writeBallots(e env, path string, ballots []plan.Ballot) int {
	text := plan.ExportBallots(ballots)
	if path == "" {
		io.WriteString(e.stdout, text)
		return 0
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		fmt.Fprintln(e.stderr, "写入失败：", err)
		return 1
	}
	fmt.Fprintf(e.stderr, "已导出 %d 张选票到 %s（SM3 %s）\n", len(ballots), path, plan.BallotsDigest(ballots))
	return 0
}
