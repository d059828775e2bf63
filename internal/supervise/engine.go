package supervise

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// Engine is the status engine and escalation ladder of one installation:
// it judges every project's month (plan.Assess with the configured
// thresholds), keeps the status history in the store, and drafts the
// letters the ladder calls for.
//
// The status history is a table rather than a computation on every page
// view because (1) the "behind N months running" rule and the ladder's
// "still behind after a 提示函" look back over months, (2) a letter cites
// the status of a month and that citation must still be readable after the
// figures are corrected — a recomputation that changes a month keeps the
// old row as superseded — and (3) a month judged once is not re-judged
// against a plan that changed later: a row is rewritten only when its own
// inputs change (the month's and earlier reports, their timing against the
// due date and grace period, the thresholds, the month before), which its
// Basis fingerprint records. Force re-judges every month against the
// plan in force.
type Engine struct {
	Store  *store.Store
	Config Config
}

// New returns an engine over st with cfg.
func New(st *store.Store, cfg Config) *Engine { return &Engine{Store: st, Config: cfg} }

// Timeline is the status history of a jurisdiction's year through a
// month, with what it was computed from.
type Timeline struct {
	JurisdictionCode string
	Year             int
	Through          plan.Period
	// Projects in force, by seq.
	Projects []plan.ProjectRecord
	// Months holds per project ID the rows of January through Through.
	Months map[string][]store.StatusRecord
	// Dashboard is the roll-up of the Through month.
	Dashboard *store.Dashboard
	// Plans are the approved monthly plans by project ID.
	Plans map[string]*plan.MonthlyPlan
	// Changes are the months a Refresh rewrote.
	Changes []store.StatusChange
}

// Status returns a project's row for a month, or nil.
func (tl *Timeline) Status(projectID string, p plan.Period) *store.StatusRecord {
	ms := tl.Months[projectID]
	if p.Year != tl.Year || int(p.Month) > len(ms) || p.Month < 1 {
		return nil
	}
	return &ms[p.Month-1]
}

// Line returns a project's dashboard line for the Through month, or nil.
func (tl *Timeline) Line(projectID string) *store.DashboardProject {
	for i := range tl.Dashboard.Items {
		if tl.Dashboard.Items[i].ProjectID == projectID {
			return &tl.Dashboard.Items[i]
		}
	}
	return nil
}

// Compute judges every month of a jurisdiction's year through the given
// month without writing: the rows stored for months whose inputs did not
// change are kept as they are (unless force), the others computed afresh.
func (e *Engine) Compute(ctx context.Context, jurisdictionCode string, through plan.Period, force bool) (*Timeline, error) {
	st := e.Store
	year := through.Year
	tl := &Timeline{JurisdictionCode: jurisdictionCode, Year: year, Through: through, Months: map[string][]store.StatusRecord{}}
	// The dashboard's own projects and plans: one snapshot, read once.
	d, in, err := st.DashboardWith(ctx, jurisdictionCode, through)
	if err != nil {
		return nil, err
	}
	tl.Dashboard, tl.Projects, tl.Plans = d, in.Projects, in.Plans
	plans := in.Plans
	times, err := st.ReportTimes(ctx, jurisdictionCode, year)
	if err != nil {
		return nil, err
	}
	stored, err := st.StatusHistory(ctx, jurisdictionCode, year)
	if err != nil {
		return nil, err
	}
	reports := map[string]map[time.Month]store.ReportTime{}
	for _, rt := range times {
		if reports[rt.ProjectID] == nil {
			reports[rt.ProjectID] = map[time.Month]store.ReportTime{}
		}
		reports[rt.ProjectID][rt.Period.Month] = rt
	}
	kept := map[string]*store.StatusRecord{}
	for i := range stored {
		kept[stored[i].ProjectID+"|"+stored[i].Period.String()] = &stored[i]
	}
	th := e.Config.Status
	thJSON, _ := json.Marshal(th)
	now := st.Now()
	for i := range tl.Projects {
		p := &tl.Projects[i]
		line := tl.Line(p.ID)
		if line == nil {
			continue
		}
		comparators := map[string]string{}
		for _, t := range p.Targets {
			comparators[t.ID] = t.Comparator
		}
		deadline := plan.ProjectDeadline(p, plans[p.ID])
		var months []store.StatusRecord
		var prev *store.StatusRecord
		var history strings.Builder // the project's counted reports so far
		for m := time.January; m <= through.Month; m++ {
			per := plan.Period{Year: year, Month: m}
			rt, ok := reports[p.ID][m]
			counted := ok && (rt.State == plan.ReportSubmitted || rt.State == plan.ReportAccepted)
			var submitted *time.Time
			if counted {
				submitted = rt.SubmittedAt
				fmt.Fprintf(&history, "%d:%s:%d;", m, rt.State, rt.Version)
			}
			late, inGrace := plan.ReportTiming(per, submitted, now, st.DueDay, th)
			in := plan.StatusInput{Reported: counted, Late: late, InGrace: inGrace, December: m == time.December,
				Thresholds: &th, Deadline: deadline, AsOf: per.End()}
			if prev != nil {
				in.PriorBehind = prev.Run
			}
			for _, t := range line.Targets {
				stt := plan.StatusTarget{ID: t.TargetID, Kind: t.Kind, Comparator: comparators[t.TargetID], Value: t.Value, Lower: t.Lower}
				if int(m) <= len(t.Months) {
					stt.Expected = t.Months[m-1].Expected
				}
				for k := int(m) - 1; k >= 0 && k < len(t.Months); k-- {
					if t.Months[k].Actual != nil {
						stt.Actual = t.Months[k].Actual
						break
					}
				}
				if prev != nil {
					for _, pt := range prev.Targets {
						if pt.ID == t.TargetID {
							stt.PriorBehind = pt.Run
						}
					}
				}
				in.Targets = append(in.Targets, stt)
			}
			prevKey := ""
			if prev != nil {
				prevKey = fmt.Sprintf("%s/%d/%v", prev.Status, prev.Run, targetRuns(prev.Targets))
			}
			basis := fingerprint(rulesVersion, string(thJSON), fmt.Sprint(st.DueDay), history.String(),
				fmt.Sprintf("late=%v grace=%v", late, inGrace), deadline.Format(time.DateOnly), prevKey)
			if old := kept[p.ID+"|"+per.String()]; old != nil && old.Basis == basis && !force {
				months = append(months, *old)
			} else {
				a := plan.Assess(in)
				months = append(months, store.StatusRecord{ProjectID: p.ID, Period: per, Status: a.Status, Behind: a.Behind, Run: a.Run,
					DueSoon: a.DueSoon, Ratio: a.Ratio, Reason: reasonText(a, in, line), Targets: a.Targets, Basis: basis, ComputedAt: now})
			}
			prev = &months[len(months)-1]
		}
		tl.Months[p.ID] = months
	}
	return tl, nil
}

// rulesVersion names the rules of plan.Assess. Change it when they
// change: every month is then judged again, as when the thresholds
// change, and the rows judged under the old rules are kept as
// superseded. 2: a project without targets is not late for its deadline.
const rulesVersion = "2"

func targetRuns(ts []plan.TargetAssessment) string {
	var b strings.Builder
	for _, t := range ts {
		fmt.Fprintf(&b, "%s=%d,", t.ID, t.Run)
	}
	return b.String()
}

func fingerprint(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:24]
}

// reasonText makes an assessment's reason concrete: the target furthest
// behind, with its figures.
func reasonText(a plan.Assessment, in plan.StatusInput, line *store.DashboardProject) string {
	if a.Worst < 0 || a.Worst >= len(line.Targets) || !a.Behind || !in.Reported {
		return a.Reason
	}
	t := line.Targets[a.Worst]
	w := in.Targets[a.Worst]
	actual := "未填报"
	if w.Actual != nil {
		actual = formatNum(*w.Actual) + t.Unit
	}
	s := fmt.Sprintf("“%s”应完成%s%s，实际%s", t.Metric, formatNum(w.Expected), t.Unit, actual)
	if a.Run > 1 {
		s = fmt.Sprintf("连续%d个月滞后；%s", a.Run, s)
	}
	if strings.HasPrefix(a.Reason, "已超过完成时限") {
		s = strings.SplitN(a.Reason, "；", 2)[0] + "；" + s
	}
	if in.Late {
		s += "；报告逾期报送"
	}
	return s
}

// formatNum prints a decimal without trailing zeros and with at most two
// decimals.
func formatNum(d plan.Decimal) string {
	return d.Round(2).String()
}

// Refresh computes the statuses through the given month and stores the
// months that changed (as actor: the supervisor of the jurisdiction, or
// plan.SystemUser). Call it after reports change, or let Statuses do it.
func (e *Engine) Refresh(ctx context.Context, actor *plan.User, jurisdictionCode string, through plan.Period, force bool) (*Timeline, error) {
	tl, err := e.Compute(ctx, jurisdictionCode, through, force)
	if err != nil {
		return nil, err
	}
	var recs []store.StatusRecord
	for _, p := range tl.Projects {
		recs = append(recs, tl.Months[p.ID]...)
	}
	tl.Changes, err = e.Store.SaveStatuses(ctx, actor, jurisdictionCode, tl.Year, recs)
	return tl, err
}

// Statuses is the read the pages want: the history of a jurisdiction's
// year through a month, brought up to date first (as the system: statuses
// are derived data, and every change is audited).
func (e *Engine) Statuses(ctx context.Context, jurisdictionCode string, through plan.Period) (*Timeline, error) {
	return e.Refresh(ctx, plan.SystemUser, jurisdictionCode, through, false)
}
