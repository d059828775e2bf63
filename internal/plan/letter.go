package plan

import (
	"strconv"
	"strings"
	"time"
)

// LetterKind is a rung of the escalation ladder (DESIGN.md §4).
type LetterKind string

// Letter kinds, in the order the ladder climbs them.
const (
	LetterPrompt      LetterKind = "prompt"      // 工作提示函: at the first 滞后
	LetterSupervision LetterKind = "supervision" // 督办函: still behind after a 提示函, or 严重滞后
)

// LetterKinds lists the kinds.
var LetterKinds = []LetterKind{LetterPrompt, LetterSupervision}

// Label is the kind's Chinese name.
func (k LetterKind) Label() string {
	switch k {
	case LetterPrompt:
		return "工作提示函"
	case LetterSupervision:
		return "督办函"
	}
	return string(k)
}

// Valid reports whether k is one of LetterKinds.
func (k LetterKind) Valid() bool { return k == LetterPrompt || k == LetterSupervision }

// LetterState is the life of a letter. Letters are never deleted:
//
//	draft --issue--> issued --answer--> answered --close--> closed
//	  |                 |                  |
//	withdraw          close             reject (整改不到位, with a reason)
//	  v                                    v
//	withdrawn                            issued (the unit answers again)
//
// A draft (by the engine or the supervisor) is the supervisor's alone; the
// unit sees a letter from its issue on. The unit may amend its answer
// until the letter is closed.
type LetterState string

// Letter states.
const (
	LetterDraft     LetterState = "draft"
	LetterIssued    LetterState = "issued"
	LetterAnswered  LetterState = "answered"
	LetterClosed    LetterState = "closed"
	LetterWithdrawn LetterState = "withdrawn"
)

// Label is the state's Chinese name.
func (s LetterState) Label() string {
	switch s {
	case LetterDraft:
		return "草稿"
	case LetterIssued:
		return "已印发待答复"
	case LetterAnswered:
		return "已答复待办结"
	case LetterClosed:
		return "已办结"
	case LetterWithdrawn:
		return "已作废"
	}
	return string(s)
}

// Open reports whether the letter is still in the works: drafted, issued
// or answered, not closed or withdrawn.
func (s LetterState) Open() bool {
	return s == LetterDraft || s == LetterIssued || s == LetterAnswered
}

// Sent reports whether the letter went out (issued, answered or closed).
func (s LetterState) Sent() bool {
	return s == LetterIssued || s == LetterAnswered || s == LetterClosed
}

// LetterAction is something done to a letter; each is kept as an event.
type LetterAction string

// Letter actions.
const (
	LetterActDraft    LetterAction = "draft"    // drafted by the engine or the supervisor
	LetterActEdit     LetterAction = "edit"     // the supervisor edits the draft
	LetterActIssue    LetterAction = "issue"    // the supervisor issues it: serial number and response deadline
	LetterActWithdraw LetterAction = "withdraw" // the supervisor drops a draft
	LetterActAnswer   LetterAction = "answer"   // the unit answers with its 整改措施
	LetterActAttach   LetterAction = "attach"   // the unit attaches evidence to its answer
	LetterActReject   LetterAction = "reject"   // the supervisor finds the answer insufficient
	LetterActClose    LetterAction = "close"    // the supervisor closes the item (办结)
)

// Label is the action's Chinese name.
func (a LetterAction) Label() string {
	switch a {
	case LetterActDraft:
		return "起草"
	case LetterActEdit:
		return "修改"
	case LetterActIssue:
		return "印发"
	case LetterActWithdraw:
		return "作废"
	case LetterActAnswer:
		return "答复"
	case LetterActAttach:
		return "上传附件"
	case LetterActReject:
		return "退回整改"
	case LetterActClose:
		return "办结"
	}
	return string(a)
}

// LetterTransition returns the state a letter in state from enters by
// action ("" for from: the letter does not exist yet).
func LetterTransition(from LetterState, action LetterAction) (LetterState, error) {
	switch {
	case action == LetterActDraft && from == "":
		return LetterDraft, nil
	case action == LetterActEdit && from == LetterDraft:
		return LetterDraft, nil
	case action == LetterActIssue && from == LetterDraft:
		return LetterIssued, nil
	case action == LetterActWithdraw && from == LetterDraft:
		return LetterWithdrawn, nil
	case action == LetterActAnswer && (from == LetterIssued || from == LetterAnswered):
		return LetterAnswered, nil
	case action == LetterActAttach && (from == LetterIssued || from == LetterAnswered):
		return from, nil
	case action == LetterActReject && from == LetterAnswered:
		return LetterIssued, nil
	case action == LetterActClose && (from == LetterIssued || from == LetterAnswered):
		return LetterClosed, nil
	}
	if from == "" {
		return "", Errorf(ENotFound, "函件不存在")
	}
	return "", Errorf(EConflict, "函件当前状态为「%s」，不能%s", from.Label(), action.Label())
}

// Letter is a 工作提示函 or 督办函 about one project.
type Letter struct {
	ID               string      `json:"id"`
	JurisdictionCode string      `json:"jurisdiction_code"`
	Year             int         `json:"year"`
	ProjectID        string      `json:"project_id"`
	ProjectSeq       int         `json:"project_seq"`
	ProjectTitle     string      `json:"project_title"`
	Kind             LetterKind  `json:"kind"`
	State            LetterState `json:"state"`
	// Version is the optimistic lock of edits.
	Version int `json:"version"`
	// Period is the month whose status prompted the letter, and Status and
	// Reason that status as it was when the letter was drafted.
	Period Period `json:"period"`
	Status Status `json:"status"`
	Reason string `json:"reason"`
	// Serial is the yearly number per jurisdiction and kind, DocNumber the
	// 文号 made from it (新建督办〔2024〕3号); both set at issue.
	Serial    int    `json:"serial"`
	DocNumber string `json:"doc_number"`
	Title     string `json:"title"`
	// Recipients are the 主送 units (the project's lead units), CC the 抄送
	// (its responsible units).
	Recipients []string `json:"recipients"`
	CC         []string `json:"cc"`
	// Body is the 正文, paragraphs separated by "\n".
	Body string `json:"body"`
	// Issuer is the 落款 (e.g. 南昌市新建区人民政府督查室).
	Issuer string `json:"issuer"`
	// ResponseDays is the number of working days the unit has to answer;
	// DueDate the day it falls on (ISO date, set at issue).
	ResponseDays int        `json:"response_days"`
	DueDate      string     `json:"due_date,omitempty"`
	IssuedAt     *time.Time `json:"issued_at,omitempty"`
	IssuedBy     string     `json:"issued_by,omitempty"`
	// Answer is the unit's 整改措施, with evidence.
	Answer      string       `json:"answer"`
	AnsweredAt  *time.Time   `json:"answered_at,omitempty"`
	AnsweredBy  string       `json:"answered_by,omitempty"`
	Attachments []Attachment `json:"attachments"`
	// Note is the supervisor's latest word: why an answer was sent back,
	// why a draft was withdrawn, or the 办结 remark.
	Note string `json:"note,omitempty"`
	// Overdue is OverdueAt the time the store read the letter.
	Overdue   bool       `json:"overdue"`
	ClosedAt  *time.Time `json:"closed_at,omitempty"`
	ClosedBy  string     `json:"closed_by,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	CreatedBy string     `json:"created_by"`
	UpdatedAt time.Time  `json:"updated_at"`
	UpdatedBy string     `json:"updated_by,omitempty"`
}

// Due returns the end of the response deadline (the first instant after
// DueDate, Shanghai), or zero when the letter has none.
func (l *Letter) Due() time.Time {
	if l.DueDate == "" {
		return time.Time{}
	}
	d, err := time.ParseInLocation("2006-01-02", l.DueDate, Shanghai)
	if err != nil {
		return time.Time{}
	}
	return d.AddDate(0, 0, 1)
}

// OverdueAt reports whether the answer is late: answered after the
// deadline's day, or still unanswered when that day is over at now.
func (l *Letter) OverdueAt(now time.Time) bool {
	due := l.Due()
	if due.IsZero() || !l.State.Sent() {
		return false
	}
	if l.AnsweredAt != nil {
		return !l.AnsweredAt.Before(due)
	}
	if l.State == LetterClosed {
		return l.ClosedAt != nil && !l.ClosedAt.Before(due)
	}
	return !now.Before(due)
}

// LetterEvent is one thing done to a letter, for its 流转记录.
type LetterEvent struct {
	Seq     int          `json:"seq"`
	Action  LetterAction `json:"action"`
	State   LetterState  `json:"state"` // after the action
	ActorID string       `json:"actor_id"`
	At      time.Time    `json:"at"`
	Note    string       `json:"note,omitempty"`
}

// LetterResource describes a letter about project p in the given state. A
// draft or withdrawn letter is private to the supervisor (it never went
// out); the unit sees a letter from its issue on.
func LetterResource(p *ProjectRecord, state LetterState) Resource {
	r := ProjectResource(p)
	r.Kind = ResourceLetter
	r.Private = state == "" || state == LetterDraft || state == LetterWithdrawn
	return r
}

// Calendar tells working days from days off: Saturdays and Sundays are off
// unless listed in Workdays (调休上班), and Holidays (法定节假日) are off.
// Dates are ISO (2024-10-01).
type Calendar struct {
	Holidays []string `json:"holidays"`
	Workdays []string `json:"workdays"`
}

// Validate checks the dates.
func (c Calendar) Validate() error {
	var ps Problems
	for _, list := range []struct {
		field string
		dates []string
	}{{"holidays", c.Holidays}, {"workdays", c.Workdays}} {
		for _, d := range list.dates {
			if _, err := time.Parse("2006-01-02", d); err != nil {
				ps.errorf(list.field, "日期应为 2024-10-01 这样的格式，而不是「%s」", d)
			}
		}
	}
	return ps.Err()
}

// Workday reports whether the day containing t (Shanghai) is a working day.
func (c Calendar) Workday(t time.Time) bool {
	day := t.In(Shanghai).Format("2006-01-02")
	for _, d := range c.Workdays {
		if d == day {
			return true
		}
	}
	for _, d := range c.Holidays {
		if d == day {
			return false
		}
	}
	wd := t.In(Shanghai).Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// AddWorkingDays returns the date (midnight, Shanghai) of the n-th working
// day after the day containing from: a letter issued on a Friday with 3
// working days is due on the Wednesday after. n < 1 gives from's own day.
func (c Calendar) AddWorkingDays(from time.Time, n int) time.Time {
	f := from.In(Shanghai)
	d := time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, Shanghai)
	for i := 0; i < n; {
		d = d.AddDate(0, 0, 1)
		if c.Workday(d) {
			i++
		}
	}
	return d
}

// ShortName is the short name of a jurisdiction that prefixes its 文号:
// the last level of its name without the level's suffix (南昌市新建区 →
// 新建, 赣州市章贡区 → 章贡, 上饶市 → 上饶, 江西省 → 江西). Names of one
// character before the suffix keep it (城区 stays 城区).
func ShortName(name string) string {
	r := []rune(strings.TrimSpace(name))
	// Cut everything up to the last 省/市/州/地区/盟 that is followed by
	// more name.
	for i := len(r) - 2; i >= 1; i-- {
		switch r[i] {
		case '省', '市', '州', '盟':
			if len(r)-i-1 >= 2 {
				r = r[i+1:]
				i = 0
			}
		}
	}
	for _, suf := range []string{"自治县", "自治州", "新区", "区", "县", "市", "旗", "省"} {
		s := []rune(suf)
		if len(r)-len(s) >= 2 && string(r[len(r)-len(s):]) == suf {
			return string(r[:len(r)-len(s)])
		}
	}
	return string(r)
}

// DocNumberFormats are the default 文号 patterns per kind: {prefix} is the
// jurisdiction's short name, {year} the year, {n} the serial.
var DocNumberFormats = map[LetterKind]string{
	LetterPrompt:      "{prefix}督提〔{year}〕{n}号",
	LetterSupervision: "{prefix}督办〔{year}〕{n}号",
}

// FormatDocNumber fills a 文号 pattern.
func FormatDocNumber(format, prefix string, year, n int) string {
	return strings.NewReplacer("{prefix}", prefix, "{year}", strconv.Itoa(year), "{n}", strconv.Itoa(n)).Replace(format)
}
