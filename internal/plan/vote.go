package plan

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// 人大票决: every year the People's Congress of a jurisdiction chooses some
// of its 民生实事 by the deputies' vote. A Round collects candidate
// projects (from units and from the public), the supervisor shortlists
// them, each deputy casts one secret ballot for up to MaxChoices of them,
// and the Seats candidates with most votes become projects of the year's
// plan, tagged CongressTag. At year end the deputies evaluate each 票决
// project (Rating).

// CongressTag is the tag the winners of a round carry in the plan.
const CongressTag = "人大票决项目"

// RoundState is the life of a candidate round.
type RoundState string

// Round states, in order.
const (
	RoundProposing RoundState = "proposing" // 征集中: proposals, moderation, shortlisting
	RoundVoting    RoundState = "voting"    // 投票中: deputies cast ballots
	RoundClosed    RoundState = "closed"    // 已计票: the result is fixed
	RoundAdopted   RoundState = "adopted"   // 已纳入计划: the winners are in a plan version
)

// Label is the state's Chinese name.
func (s RoundState) Label() string {
	switch s {
	case RoundProposing:
		return "征集中"
	case RoundVoting:
		return "投票中"
	case RoundClosed:
		return "已计票"
	case RoundAdopted:
		return "已纳入计划"
	}
	return string(s)
}

// Round is one jurisdiction's candidate round for a year.
type Round struct {
	ID               string     `json:"id"`
	JurisdictionCode string     `json:"jurisdiction_code"`
	Year             int        `json:"year"`
	Title            string     `json:"title"`
	State            RoundState `json:"state"`
	Version          int        `json:"version"`
	// MaxChoices is K: how many candidates a deputy may choose at most.
	MaxChoices int `json:"max_choices"`
	// Seats is how many candidates win.
	Seats int `json:"seats"`
	// Result is the count, fixed when the round closes; BallotsHash is its
	// BallotsDigest, published with it.
	Result      *TallyResult `json:"result,omitempty"`
	BallotsHash string       `json:"ballots_hash,omitempty"`
	// PlanID is the plan version the winners were added to.
	PlanID    string     `json:"plan_id,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	CreatedBy string     `json:"created_by"`
	OpenedAt  *time.Time `json:"opened_at,omitempty"`
	ClosedAt  *time.Time `json:"closed_at,omitempty"`
	AdoptedAt *time.Time `json:"adopted_at,omitempty"`
}

// RoundResource describes a round for Can.
func RoundResource(r *Round) Resource {
	return Resource{Kind: ResourceRound, JurisdictionCode: r.JurisdictionCode}
}

// ValidateSettings checks K and the number of winners against the
// shortlist before voting opens.
func (r *Round) ValidateSettings(shortlisted int) error {
	var ps Problems
	if r.Seats < 1 {
		ps.errorf("seats", "当选项目数必须至少为 1")
	}
	if r.MaxChoices < 1 {
		ps.errorf("max_choices", "每位代表最多可选项目数必须至少为 1")
	}
	if shortlisted >= 0 {
		if r.Seats > shortlisted {
			ps.errorf("seats", "当选项目数 %d 多于入围候选项目数 %d", r.Seats, shortlisted)
		}
		if r.MaxChoices > shortlisted {
			ps.errorf("max_choices", "每位代表最多可选 %d 个，多于入围候选项目数 %d", r.MaxChoices, shortlisted)
		}
	}
	return ps.Err()
}

// CandidateState is where a proposal stands.
type CandidateState string

// Candidate states.
const (
	CandidatePending     CandidateState = "pending"     // a public proposal awaiting moderation
	CandidateProposed    CandidateState = "proposed"    // a unit's proposal, or a public one accepted
	CandidateRejected    CandidateState = "rejected"    // refused by moderation
	CandidateShortlisted CandidateState = "shortlisted" // on the ballot
	CandidateMerged      CandidateState = "merged"      // a duplicate, merged into MergedInto
)

// Label is the state's Chinese name.
func (s CandidateState) Label() string {
	switch s {
	case CandidatePending:
		return "待审核"
	case CandidateProposed:
		return "已征集"
	case CandidateRejected:
		return "未采纳"
	case CandidateShortlisted:
		return "已入围"
	case CandidateMerged:
		return "已合并"
	}
	return string(s)
}

// Candidate sources.
const (
	SourceUnit   = "unit"   // proposed by a logged-in unit or the supervisor
	SourcePublic = "public" // proposed by a resident without a login
)

// Candidate is a proposed project.
type Candidate struct {
	ID      string `json:"id"`
	RoundID string `json:"round_id"`
	// Seq is the candidate's number on the ballot, given when shortlisted.
	Seq        int            `json:"seq,omitempty"`
	Name       string         `json:"name"`
	Content    string         `json:"content"`
	Investment *Decimal       `json:"investment_wan"`
	UnitName   string         `json:"unit_name"`
	Reason     string         `json:"reason"`
	Source     string         `json:"source"`
	ProposedBy string         `json:"proposed_by,omitempty"`
	State      CandidateState `json:"state"`
	MergedInto string         `json:"merged_into,omitempty"`
	CreatedAt  time.Time      `json:"created_at"`
}

// Validate checks a proposal, naming the field at fault.
func (c *Candidate) Validate() error {
	var ps Problems
	text := func(field, label, v string, max int) {
		switch n := utf8.RuneCountInString(strings.TrimSpace(v)); {
		case n == 0:
			ps.errorf(field, "请填写%s", label)
		case n > max:
			ps.errorf(field, "%s不能超过 %d 个字", label, max)
		}
	}
	text("name", "项目名称", c.Name, 60)
	text("content", "主要建设内容", c.Content, 2000)
	text("unit_name", "建议责任单位", c.UnitName, 60)
	text("reason", "建议理由", c.Reason, 2000)
	if c.Investment != nil && c.Investment.Sign() < 0 {
		ps.errorf("investment_wan", "估算投资不能为负数")
	}
	return ps.Err()
}

// Ballot is one deputy's choice: the IDs of the candidates chosen, none
// (a blank ballot) up to the round's MaxChoices.
type Ballot []string

// Canonical checks a ballot against the round's shortlist and K and
// returns it sorted, which is how it is stored and exported.
func (b Ballot) Canonical(shortlist []string, maxChoices int) (Ballot, error) {
	if len(b) > maxChoices {
		return nil, FieldError("choices", "最多只能选择 %d 个候选项目，您选择了 %d 个", maxChoices, len(b))
	}
	out := slices.Clone(b)
	slices.Sort(out)
	for i, id := range out {
		if i > 0 && out[i-1] == id {
			return nil, FieldError("choices", "同一候选项目只能选择一次")
		}
		if !slices.Contains(shortlist, id) {
			return nil, FieldError("choices", "候选项目 %s 不在本轮入围名单中", id)
		}
	}
	return out, nil
}

// String is the ballot's line in the export: candidate IDs joined by
// commas, "" for a blank ballot. Candidate IDs never contain a comma.
func (b Ballot) String() string { return strings.Join(b, ",") }

// ParseBallot reads a ballot line.
func ParseBallot(line string) Ballot {
	if line == "" {
		return Ballot{}
	}
	return strings.Split(line, ",")
}

// Rating is a deputy's year-end evaluation of a 票决 project.
type Rating string

// Ratings.
const (
	RatingSatisfied   Rating = "satisfied"   // 满意
	RatingBasic       Rating = "basic"       // 基本满意
	RatingUnsatisfied Rating = "unsatisfied" // 不满意
)

// Ratings lists every rating, in the order a form offers them.
var Ratings = []Rating{RatingSatisfied, RatingBasic, RatingUnsatisfied}

// Label is the rating's Chinese name.
func (r Rating) Label() string {
	switch r {
	case RatingSatisfied:
		return "满意"
	case RatingBasic:
		return "基本满意"
	case RatingUnsatisfied:
		return "不满意"
	}
	return string(r)
}

// Valid reports whether r is one of Ratings.
func (r Rating) Valid() bool { return slices.Contains(Ratings, r) }

// EvaluationOpens is when deputies may evaluate a year's 票决 projects:
// the first of December of that year, China time (year end, as the
// People's Congress reviews them before its next session).
func EvaluationOpens(year int) time.Time {
	return time.Date(year, time.December, 1, 0, 0, 0, 0, Shanghai)
}

// Evaluation is the deputies' year-end evaluation of one project.
type Evaluation struct {
	ProjectID   string `json:"project_id"`
	Satisfied   int    `json:"satisfied"`
	Basic       int    `json:"basic"`
	Unsatisfied int    `json:"unsatisfied"`
}

// Total is how many deputies evaluated the project.
func (e Evaluation) Total() int { return e.Satisfied + e.Basic + e.Unsatisfied }

// Rate is (满意 + 基本满意) / total as a percentage with one decimal, nil
// when nobody has evaluated the project yet.
func (e Evaluation) Rate() *Decimal {
	if e.Total() == 0 {
		return nil
	}
	r := DecimalFromInt(int64(e.Satisfied + e.Basic)).Mul(DecimalFromInt(100))
	d := Decimal{r.Div(DecimalFromInt(int64(e.Total())).Decimal).Round(1)}
	return &d
}

// Add counts one rating.
func (e *Evaluation) Add(r Rating) {
	switch r {
	case RatingSatisfied:
		e.Satisfied++
	case RatingBasic:
		e.Basic++
	case RatingUnsatisfied:
		e.Unsatisfied++
	}
}

// AddCongressProjects puts a round's winners into a plan document: a
// project of the same title gets the CongressTag, any other winner becomes
// a new project at the end of the list (its name, content, estimated
// investment and proposed responsible unit as the lead unit; the
// supervisor adds targets when correcting the draft). It returns the
// titles added and tagged.
func AddCongressProjects(doc *Plan, winners []Candidate) (added, tagged []string) {
	for _, w := range winners {
		i := slices.IndexFunc(doc.Projects, func(p Project) bool { return p.Title == w.Name })
		if i >= 0 {
			if !HasCongressTag(doc.Projects[i].Tags) {
				doc.Projects[i].Tags = append(doc.Projects[i].Tags, CongressTag)
			}
			tagged = append(tagged, w.Name)
			continue
		}
		seq := 1
		for _, p := range doc.Projects {
			seq = max(seq, p.Seq+1)
		}
		var inv *Decimal
		if w.Investment != nil {
			inv = w.Investment.Ptr()
		}
		doc.Projects = append(doc.Projects, Project{Seq: seq, Title: w.Name, Text: w.Content, Tags: []string{CongressTag},
			LeadUnits: []string{w.UnitName}, ResponsibleUnits: []string{}, Leaders: []string{}, Investment: inv,
			Targets: []Target{}, Subprojects: []Subproject{}})
		added = append(added, w.Name)
	}
	return added, tagged
}

// CongressTitle is the project's title followed by its 人大票决 tags, as
// the ledger and the bulletin list it — 加强井盖整治（市人大票决项目、区人大票决项目）
// — and the bare title for any other project.
func (p *ProjectRecord) CongressTitle() string {
	var tags []string
	for _, t := range p.Tags {
		if HasCongressTag([]string{t}) {
			tags = append(tags, t)
		}
	}
	if len(tags) == 0 {
		return p.Title
	}
	return p.Title + "（" + strings.Join(tags, "、") + "）"
}
