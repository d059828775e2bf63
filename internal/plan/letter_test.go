package plan

import (
	"testing"
	"time"
)

func TestLetterTransitions(t *testing.T) {
	tests := []struct {
		from   LetterState
		action LetterAction
		want   LetterState
		code   string
	}{
		{"", LetterActDraft, LetterDraft, ""},
		{LetterDraft, LetterActEdit, LetterDraft, ""},
		{LetterDraft, LetterActIssue, LetterIssued, ""},
		{LetterDraft, LetterActWithdraw, LetterWithdrawn, ""},
		{LetterIssued, LetterActAnswer, LetterAnswered, ""},
		{LetterAnswered, LetterActAnswer, LetterAnswered, ""},
		{LetterIssued, LetterActAttach, LetterIssued, ""},
		{LetterAnswered, LetterActReject, LetterIssued, ""},
		{LetterAnswered, LetterActClose, LetterClosed, ""},
		{LetterIssued, LetterActClose, LetterClosed, ""},
		{"", LetterActIssue, "", ENotFound},
		{LetterDraft, LetterActAnswer, "", EConflict},
		{LetterIssued, LetterActEdit, "", EConflict},
		{LetterIssued, LetterActWithdraw, "", EConflict}, // an issued letter is never taken back
		{LetterClosed, LetterActAnswer, "", EConflict},
		{LetterClosed, LetterActReject, "", EConflict},
		{LetterWithdrawn, LetterActIssue, "", EConflict},
		{LetterIssued, LetterActReject, "", EConflict},
	}
	for _, tt := range tests {
		got, err := LetterTransition(tt.from, tt.action)
		if got != tt.want || ErrorCode(err) != tt.code {
			t.Errorf("%q --%s--> %q (%v), want %q %s", tt.from, tt.action, got, err, tt.want, tt.code)
		}
	}
}

func TestCalendar(t *testing.T) {
	day := func(s string) time.Time { v, _ := time.ParseInLocation("2006-01-02", s, Shanghai); return v }
	c := Calendar{
		// 2024 National Day: 1–7 October off, Sunday 29 September and
		// Saturday 12 October worked.
		Holidays: []string{"2024-10-01", "2024-10-02", "2024-10-03", "2024-10-04", "2024-10-07"},
		Workdays: []string{"2024-09-29", "2024-10-12"},
	}
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2024-09-02", 5, "2024-09-09"}, // Monday + 5 → next Monday
		{"2024-09-06", 3, "2024-09-11"}, // Friday + 3 → Wednesday
		{"2024-09-07", 1, "2024-09-09"}, // Saturday + 1 → Monday
		{"2024-09-27", 1, "2024-09-29"}, // Friday + 1 → the Sunday worked
		{"2024-09-29", 2, "2024-10-08"}, // across National Day
		{"2024-10-10", 2, "2024-10-12"}, // the Saturday worked
		{"2024-09-02", 0, "2024-09-02"},
	}
	for _, tt := range tests {
		if got := c.AddWorkingDays(day(tt.from).Add(15*time.Hour), tt.n).Format("2006-01-02"); got != tt.want {
			t.Errorf("%s + %d working days = %s, want %s", tt.from, tt.n, got, tt.want)
		}
	}
	if err := (Calendar{Holidays: []string{"2024-13-01"}}).Validate(); ErrorCode(err) != EInvalid {
		t.Errorf("bad date: %v", err)
	}
}

func TestLetterOverdue(t *testing.T) {
	at := func(s string) *time.Time { v, _ := time.ParseInLocation("2006-01-02 15:04", s, Shanghai); return &v }
	l := Letter{State: LetterIssued, DueDate: "2024-10-15"}
	if l.OverdueAt(*at("2024-10-15 23:59")) || !l.OverdueAt(*at("2024-10-16 00:00")) {
		t.Error("unanswered: overdue from the day after the deadline")
	}
	l.State, l.AnsweredAt = LetterAnswered, at("2024-10-15 18:00")
	if l.OverdueAt(*at("2024-12-01 00:00")) {
		t.Error("answered in time is never overdue")
	}
	l.AnsweredAt = at("2024-10-16 09:00")
	if !l.OverdueAt(*at("2024-10-16 10:00")) {
		t.Error("answered late stays flagged")
	}
	draft := Letter{State: LetterDraft}
	if draft.OverdueAt(*at("2030-01-01 00:00")) {
		t.Error("a draft has no deadline")
	}
}

func TestShortNameAndDocNumber(t *testing.T) {
	for name, want := range map[string]string{
		"南昌市新建区": "新建", "赣州市章贡区": "章贡", "上饶市": "上饶", "江西省": "江西", "江西省南昌市": "南昌",
		"上饶市信州区": "信州", "城区": "城区", "鄱阳县": "鄱阳", "新建区": "新建",
	} {
		if got := ShortName(name); got != want {
			t.Errorf("ShortName(%s) = %s, want %s", name, got, want)
		}
	}
	if got := FormatDocNumber(DocNumberFormats[LetterSupervision], "新建", 2024, 3); got != "新建督办〔2024〕3号" {
		t.Errorf("doc number %s", got)
	}
}

func TestCanLetters(t *testing.T) {
	p := &ProjectRecord{ID: "p", JurisdictionCode: "360112", Units: []ProjectUnit{
		{UnitID: "A", Role: UnitLead}, {UnitID: "B", Role: UnitResponsible},
	}}
	voted := &ProjectRecord{ID: "v", JurisdictionCode: "360112", Tags: []string{"区人大票决项目"}, Units: p.Units}
	var (
		sup      = &User{Role: RoleSupervisor, JurisdictionCode: "360112"}
		otherSup = &User{Role: RoleSupervisor, JurisdictionCode: "360702"}
		citySup  = &User{Role: RoleSupervisor, JurisdictionCode: "360100"}
		repA     = &User{Role: RoleReporter, UnitID: "A", JurisdictionCode: "360112"}
		repB     = &User{Role: RoleReporter, UnitID: "B", JurisdictionCode: "360112"}
		repC     = &User{Role: RoleReporter, UnitID: "C", JurisdictionCode: "360112"}
		conB     = &User{Role: RoleContributor, UnitID: "B", JurisdictionCode: "360112"}
		leader   = &User{Role: RoleLeader, JurisdictionCode: "360112"}
		deputy   = &User{Role: RoleDeputy, JurisdictionCode: "360112"}
		admin    = &User{Role: RoleAdmin}
		draft    = LetterResource(p, LetterDraft)
		issued   = LetterResource(p, LetterIssued)
		closed   = LetterResource(p, LetterClosed)
		gone     = LetterResource(p, LetterWithdrawn)
		votedIss = LetterResource(voted, LetterIssued)
	)
	tests := []struct {
		name   string
		u      *User
		action Action
		res    Resource
		want   bool
	}{
		{"supervisor drafts and issues", sup, ActionIssueLetter, draft, true},
		{"supervisor closes", sup, ActionIssueLetter, issued, true},
		{"supervisor reads its draft", sup, ActionRead, draft, true},
		{"supervisor reads a withdrawn draft", sup, ActionRead, gone, true},
		{"supervisor does not answer", sup, ActionAnswerLetter, issued, false},
		{"other supervisor issues", otherSup, ActionIssueLetter, draft, false},
		{"other supervisor reads", otherSup, ActionRead, issued, false},
		{"city supervisor reads an issued letter", citySup, ActionRead, issued, true},
		{"city supervisor does not read a county's draft", citySup, ActionRead, draft, false},
		{"city supervisor does not issue a county's letter", citySup, ActionIssueLetter, draft, false},
		{"lead unit answers", repA, ActionAnswerLetter, issued, true},
		{"lead unit reads the issued letter", repA, ActionRead, issued, true},
		{"lead unit does not read a draft", repA, ActionRead, draft, false},
		{"lead unit does not read a withdrawn draft", repA, ActionRead, gone, false},
		{"lead unit cannot answer a draft", repA, ActionAnswerLetter, draft, false},
		{"lead unit does not issue", repA, ActionIssueLetter, draft, false},
		{"lead unit reads a closed letter", repA, ActionRead, closed, true},
		{"responsible unit reads the issued letter", repB, ActionRead, issued, true},
		{"responsible unit does not answer", repB, ActionAnswerLetter, issued, false},
		{"contributor reads", conB, ActionRead, issued, true},
		{"contributor does not answer", conB, ActionAnswerLetter, issued, false},
		{"other unit reads", repC, ActionRead, issued, false},
		{"other unit answers", repC, ActionAnswerLetter, issued, false},
		{"leader reads issued", leader, ActionRead, issued, true},
		{"leader does not read drafts", leader, ActionRead, draft, false},
		{"leader does not issue", leader, ActionIssueLetter, draft, false},
		{"deputy does not read an ordinary project's letter", deputy, ActionRead, issued, false},
		{"deputy reads a 人大票决 project's letter", deputy, ActionRead, votedIss, true},
		{"admin does not read letters", admin, ActionRead, issued, false},
		{"anonymous does not read letters", nil, ActionRead, issued, false},
		{"supervisor runs the engine of its jurisdiction", sup, ActionIssueLetter, Resource{Kind: ResourceJurisdiction, JurisdictionCode: "360112"}, true},
		{"the system issues", SystemUser, ActionIssueLetter, draft, true},
	}
	for _, tt := range tests {
		if got := Can(tt.u, tt.action, tt.res); got != tt.want {
			t.Errorf("%s: Can = %v, want %v", tt.name, got, tt.want)
		}
	}
	if err := Authorize(repC, ActionAnswerLetter, issued); ErrorCode(err) != EForbidden || ErrorMessage(err) == "" {
		t.Errorf("other unit answers: %v", err)
	}
}
