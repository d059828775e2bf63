package plan

import (
	"slices"
	"strings"
)

// Action is something a user wants to do; Can decides.
type Action string

// Actions.
const (
	ActionRead           Action = "read"            // see the resource
	ActionImportPlan     Action = "import_plan"     // store an imported document as a draft plan
	ActionEditPlan       Action = "edit_plan"       // correct a draft plan's document
	ActionPublishPlan    Action = "publish_plan"    // publish a draft plan
	ActionEditMonthly    Action = "edit_monthly"    // write and submit a project's monthly plan
	ActionApproveMonthly Action = "approve_monthly" // approve, return or reopen a monthly plan
	ActionEditReport     Action = "edit_report"     // save, attach to and submit a project's report
	ActionContribute     Action = "contribute"      // add a responsible unit's contribution
	ActionReviewReport   Action = "review_report"   // accept, return or reopen a report
	ActionManageUsers    Action = "manage_users"    // create, change and disable users
	ActionManageUnits    Action = "manage_units"    // create units and jurisdictions
	ActionReadAudit      Action = "read_audit"      // read and verify the audit log
	ActionIssueLetter    Action = "issue_letter"    // draft, edit, issue, withdraw and close 提示函/督办函; run the status engine
	ActionAnswerLetter   Action = "answer_letter"   // answer an issued letter with 整改措施 and evidence
	ActionPropose        Action = "propose"         // propose a candidate to a 人大票决 round as a unit
	ActionManageRound    Action = "manage_round"    // moderate, shortlist, set K and seats, open, close, adopt a round
	ActionCastBallot     Action = "cast_ballot"     // cast a deputy's secret ballot
	ActionEvaluate       Action = "evaluate"        // a deputy's year-end evaluation of a 票决 project
	ActionSplitTarget    Action = "split_target"    // split a target among the jurisdictions below (任务分解)
	ActionLinkProjects   Action = "link_projects"   // link a lower plan's project to the higher project it repeats
	ActionMapIndicator   Action = "map_indicator"   // map a target to a canonical indicator by hand
	ActionInspect        Action = "inspect"         // record an on-site visit (实地督查) and its photos
)

// ResourceKind is what kind of thing a Resource is.
type ResourceKind string

// Resource kinds.
const (
	ResourcePlan         ResourceKind = "plan"
	ResourceProject      ResourceKind = "project"
	ResourceReport       ResourceKind = "report"
	ResourceMonthlyPlan  ResourceKind = "monthly_plan"
	ResourceJurisdiction ResourceKind = "jurisdiction"
	ResourceUser         ResourceKind = "user"
	ResourceUnit         ResourceKind = "unit"
	ResourceAudit        ResourceKind = "audit"
	ResourceLetter       ResourceKind = "letter"
	ResourceRound        ResourceKind = "vote_round"
	ResourceInspection   ResourceKind = "inspection"
)

// Resource is what Can needs to know about the thing acted on. Build it
// with ProjectResource, ReportResource, MonthlyPlanResource or PlanResource
// rather than by hand.
type Resource struct {
	Kind             ResourceKind
	JurisdictionCode string
	// ReportingUnitIDs write the project's plan and reports (see
	// ProjectRecord.ReportingUnitIDs); ResponsibleUnitIDs contribute.
	ReportingUnitIDs   []string
	ResponsibleUnitIDs []string
	CongressVoted      bool
	// Private marks a state only its authors may see: a draft report or
	// monthly plan (the reporting and responsible units), a draft plan (the
	// supervisor).
	Private bool
}

// PlanResource describes a stored plan version.
func PlanResource(p *PlanVersion) Resource {
	return Resource{Kind: ResourcePlan, JurisdictionCode: p.JurisdictionCode, Private: p.State == PlanDraft}
}

// ProjectResource describes a published project (public information).
func ProjectResource(p *ProjectRecord) Resource {
	lead := p.ReportingUnitIDs()
	var resp []string
	for _, id := range p.ResponsibleUnitIDs() {
		if !slices.Contains(lead, id) {
			resp = append(resp, id)
		}
	}
	return Resource{Kind: ResourceProject, JurisdictionCode: p.JurisdictionCode,
		ReportingUnitIDs: lead, ResponsibleUnitIDs: resp, CongressVoted: p.CongressVoted()}
}

// ReportResource describes a project's report in the given state ("" when
// it does not exist yet, which is private like a draft).
func ReportResource(p *ProjectRecord, state ReportState) Resource {
	r := ProjectResource(p)
	r.Kind = ResourceReport
	r.Private = state == "" || state == ReportDraft
	return r
}

// MonthlyPlanResource describes a project's monthly plan in the given state.
func MonthlyPlanResource(p *ProjectRecord, state MonthlyPlanState) Resource {
	r := ProjectResource(p)
	r.Kind = ResourceMonthlyPlan
	r.Private = state == "" || state == MonthlyDraft
	return r
}

// Can reports whether user u may do action on res (DESIGN.md §2). u is nil
// for an anonymous visitor. The rules:
//
//   - admin: users, units, jurisdictions and the audit log, in the whole
//     installation; it reads no project work (it administers, it does not
//     supervise).
//   - supervisor: everything of the projects of its jurisdiction except the
//     units' private drafts: imports, corrects and publishes plans, reviews
//     reports, approves monthly plans, reads the audit log. It reads (only
//     reads) the plans and reports of the jurisdictions under it (a city
//     over its counties, by GB/T 2260 code).
//   - reporter: writes the monthly plan and reports of projects its unit
//     reports for (lead unit, or responsible unit when there is no lead
//     unit) and reads them, drafts included; on projects its unit is named
//     on as responsible it acts as a contributor; nothing of other projects
//     beyond what is public.
//   - contributor: on projects its unit is named on as responsible, reads
//     the report (drafts included, so it sees what it adds to) and adds its
//     contribution; a contributor of the reporting unit may do the same.
//   - leader: reads every non-private thing of its jurisdiction and those
//     under it.
//   - deputy: like a leader, but only for 人大票决 projects.
//   - letters (提示函, 督办函): the supervisor drafts, edits, issues,
//     withdraws and closes those of its jurisdiction (ActionIssueLetter)
//     and alone reads their drafts; the reporting unit answers an issued
//     letter (ActionAnswerLetter); the project's units, leaders and (for
//     人大票决 projects) deputies read issued letters.
//   - 人大票决 rounds of a jurisdiction: its supervisor manages them
//     (ActionManageRound) and, like its reporters and contributors,
//     proposes candidates (ActionPropose); its deputies cast ballots and
//     evaluate its 票决 projects at year end. Anyone reads a round (the
//     store leaves out proposals awaiting moderation).
//   - levels: the supervisor splits its own jurisdiction's targets among
//     the jurisdictions below (ActionSplitTarget) and links its projects
//     to the lower plans' repeats (ActionLinkProjects); a share is
//     reported like a report (ActionEditReport) by the unit named on it.
//     The supervisor of the target's jurisdiction, or an admin anywhere,
//     maps a target to a canonical indicator (ActionMapIndicator).
//   - on-site visits (实地督查): the supervisor of the jurisdiction records
//     them (ActionInspect); the project's units, leaders and deputies read
//     them like project work; they are not public.
//   - anyone, logged in or not: reads published plans and their projects.
//
// A unit's user therefore never reads a draft of another unit's project,
// nor writes to it. Disabled users can do nothing.
func Can(u *User, action Action, res Resource) bool {
	if u != nil && u.Role == roleSystem {
		return true
	}
	if action == ActionRead && !res.Private && (res.Kind == ResourcePlan || res.Kind == ResourceProject || res.Kind == ResourceRound) {
		return true
	}
	if u == nil || u.Disabled {
		return false
	}
	own := u.JurisdictionCode != "" && u.JurisdictionCode == res.JurisdictionCode
	covers := u.JurisdictionCode != "" && JurisdictionCovers(u.JurisdictionCode, res.JurisdictionCode)
	reporting := u.UnitID != "" && slices.Contains(res.ReportingUnitIDs, u.UnitID)
	responsible := u.UnitID != "" && slices.Contains(res.ResponsibleUnitIDs, u.UnitID)
	projectWork := res.Kind == ResourceReport || res.Kind == ResourceMonthlyPlan || res.Kind == ResourceProject ||
		res.Kind == ResourceLetter && !res.Private || res.Kind == ResourceInspection

	switch u.Role {
	case RoleAdmin:
		switch action {
		case ActionManageUsers, ActionManageUnits, ActionReadAudit, ActionMapIndicator:
			return true
		case ActionRead:
			return res.Kind == ResourceUser || res.Kind == ResourceUnit || res.Kind == ResourceJurisdiction || res.Kind == ResourceAudit
		}
	case RoleSupervisor:
		switch action {
		case ActionRead:
			if (res.Kind == ResourcePlan || res.Kind == ResourceLetter) && res.Private {
				return own
			}
			return covers && !res.Private
		case ActionImportPlan, ActionEditPlan, ActionPublishPlan:
			return own && (res.Kind == ResourcePlan || res.Kind == ResourceJurisdiction)
		case ActionApproveMonthly:
			return own && res.Kind == ResourceMonthlyPlan
		case ActionReviewReport:
			return own && res.Kind == ResourceReport
		case ActionIssueLetter:
			return own && (res.Kind == ResourceLetter || res.Kind == ResourcePlan || res.Kind == ResourceJurisdiction)
		case ActionManageRound, ActionPropose:
			return own && (res.Kind == ResourceRound || res.Kind == ResourceJurisdiction)
		case ActionInspect:
			return own && res.Kind == ResourceInspection
		case ActionReadAudit:
			return true
		case ActionSplitTarget, ActionLinkProjects, ActionMapIndicator:
			return own && res.Kind == ResourceProject
		}
	case RoleReporter:
		switch action {
		case ActionRead:
			return projectWork && (reporting || responsible)
		case ActionEditReport:
			return res.Kind == ResourceReport && reporting
		case ActionEditMonthly:
			return res.Kind == ResourceMonthlyPlan && reporting
		case ActionContribute:
			return res.Kind == ResourceReport && responsible
		case ActionAnswerLetter:
			return res.Kind == ResourceLetter && !res.Private && reporting
		case ActionPropose:
			return res.Kind == ResourceRound && own
		}
	case RoleContributor:
		switch action {
		case ActionRead:
			return projectWork && (reporting || responsible)
		case ActionContribute:
			return res.Kind == ResourceReport && (reporting || responsible)
		case ActionPropose:
			return res.Kind == ResourceRound && own
		}
	case RoleLeader:
		return action == ActionRead && covers && !res.Private
	case RoleDeputy:
		switch action {
		case ActionRead:
			return covers && !res.Private && res.CongressVoted
		case ActionCastBallot:
			return own && res.Kind == ResourceRound
		case ActionEvaluate:
			return own && res.Kind == ResourceProject && res.CongressVoted
		}
	}
	return false
}

// Authorize is Can as an error: nil when allowed, otherwise EUnauthorized
// for an anonymous user and EForbidden for a logged-in one.
func Authorize(u *User, action Action, res Resource) error {
	if Can(u, action, res) {
		return nil
	}
	if u == nil {
		return Errorf(EUnauthorized, "请先登录")
	}
	if u.Disabled {
		return Errorf(EForbidden, "该账号已停用")
	}
	return Errorf(EForbidden, "无权执行此操作：%s不能%s", u.Role.Label(), actionLabel(action))
}

func actionLabel(a Action) string {
	switch a {
	case ActionRead:
		return "查看该内容"
	case ActionImportPlan:
		return "导入该地区的计划"
	case ActionEditPlan:
		return "修改该计划"
	case ActionPublishPlan:
		return "发布该计划"
	case ActionEditMonthly:
		return "编制该项目的月度计划"
	case ActionApproveMonthly:
		return "审核该月度计划"
	case ActionEditReport:
		return "填报该项目的月度进展"
	case ActionContribute:
		return "为该项目补充责任单位进展"
	case ActionReviewReport:
		return "审核该报告"
	case ActionManageUsers:
		return "管理用户"
	case ActionManageUnits:
		return "管理单位和行政区划"
	case ActionReadAudit:
		return "查看审计日志"
	case ActionIssueLetter:
		return "起草、印发或办结督办函件"
	case ActionAnswerLetter:
		return "答复该函件"
	case ActionPropose:
		return "向该地区征集人大票决候选项目"
	case ActionManageRound:
		return "管理该地区的人大票决"
	case ActionCastBallot:
		return "在该地区的人大票决中投票"
	case ActionEvaluate:
		return "对该项目进行年终满意度测评"
	case ActionSplitTarget:
		return "分解该目标任务"
	case ActionLinkProjects:
		return "关联上下级项目"
	case ActionMapIndicator:
		return "设置该目标对应的指标"
	case ActionInspect:
		return "登记实地督查"
	}
	return string(a)
}

// JurisdictionCovers reports whether jurisdiction parent is child or above
// it, by GB/T 2260 code: 360000 (a province) covers 36xxxx, 360100 (a city)
// covers 3601xx, a county code covers only itself.
// CoveredPrefix is the code prefix of the jurisdictions code covers (see
// JurisdictionCovers): 36 for a province 360000, 3601 for a city 360100,
// the whole code for a county. Queries use it to read only what a user
// may see.
func CoveredPrefix(code string) string {
	switch {
	case len(code) != 6:
		return code
	case code[2:] == "0000":
		return code[:2]
	case code[4:] == "00":
		return code[:4]
	}
	return code
}

func JurisdictionCovers(parent, child string) bool {
	if parent == child {
		return parent != ""
	}
	if len(parent) != 6 || len(child) != 6 {
		return false
	}
	switch {
	case parent[2:] == "0000":
		return child[:2] == parent[:2]
	case parent[4:] == "00":
		return child[:4] == parent[:4]
	}
	return false
}

// ValidJurisdictionCode reports whether code has the shape of a GB/T 2260
// code: six digits.
func ValidJurisdictionCode(code string) bool {
	return len(code) == 6 && strings.Trim(code, "0123456789") == ""
}
