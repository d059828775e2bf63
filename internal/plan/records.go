package plan

import (
	"strings"
	"time"
)

// PlanState is the life of one version of a plan.
type PlanState string

// Plan states. Only one version of a jurisdiction's plan for a year is
// published at a time; publishing a newer one supersedes it.
const (
	PlanDraft      PlanState = "draft"      // imported, being checked by the supervisor
	PlanPublished  PlanState = "published"  // in force: its projects and targets are rows
	PlanSuperseded PlanState = "superseded" // replaced by a newer published version
)

// Label is the state's Chinese name.
func (s PlanState) Label() string {
	switch s {
	case PlanDraft:
		return "草稿"
	case PlanPublished:
		return "已发布"
	case PlanSuperseded:
		return "已被新版本取代"
	}
	return string(s)
}

// PlanVersion is one stored version of a jurisdiction's plan for a year:
// the imported document and its state. Importing a revised document for the
// same jurisdiction and year makes version N+1.
type PlanVersion struct {
	ID               string    `json:"id"`
	JurisdictionCode string    `json:"jurisdiction_code"`
	Year             int       `json:"year"`
	Version          int       `json:"version"` // 1, 2, … per jurisdiction and year
	State            PlanState `json:"state"`
	// Rev counts edits of the stored document, for optimistic locking of
	// supervisor corrections to a draft (distinct from Version).
	Rev         int        `json:"rev"`
	Document    Plan       `json:"document"`
	SourceText  string     `json:"-"` // the text the importer read, kept for re-reading
	CreatedAt   time.Time  `json:"created_at"`
	CreatedBy   string     `json:"created_by"`
	UpdatedAt   time.Time  `json:"updated_at"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	PublishedBy string     `json:"published_by,omitempty"`
	// Changes are the differences from the version this one superseded,
	// recorded when it was published (empty for version 1).
	Changes []Change `json:"changes,omitempty"`
}

// PlanRecord is another name for PlanVersion: a stored plan is always one
// version of it.
type PlanRecord = PlanVersion

// UnitRole is how a unit is named on a project.
type UnitRole string

// Unit roles on a project.
const (
	UnitLead        UnitRole = "lead"        // 牵头单位: answers for the project and reports
	UnitResponsible UnitRole = "responsible" // 责任单位: contributes
)

// ProjectUnit is one unit named on a project.
type ProjectUnit struct {
	UnitID   string   `json:"unit_id"`
	UnitName string   `json:"unit_name"`
	Role     UnitRole `json:"role"`
}

// ProjectRecord is a published project with a stable ID. The ID survives
// new versions of the plan as long as the project can be matched (see
// MatchTargets), so monthly plans and reports stay attached to it.
type ProjectRecord struct {
	ID               string             `json:"id"`
	PlanID           string             `json:"plan_id"` // the plan version that last published it
	JurisdictionCode string             `json:"jurisdiction_code"`
	Year             int                `json:"year"`
	Seq              int                `json:"seq"`
	CategorySeq      *int               `json:"category_seq"`
	CategoryTitle    string             `json:"category_title,omitempty"`
	Title            string             `json:"title"`
	Text             string             `json:"text"`
	Tags             []string           `json:"tags"`
	Leaders          []string           `json:"leaders"`
	Investment       *Decimal           `json:"investment_wan"`
	Units            []ProjectUnit      `json:"units"`
	Targets          []TargetRecord     `json:"targets"`
	Subprojects      []SubprojectRecord `json:"subprojects"`
	// RetiredBy is the plan version that dropped the project; "" while it is
	// in force. Retired projects keep their reports.
	RetiredBy string    `json:"retired_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// LeadUnitIDs lists the IDs of the project's lead units.
func (p *ProjectRecord) LeadUnitIDs() []string { return p.unitIDs(UnitLead) }

// ResponsibleUnitIDs lists the IDs of the project's responsible units.
func (p *ProjectRecord) ResponsibleUnitIDs() []string { return p.unitIDs(UnitResponsible) }

func (p *ProjectRecord) unitIDs(role UnitRole) []string {
	var ids []string
	for _, u := range p.Units {
		if u.Role == role {
			ids = append(ids, u.UnitID)
		}
	}
	return ids
}

// LeadUnitNames lists the names of the lead units (lead_units of the schema).
func (p *ProjectRecord) LeadUnitNames() []string { return p.unitNames(UnitLead) }

// ResponsibleUnitNames lists the names of the responsible units
// (responsible_units of the schema).
func (p *ProjectRecord) ResponsibleUnitNames() []string { return p.unitNames(UnitResponsible) }

func (p *ProjectRecord) unitNames(role UnitRole) []string {
	names := []string{}
	for _, u := range p.Units {
		if u.Role == role {
			names = append(names, u.UnitName)
		}
	}
	return names
}

// ReportingUnitIDs are the units that write the project's monthly plan and
// reports: its lead units, or — when the document names only 责任单位 (the
// schema then leaves lead_units empty) — its responsible units.
func (p *ProjectRecord) ReportingUnitIDs() []string {
	if ids := p.LeadUnitIDs(); len(ids) > 0 {
		return ids
	}
	return p.ResponsibleUnitIDs()
}

// ActiveTargets returns the targets not retired by a later version.
func (p *ProjectRecord) ActiveTargets() []TargetRecord {
	var out []TargetRecord
	for _, t := range p.Targets {
		if t.RetiredBy == "" {
			out = append(out, t)
		}
	}
	return out
}

// CongressVoted reports whether the People's Congress chose the project by
// vote (a tag such as 市人大票决项目): deputies follow those projects.
func (p *ProjectRecord) CongressVoted() bool { return HasCongressTag(p.Tags) }

// HasCongressTag reports whether tags mark a 人大票决 project.
func HasCongressTag(tags []string) bool {
	for _, t := range tags {
		if strings.Contains(t, "人大票决") {
			return true
		}
	}
	return false
}

// TargetRecord is a published target with a stable ID.
type TargetRecord struct {
	ID         string   `json:"id"`
	ProjectID  string   `json:"project_id"`
	Seq        int      `json:"seq"` // 1-based position in the project's current targets
	Text       string   `json:"text"`
	Metric     string   `json:"metric"`
	Comparator string   `json:"comparator"`
	Value      Decimal  `json:"value"`
	Unit       string   `json:"unit"`
	BaseValue  *Decimal `json:"base_value"`
	BaseUnit   *string  `json:"base_unit"`
	Kind       string   `json:"kind"`
	Subproject *string  `json:"subproject"`
	RetiredBy  string   `json:"retired_by,omitempty"`
}

// Cumulative reports whether the target's actual is a running total that
// can only grow during the year (quantities, share of works done, a
// milestone reached); rates and allowance standards are levels that may
// move either way.
func (t *TargetRecord) Cumulative() bool {
	switch t.Kind {
	case KindRate, KindStandard:
		return false
	}
	return true
}

// Percent reports whether the target's value is a percentage that cannot
// exceed 100 (a rate or a share of works done).
func (t *TargetRecord) Percent() bool {
	return t.Kind == KindRate || t.Kind == KindProgress || (t.Unit == "%" && t.Kind != KindStandard)
}

// SubprojectRecord is a published row of the plan's attachment table.
type SubprojectRecord struct {
	ID         string   `json:"id"`
	ProjectID  string   `json:"project_id"`
	Seq        int      `json:"seq"`
	Name       string   `json:"name"`
	Content    *string  `json:"content"`
	Investment *Decimal `json:"investment_wan"`
	Locations  []string `json:"locations"`
	Years      *string  `json:"years"`
	Expected   *string  `json:"expected"`
	Leaders    []string `json:"leaders"`
	Units      []string `json:"units"`
	RetiredBy  string   `json:"retired_by,omitempty"`
}
