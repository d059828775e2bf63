// Package plan holds the domain of a 民生实事 programme: the plan a
// government publishes, its projects and their measurable targets.
// It imports neither HTTP nor SQL; everything else depends on it.
package plan

// Plan is one published 民生实事 plan, as read from its document. The JSON
// field names are the contract of spec/plan.schema.json.
type Plan struct {
	Source        Source       `json:"source"`
	Jurisdiction  Jurisdiction `json:"jurisdiction"`
	Year          int          `json:"year"`
	Title         string       `json:"title"`
	DocNumber     *string      `json:"doc_number"`
	Issuer        *string      `json:"issuer"`
	Dates         Dates        `json:"dates"`
	DeclaredCount *int         `json:"declared_count"`
	Categories    []Category   `json:"categories"`
	Projects      []Project    `json:"projects"`
	// TotalInvestment is the 合计 the document states, not a computed sum.
	TotalInvestment *Decimal  `json:"total_investment_wan"`
	Findings        []Finding `json:"findings"`
}

// Source identifies the input a plan was read from.
type Source struct {
	File     string `json:"file"`
	SHA256   string `json:"sha256"`
	Encoding string `json:"encoding"`
}

// Jurisdiction is the government whose plan it is.
type Jurisdiction struct {
	Name  string  `json:"name"`
	Code  *string `json:"code"`
	Level *string `json:"level"`
}

// Jurisdiction levels, as GB/T 2260 knows them.
const (
	LevelProvince = "province"
	LevelCity     = "city"
	LevelCounty   = "county"
)

// Dates are ISO dates (2024-07-25) found in the document.
type Dates struct {
	Signed  *string `json:"signed"`
	Printed *string `json:"printed"`
}

// Category groups projects under a heading such as 一、大力推动稳就业增收.
type Category struct {
	Seq   int    `json:"seq"`
	Title string `json:"title"`
}

// Project is one numbered 民生实事.
type Project struct {
	Seq              int          `json:"seq"`
	CategorySeq      *int         `json:"category_seq"`
	Title            string       `json:"title"`
	Text             string       `json:"text"`
	Tags             []string     `json:"tags"`
	LeadUnits        []string     `json:"lead_units"`
	ResponsibleUnits []string     `json:"responsible_units"`
	Leaders          []string     `json:"leaders"`
	Investment       *Decimal     `json:"investment_wan"`
	Targets          []Target     `json:"targets"`
	Subprojects      []Subproject `json:"subprojects"`
}

// Target is one measurable promise of a project: 新增发放创业担保贷款 = 1.42 亿元.
type Target struct {
	Text       string   `json:"text"`
	Metric     string   `json:"metric"`
	Comparator string   `json:"comparator"`
	Value      Decimal  `json:"value"`
	Unit       string   `json:"unit"`
	BaseValue  *Decimal `json:"base_value"`
	BaseUnit   *string  `json:"base_unit"`
	Kind       string   `json:"kind"`
	Subproject *string  `json:"subproject"`
}

// Comparators of a target, as the schema spells them.
const (
	AtLeast  = ">="
	MoreThan = ">"
	AtMost   = "<="
	LessThan = "<"
	Exactly  = "="
	About    = "~"
)

// Kinds of target.
const (
	KindQuantity  = "quantity"  // a count or amount to deliver
	KindRate      = "rate"      // a percentage to hold
	KindStandard  = "standard"  // a per-person allowance level
	KindProgress  = "progress"  // share of works done
	KindMilestone = "milestone" // a yes/no outcome
)

// Subproject is one row of a plan's attachment table (计划清单).
type Subproject struct {
	Name       string   `json:"name"`
	Content    *string  `json:"content"`
	Investment *Decimal `json:"investment_wan"`
	Locations  []string `json:"locations"`
	Years      *string  `json:"years"`
	Expected   *string  `json:"expected"`
	Leaders    []string `json:"leaders"`
	Units      []string `json:"units"`
}

// Finding is something the importer checked and found doubtful.
type Finding struct {
	Severity   string `json:"severity"`
	Code       string `json:"code"`
	Message    string `json:"message"`
	ProjectSeq *int   `json:"project_seq"`
	Line       *int   `json:"line"`
}

// Finding severities.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
	SeverityInfo    = "info"
)

// HasErrors reports whether any finding is an error: such a plan was read
// but must not be published as it stands.
func (p *Plan) HasErrors() bool {
	for _, f := range p.Findings {
		if f.Severity == SeverityError {
			return true
		}
	}
	return false
}
