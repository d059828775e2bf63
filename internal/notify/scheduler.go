// Package notify reminds units: of a month's report before its due day
// and again while it is late, and of a letter's answer near and after its
// deadline (the rules: supervise.Reminders, docs/督查规则.md). Each
// reminder has an idempotency key — kind, unit, subject (the
// jurisdiction's plan year or the letter), period and step — and goes
// into the store's outbox once per key and channel; a sender delivers
// what is due, with retries and backoff, and marks it sent when the
// channel acknowledged it.
//
// Delivery is at least once. A sender that stops between enqueueing and
// sending loses nothing: the row waits in the outbox. A sender that stops
// after the channel took a message but before marking it sent sends it
// again once its lease (two minutes) runs out: the e-mail carries the
// same Message-ID (made from the key), so mail clients and gateways that
// drop duplicate IDs show it once; a group robot shows it twice. Closing
// that window would need the channel to take our key, which the robots do
// not.
package notify

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"minsheng/internal/plan"
	"minsheng/internal/store"
	"minsheng/internal/supervise"
)

// Reminder kinds.
const (
	KindReportDue     = "report_due"     // before the due day
	KindReportLate    = "report_late"    // after it
	KindLetterDue     = "letter_due"     // near a letter's deadline
	KindLetterOverdue = "letter_overdue" // after it
)

// KindLabel is a reminder kind's Chinese name.
func KindLabel(k string) string {
	switch k {
	case KindReportDue:
		return "报送提醒"
	case KindReportLate:
		return "逾期催报"
	case KindLetterDue:
		return "答复到期提醒"
	case KindLetterOverdue:
		return "逾期催办"
	}
	return k
}

// Scheduler decides which reminders are due on a day.
type Scheduler struct {
	Store  *store.Store
	Config supervise.Config
	// Now is the clock; tests drive the days.
	Now func() time.Time
}

// Reminder is one reminder for one unit, before it is put on channels.
type Reminder struct {
	Key              string
	Kind             string
	JurisdictionCode string
	UnitID           string
	UnitName         string
	Subject          string
	Body             string
}

// Pass is what one run of the scheduler found for today: the messages,
// and the reminders no channel could carry (the unit has no e-mail or
// robot, and its jurisdiction no default robot).
type Pass struct {
	Day         time.Time
	Messages    []store.OutboxMessage
	Unaddressed []Reminder
	// Units names the units of the messages by ID.
	Units map[string]string
}

// Plan works out today's reminders and their messages, without writing.
func (sc *Scheduler) Plan(ctx context.Context) (*Pass, error) {
	now := sc.Now().In(plan.Shanghai)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, plan.Shanghai)
	var rs []Reminder
	reports, err := sc.reportReminders(ctx, today)
	if err != nil {
		return nil, err
	}
	letters, err := sc.letterReminders(ctx, today)
	if err != nil {
		return nil, err
	}
	rs = append(reports, letters...)
	contacts, err := sc.Store.UnitContacts(ctx, "")
	if err != nil {
		return nil, err
	}
	byUnit := map[string]store.UnitContact{}
	for _, c := range contacts {
		byUnit[c.UnitID] = c
	}
	pass := &Pass{Day: today, Units: map[string]string{}}
	cfg := sc.Config.Reminders
	for _, r := range rs {
		c := byUnit[r.UnitID]
		pass.Units[r.UnitID] = r.UnitName
		base := store.OutboxMessage{Key: r.Key, JurisdictionCode: r.JurisdictionCode, UnitID: r.UnitID, Kind: r.Kind, Subject: r.Subject, Body: r.Body}
		n := len(pass.Messages)
		if c.Email != "" && cfg.Email.Host != "" {
			m := base
			m.Channel, m.Address = ChannelEmail, c.Email
			pass.Messages = append(pass.Messages, m)
		}
		if c.WebhookURL != "" {
			m := base
			m.Channel, m.Address, m.Secret = c.WebhookKind, c.WebhookURL, c.Secret
			pass.Messages = append(pass.Messages, m)
		} else if w, ok := cfg.Webhooks[r.JurisdictionCode]; ok {
			m := base
			m.Channel, m.Address, m.Secret = w.Kind, w.URL, w.Secret
			pass.Messages = append(pass.Messages, m)
		}
		if len(pass.Messages) == n {
			pass.Unaddressed = append(pass.Unaddressed, r)
		}
	}
	return pass, nil
}

// Run plans today's reminders and enqueues those not enqueued before; it
// returns the pass and the messages added.
func (sc *Scheduler) Run(ctx context.Context) (*Pass, []store.OutboxMessage, error) {
	pass, err := sc.Plan(ctx)
	if err != nil {
		return nil, nil, err
	}
	added, err := sc.Store.Enqueue(ctx, pass.Messages)
	return pass, added, err
}

// lateStep is the step of a reminder days after a deadline: 1 on the
// first day after days before it, then one more every `every` days; 0
// when none is due (too early, or past max).
func lateStep(daysLate, after, every, max int) int {
	if daysLate < after {
		return 0
	}
	n := (daysLate-after)/every + 1
	if n > max {
		return 0
	}
	return n
}

func days(from, to time.Time) int { return int(to.Sub(from).Round(time.Hour) / (24 * time.Hour)) }

// reportReminders: for the months whose reports are due around today (the
// last month, and the one before for late reminders still running), the
// units whose reports are not submitted.
func (sc *Scheduler) reportReminders(ctx context.Context, today time.Time) ([]Reminder, error) {
	cfg := sc.Config.Reminders
	plans, err := sc.Store.PublishedPlans(ctx)
	if err != nil {
		return nil, err
	}
	last := plan.PeriodOf(today).Prev()
	var out []Reminder
	for _, per := range []plan.Period{last.Prev(), last} {
		due := per.DueDate(sc.Config.DueDay)
		toDue := days(today, due)
		kind, step := "", ""
		switch {
		case toDue >= 0 && toDue <= cfg.ReportDaysBefore:
			kind, step = KindReportDue, "before"
		case toDue < 0:
			if n := lateStep(-toDue, cfg.ReportLateAfter, cfg.RepeatEveryDays, cfg.MaxLateReminders); n > 0 {
				kind, step = KindReportLate, fmt.Sprintf("late-%d", n)
			}
		}
		if kind == "" {
			continue
		}
		for _, pp := range plans {
			if pp.Year != per.Year {
				continue
			}
			rs, err := sc.unitReportReminders(ctx, pp, per, kind, step, today)
			if err != nil {
				return nil, err
			}
			out = append(out, rs...)
		}
	}
	return out, nil
}

func (sc *Scheduler) unitReportReminders(ctx context.Context, pp store.PublishedPlan, per plan.Period, kind, step string, today time.Time) ([]Reminder, error) {
	statuses, err := sc.Store.ReportStatuses(ctx, pp.JurisdictionCode, per)
	if err != nil {
		return nil, err
	}
	projects, err := sc.Store.ListProjects(ctx, store.ProjectFilter{JurisdictionCode: pp.JurisdictionCode, Year: per.Year})
	if err != nil {
		return nil, err
	}
	byID := map[string]*plan.ProjectRecord{}
	for i := range projects {
		byID[projects[i].ID] = &projects[i]
	}
	missing := map[string][]*plan.ProjectRecord{}
	names := map[string]string{}
	for _, st := range statuses {
		p := byID[st.ProjectID]
		if !st.Missing || p == nil {
			continue
		}
		for _, id := range p.ReportingUnitIDs() {
			missing[id] = append(missing[id], p)
			for _, u := range p.Units {
				if u.UnitID == id {
					names[id] = u.UnitName
				}
			}
		}
	}
	issuer := sc.Config.LetterIssuer(pp.JurisdictionCode, pp.JurisdictionName)
	var out []Reminder
	for _, unitID := range sortedKeys(missing) {
		r := Reminder{Key: fmt.Sprintf("%s|%s|%s|%s|%s", kind, unitID, pp.JurisdictionCode, per, step), Kind: kind,
			JurisdictionCode: pp.JurisdictionCode, UnitID: unitID, UnitName: names[unitID]}
		r.Subject, r.Body = reportText(kind, names[unitID], per, per.DueDate(sc.Config.DueDay), today, missing[unitID], issuer)
		out = append(out, r)
	}
	return out, nil
}

// letterReminders: issued letters not answered, near or past their
// deadline, to the units that answer them.
func (sc *Scheduler) letterReminders(ctx context.Context, today time.Time) ([]Reminder, error) {
	cfg := sc.Config.Reminders
	letters, err := sc.Store.ListLetters(ctx, plan.SystemUser, store.LetterFilter{State: plan.LetterIssued})
	if err != nil {
		return nil, err
	}
	var out []Reminder
	projects := map[string]*plan.ProjectRecord{}
	for i := range letters {
		l := &letters[i]
		if l.DueDate == "" || l.AnsweredAt != nil {
			continue // an answer sent back (整改不到位) is the supervisor's to chase
		}
		dueDay := l.Due().AddDate(0, 0, -1)
		kind, step := "", ""
		if !today.After(dueDay) {
			left := 0
			for d := today.AddDate(0, 0, 1); !d.After(dueDay); d = d.AddDate(0, 0, 1) {
				if sc.Config.Calendar.Workday(d) {
					left++
				}
			}
			if left <= cfg.LetterWorkingDaysBefore {
				kind, step = KindLetterDue, "due"
			}
		} else if n := lateStep(days(dueDay, today), 1, cfg.RepeatEveryDays, cfg.MaxLateReminders); n > 0 {
			kind, step = KindLetterOverdue, fmt.Sprintf("overdue-%d", n)
		}
		if kind == "" {
			continue
		}
		p := projects[l.ProjectID]
		if p == nil {
			if p, err = sc.Store.GetProject(ctx, l.ProjectID); err != nil {
				return nil, err
			}
			projects[p.ID] = p
		}
		for _, u := range p.Units {
			if !slices.Contains(p.ReportingUnitIDs(), u.UnitID) {
				continue
			}
			r := Reminder{Key: fmt.Sprintf("%s|%s|%s|%s|%s", kind, u.UnitID, l.ID, l.Period, step), Kind: kind,
				JurisdictionCode: l.JurisdictionCode, UnitID: u.UnitID, UnitName: u.UnitName}
			r.Subject, r.Body = letterText(kind, u.UnitName, l, dueDay, today)
			out = append(out, r)
		}
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
