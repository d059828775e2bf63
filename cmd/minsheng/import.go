package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"minsheng/internal/docimport"
	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// Exit statuses of `minsheng import`, fixed by interfaces.md.
const (
	exitOK       = 0
	exitFindings = 1 // imported, with error findings
	exitUnusable = 2 // unusable input or usage
)

func runImport(e env, args []string) int {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	format := fs.String("format", "text", "输出格式：json 或 text")
	save := fs.Bool("save", false, "读取后存为草稿计划，待民生办审核发布")
	db := dbFlag(fs, e)
	if err := fs.Parse(args); err != nil {
		return exitUnusable
	}
	if *format != "json" && *format != "text" {
		fmt.Fprintf(e.stderr, "--format 只能是 json 或 text，而不是 %q\n", *format)
		return exitUnusable
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(e.stderr, "请给出至少一个方案文件，例如：minsheng import --format json 方案.docx")
		return exitUnusable
	}
	status := exitOK
	var st *store.Store
	if *save {
		var err error
		if st, err = openStore(e, *db); err != nil {
			fmt.Fprintln(e.stderr, err)
			return exitUnusable
		}
		defer st.Close()
	}
	for _, name := range fs.Args() {
		p, raw, err := importFile(name)
		if err != nil {
			fmt.Fprintln(e.stderr, err)
			status = exitUnusable
			continue
		}
		if st != nil {
			text, _ := docimport.Text(name, raw)
			pv, err := st.SaveDraftPlan(e.ctx, plan.SystemUser, p, text)
			if err != nil {
				fmt.Fprintf(e.stderr, "%s：保存失败：%s\n", name, plan.ErrorMessage(err))
				status = exitUnusable
				continue
			}
			fmt.Fprintf(e.stderr, "%s：已存为草稿计划 %s（第 %d 版），请在“导入”页面审核后发布\n", name, pv.ID, pv.Version)
		}
		if err := printPlan(e.stdout, p, *format); err != nil {
			fmt.Fprintln(e.stderr, err)
			return exitUnusable
		}
		if p.HasErrors() && status == exitOK {
			status = exitFindings
		}
	}
	return status
}

func importFile(name string) (*plan.Plan, []byte, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, nil, fmt.Errorf("%s：无法读取文件：%w", name, errors.Unwrap(err))
	}
	if st.IsDir() {
		return nil, nil, fmt.Errorf("%s：这是一个目录，不是文件", name)
	}
	if st.Size() > int64(docimport.MaxInputSize) {
		return nil, nil, fmt.Errorf("%s：文件大小 %d 字节，超过 %d MiB 上限", name, st.Size(), docimport.MaxInputSize>>20)
	}
	raw, err := os.ReadFile(name)
	if err != nil {
		return nil, nil, fmt.Errorf("%s：无法读取文件：%w", name, err)
	}
	p, err := docimport.Import(name, raw)
	return p, raw, err
}

// printPlan writes the whole output at once, so a failure never leaves
// half a JSON document behind.
func printPlan(w io.Writer, p *plan.Plan, format string) error {
	var out []byte
	if format == "json" {
		b, err := json.MarshalIndent(p, "", "  ")
		if err != nil {
			return err
		}
		out = append(b, '\n')
	} else {
		var sb strings.Builder
		writeSummary(&sb, p)
		out = []byte(sb.String())
	}
	_, err := w.Write(out)
	return err
}

// writeSummary prints a plan for a person: the header, a table of projects,
// then the findings.
func writeSummary(w io.Writer, p *plan.Plan) {
	fmt.Fprintf(w, "%s\n", p.Title)
	code := "未识别"
	if p.Jurisdiction.Code != nil {
		code = *p.Jurisdiction.Code
	}
	fmt.Fprintf(w, "行政区划：%s（%s）  年度：%d  文号：%s  发文机关：%s\n", p.Jurisdiction.Name, code, p.Year, orNone(p.DocNumber), orNone(p.Issuer))
	fmt.Fprintf(w, "成文日期：%s  印发日期：%s  文件称项目数：%s  读到项目：%d 个\n", orNone(p.Dates.Signed), orNone(p.Dates.Printed), countText(p.DeclaredCount), len(p.Projects))
	if p.TotalInvestment != nil {
		fmt.Fprintf(w, "计划总投资：%s 万元\n", p.TotalInvestment)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "序号\t项目\t牵头单位\t责任单位\t投资（万元）\t子项目\t目标")
	for _, pr := range p.Projects {
		inv := "-"
		if pr.Investment != nil {
			inv = pr.Investment.String()
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\n", pr.Seq, pr.Title, joinOrDash(pr.LeadUnits), joinOrDash(pr.ResponsibleUnits), inv, len(pr.Subprojects), targetsText(pr.Targets))
	}
	tw.Flush()
	fmt.Fprintln(w)
	if len(p.Findings) == 0 {
		fmt.Fprintln(w, "检查结果：未发现问题")
		return
	}
	fmt.Fprintln(w, "检查结果：")
	for _, f := range p.Findings {
		where := ""
		if f.ProjectSeq != nil {
			where += fmt.Sprintf("项目 %d ", *f.ProjectSeq)
		}
		if f.Line != nil {
			where += fmt.Sprintf("第 %d 行 ", *f.Line)
		}
		fmt.Fprintf(w, "  [%s] %s%s（%s）\n", severityText[f.Severity], where, f.Message, f.Code)
	}
}

var severityText = map[string]string{plan.SeverityError: "错误", plan.SeverityWarning: "警告", plan.SeverityInfo: "信息"}

func targetsText(ts []plan.Target) string {
	parts := make([]string, 0, len(ts))
	for _, t := range ts {
		parts = append(parts, fmt.Sprintf("%s %s %s%s", t.Metric, t.Comparator, t.Value, t.Unit))
	}
	return joinOrDash(parts)
}

func joinOrDash(ss []string) string {
	if len(ss) == 0 {
		return "-"
	}
	return strings.Join(ss, "、")
}

func orNone(s *string) string {
	if s == nil {
		return "无"
	}
	return *s
}

func countText(n *int) string {
	if n == nil {
		return "若干"
	}
	return fmt.Sprint(*n)
}
