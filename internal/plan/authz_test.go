package plan

import "testing"

func TestCan(t *testing.T) {
	// Project P of 360112: lead unit A (区人社局), responsible unit B (团区委).
	// Unit C (区民政局) leads another project. 360100 is the city above.
	p := &ProjectRecord{ID: "p", JurisdictionCode: "360112", Units: []ProjectUnit{
		{UnitID: "A", Role: UnitLead}, {UnitID: "B", Role: UnitResponsible},
	}}
	voted := &ProjectRecord{ID: "v", JurisdictionCode: "360112", Tags: []string{"区人大票决项目"}, Units: p.Units}
	onlyResp := &ProjectRecord{ID: "r", JurisdictionCode: "360112", Units: []ProjectUnit{{UnitID: "B", Role: UnitResponsible}}}

	var (
		admin      = &User{Role: RoleAdmin}
		sup        = &User{Role: RoleSupervisor, JurisdictionCode: "360112"}
		otherSup   = &User{Role: RoleSupervisor, JurisdictionCode: "360702"}
		citySup    = &User{Role: RoleSupervisor, JurisdictionCode: "360100"}
		repA       = &User{Role: RoleReporter, UnitID: "A", JurisdictionCode: "360112"}
		repB       = &User{Role: RoleReporter, UnitID: "B", JurisdictionCode: "360112"}
		repC       = &User{Role: RoleReporter, UnitID: "C", JurisdictionCode: "360112"}
		conB       = &User{Role: RoleContributor, UnitID: "B", JurisdictionCode: "360112"}
		conC       = &User{Role: RoleContributor, UnitID: "C", JurisdictionCode: "360112"}
		leader     = &User{Role: RoleLeader, JurisdictionCode: "360112"}
		deputy     = &User{Role: RoleDeputy, JurisdictionCode: "360112"}
		disabledA  = &User{Role: RoleReporter, UnitID: "A", JurisdictionCode: "360112", Disabled: true}
		draft      = ReportResource(p, ReportDraft)
		submitted  = ReportResource(p, ReportSubmitted)
		accepted   = ReportResource(p, ReportAccepted)
		noReport   = ReportResource(p, "")
		votedSub   = ReportResource(voted, ReportSubmitted)
		respDraft  = ReportResource(onlyResp, ReportDraft)
		mpDraft    = MonthlyPlanResource(p, MonthlyDraft)
		mpSub      = MonthlyPlanResource(p, MonthlySubmitted)
		planDraft  = PlanResource(&PlanVersion{JurisdictionCode: "360112", State: PlanDraft})
		planPub    = PlanResource(&PlanVersion{JurisdictionCode: "360112", State: PlanPublished})
		project    = ProjectResource(p)
		jurisdicti = Resource{Kind: ResourceJurisdiction, JurisdictionCode: "360112"}
		users      = Resource{Kind: ResourceUser}
	)
	tests := []struct {
		name   string
		u      *User
		action Action
		res    Resource
		want   bool
	}{
		// The rule the design insists on: no unit reads another unit's draft or writes to its project.
		{"reporter of another unit reads a draft", repC, ActionRead, draft, false},
		{"reporter of another unit reads a missing report", repC, ActionRead, noReport, false},
		{"reporter of another unit reads a submitted report", repC, ActionRead, submitted, false},
		{"reporter of another unit saves", repC, ActionEditReport, draft, false},
		{"reporter of another unit contributes", repC, ActionContribute, draft, false},
		{"contributor of another unit reads a draft", conC, ActionRead, draft, false},
		{"contributor of another unit contributes", conC, ActionContribute, draft, false},
		{"reporter of another unit edits the monthly plan", repC, ActionEditMonthly, mpDraft, false},

		{"lead reporter reads its draft", repA, ActionRead, draft, true},
		{"lead reporter saves", repA, ActionEditReport, draft, true},
		{"lead reporter edits monthly plan", repA, ActionEditMonthly, mpDraft, true},
		{"lead reporter cannot review", repA, ActionReviewReport, submitted, false},
		{"lead reporter cannot approve its own monthly plan", repA, ActionApproveMonthly, mpSub, false},
		{"disabled reporter", disabledA, ActionEditReport, draft, false},

		{"responsible reporter cannot save the lead's report", repB, ActionEditReport, draft, false},
		{"responsible reporter contributes", repB, ActionContribute, draft, true},
		{"responsible reporter reads the draft it adds to", repB, ActionRead, draft, true},
		{"responsible reporter reads the submitted report", repB, ActionRead, submitted, true},
		{"contributor reads the draft it adds to", conB, ActionRead, draft, true},
		{"contributor contributes", conB, ActionContribute, draft, true},
		{"contributor cannot save", conB, ActionEditReport, draft, false},
		{"contributor cannot edit monthly plan", conB, ActionEditMonthly, mpDraft, false},
		{"responsible unit reports when there is no lead unit", repB, ActionEditReport, respDraft, true},

		{"supervisor reviews", sup, ActionReviewReport, submitted, true},
		{"supervisor does not read a unit's draft", sup, ActionRead, draft, false},
		{"supervisor reads submitted", sup, ActionRead, submitted, true},
		{"supervisor approves monthly plan", sup, ActionApproveMonthly, mpSub, true},
		{"supervisor does not read a draft monthly plan", sup, ActionRead, mpDraft, false},
		{"supervisor cannot write a unit's report", sup, ActionEditReport, draft, false},
		{"supervisor of another jurisdiction reviews", otherSup, ActionReviewReport, submitted, false},
		{"supervisor of another jurisdiction reads", otherSup, ActionRead, submitted, false},
		{"city supervisor reads a county's report", citySup, ActionRead, accepted, true},
		{"city supervisor does not review a county's report", citySup, ActionReviewReport, submitted, false},
		{"supervisor imports a plan", sup, ActionImportPlan, jurisdicti, true},
		{"supervisor reads its draft plan", sup, ActionRead, planDraft, true},
		{"supervisor publishes", sup, ActionPublishPlan, planDraft, true},
		{"other supervisor publishes", otherSup, ActionPublishPlan, planDraft, false},
		{"city supervisor does not read a county's draft plan", citySup, ActionRead, planDraft, false},

		// Levels: the supervisor splits, links and maps its own targets; the city does not do it for a county.
		{"supervisor splits its target", sup, ActionSplitTarget, project, true},
		{"city supervisor does not split a county's target", citySup, ActionSplitTarget, project, false},
		{"supervisor links its projects", sup, ActionLinkProjects, project, true},
		{"other supervisor does not link", otherSup, ActionLinkProjects, project, false},
		{"supervisor maps its target to an indicator", sup, ActionMapIndicator, project, true},
		{"city supervisor does not map a county's target", citySup, ActionMapIndicator, project, false},
		{"admin maps any target to an indicator", admin, ActionMapIndicator, project, true},
		{"leader does not map", leader, ActionMapIndicator, project, false},
		{"lead reporter does not split", repA, ActionSplitTarget, project, false},
		{"supervisor reads the audit log", sup, ActionReadAudit, Resource{Kind: ResourceAudit}, true},

		{"leader reads submitted", leader, ActionRead, submitted, true},
		{"leader does not read drafts", leader, ActionRead, draft, false},
		{"leader does not review", leader, ActionReviewReport, submitted, false},
		{"deputy does not read an ordinary project's report", deputy, ActionRead, submitted, false},
		{"deputy reads a 人大票决 project's report", deputy, ActionRead, votedSub, true},

		{"admin manages users", admin, ActionManageUsers, users, true},
		{"admin does not read reports", admin, ActionRead, submitted, false},
		{"reporter does not manage users", repA, ActionManageUsers, users, false},

		{"anyone reads a published plan", nil, ActionRead, planPub, true},
		{"anyone reads a published project", nil, ActionRead, project, true},
		{"anonymous does not read a draft plan", nil, ActionRead, planDraft, false},
		{"anonymous does not read reports", nil, ActionRead, accepted, false},
		{"reporter does not read a draft plan", repA, ActionRead, planDraft, false},
		{"the system does everything", SystemUser, ActionReviewReport, submitted, true},
	}
	for _, tt := range tests {
		if got := Can(tt.u, tt.action, tt.res); got != tt.want {
			t.Errorf("%s: Can = %v, want %v", tt.name, got, tt.want)
		}
	}
	if err := Authorize(nil, ActionRead, draft); ErrorCode(err) != EUnauthorized {
		t.Errorf("anonymous: %v", err)
	}
	if err := Authorize(repC, ActionEditReport, draft); ErrorCode(err) != EForbidden {
		t.Errorf("other unit: %v", err)
	}
}

func TestJurisdictionCovers(t *testing.T) {
	tests := []struct {
		parent, child string
		want          bool
	}{
		{"360000", "360112", true},
		{"360100", "360112", true},
		{"360100", "360702", false},
		{"360112", "360112", true},
		{"360112", "360113", false},
		{"", "", false},
		{"36", "360112", false},
	}
	for _, tt := range tests {
		if got := JurisdictionCovers(tt.parent, tt.child); got != tt.want {
			t.Errorf("JurisdictionCovers(%s, %s) = %v", tt.parent, tt.child, got)
		}
	}
}

func TestCoveredPrefix(t *testing.T) {
	for code, want := range map[string]string{"360000": "36", "360100": "3601", "360112": "360112", "": "", "36": "36"} {
		if got := CoveredPrefix(code); got != want {
			t.Errorf("CoveredPrefix(%q) = %q, want %q", code, got, want)
		}
		// Every code the prefix selects is one JurisdictionCovers allows.
		for _, child := range []string{"360112", "360702", "361100", "110105"} {
			if len(code) == 6 && JurisdictionCovers(code, child) != (len(want) > 0 && child[:len(want)] == want) {
				t.Errorf("CoveredPrefix(%q) disagrees with JurisdictionCovers on %s", code, child)
			}
		}
	}
}
