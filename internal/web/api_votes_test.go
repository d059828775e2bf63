package web_test

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/emmansun/gmsm/sm3"
	dto "github.com/prometheus/client_model/go"
	"github.com/xuri/excelize/v2"

	"minsheng/internal/metrics"
	"minsheng/internal/plan"
)

const proposalBody = `{"name": "建设社区老年食堂", "content": "在长堎街道新建社区老年食堂3个", "investment_wan": 300, "unit_name": "区民政局", "reason": "老年人就餐难"}`

func everyone(status int) map[string]int {
	m := map[string]int{}
	for _, a := range actors {
		m[a] = status
	}
	return m
}

// newRound: the supervisor opens 新建区's 2025 round: {round}, {roundVersion}.
func newRound(f *fixture) {
	r := f.do(supervisor, "POST", "/api/v1/votes/rounds", `{"jurisdiction_code": "360112", "year": 2025}`).expect(f.t, 201, `"state":"proposing"`)
	f.vars["round"], f.vars["roundVersion"] = r.str("id"), strconv.Itoa(r.num("version"))
}

func (f *fixture) roundVersion(r *response) {
	f.vars["roundVersion"] = strconv.Itoa(r.num("version"))
}

// proposedRound: three candidates proposed by 区人社局, {cand1}…{cand3}.
func proposedRound(f *fixture) {
	newRound(f)
	for i, name := range []string{"建设社区老年食堂", "加强井盖整治", "实施人行道改造"} {
		body := fmt.Sprintf(`{"name": %q, "content": "%s的内容", "unit_name": "区住建局", "reason": "群众呼声高"}`, name, name)
		r := f.do(leadReporter, "POST", "/api/v1/votes/rounds/{round}/candidates", body).expect(f.t, 201, `"state":"proposed"`)
		f.vars[fmt.Sprintf("cand%d", i+1)] = r.str("id")
	}
}

// shortlistedRound: all three shortlisted, K = 2, two winners.
func shortlistedRound(f *fixture) {
	proposedRound(f)
	for i := 1; i <= 3; i++ {
		f.do(supervisor, "POST", fmt.Sprintf("/api/v1/votes/candidates/{cand%d}/shortlist", i), nil).expect(f.t, 200, `"state":"shortlisted"`)
	}
	f.roundVersion(f.do(supervisor, "PUT", "/api/v1/votes/rounds/{round}", `{"version": {roundVersion}, "max_choices": 2, "seats": 2}`).expect(f.t, 200))
}

func votingRound(f *fixture) {
	shortlistedRound(f)
	f.roundVersion(f.do(supervisor, "POST", "/api/v1/votes/rounds/{round}/open", `{"version": {roundVersion}}`).expect(f.t, 200, `"state":"voting"`))
}

func closedRound(f *fixture) {
	votingRound(f)
	f.do(deputy, "POST", "/api/v1/votes/rounds/{round}/ballot", `{"choices": ["{cand1}", "{cand3}"]}`).expect(f.t, 201)
	f.roundVersion(f.do(supervisor, "POST", "/api/v1/votes/rounds/{round}/close", `{"version": {roundVersion}}`).expect(f.t, 200, `"state":"closed"`))
}

// TestVoteAPIFlow: the round over the API, with the checks a deputy and
// a member of the public would make.
func TestVoteAPIFlow(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	votingRound(f)

	// A deputy submitting twice at once: one 201, one 409.
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i := range statuses {
		wg.Go(func() {
			statuses[i] = f.do(deputy, "POST", "/api/v1/votes/rounds/{round}/ballot", `{"choices": ["{cand1}", "{cand2}"]}`).status
		})
	}
	wg.Wait()
	if !(statuses[0] == 201 && statuses[1] == 409 || statuses[0] == 409 && statuses[1] == 201) {
		t.Fatalf("double submit: %v, want one 201 and one 409", statuses)
	}
	f.do(deputy, "POST", "/api/v1/votes/rounds/{round}/ballot", `{"choices": []}`).expect(t, 409, "只能投一次").checkError(t, "")
	r := f.do(deputy, "GET", "/api/v1/votes/rounds/{round}", nil).expect(t, 200, `"has_voted":true`, `"voted":1`)
	if strings.Contains(string(r.body), `"result"`) {
		t.Fatalf("result shown while voting: %s", r.body)
	}
	f.do(anon, "GET", "/api/v1/votes/rounds/{round}/ballots", nil).expect(t, 409)
	f.do(supervisor, "POST", "/api/v1/votes/rounds/{round}/ballot", `{"choices": ["{cand1}"]}`).expect(t, 403)
	f.do(supervisor, "POST", "/api/v1/votes/rounds/{round}/recount", `{"version": {roundVersion}}`).expect(t, 404)

	f.roundVersion(f.do(supervisor, "POST", "/api/v1/votes/rounds/{round}/close", `{"version": {roundVersion}}`).expect(t, 200, `"state":"closed"`))
	var rd struct {
		BallotsHash string            `json:"ballots_hash"`
		Result      *plan.TallyResult `json:"result"`
	}
	f.do(anon, "GET", "/api/v1/votes/rounds/{round}", nil).expect(t, 200).decode(t, &rd)
	if rd.Result == nil || rd.Result.Ballots != 1 || len(rd.Result.Winners()) != 2 {
		t.Fatalf("result: %+v", rd.Result)
	}
	// Anyone with the export can check the published hash.
	export := f.do(anon, "GET", "/api/v1/votes/rounds/{round}/ballots", nil).expect(t, 200)
	sum := sm3.Sum(export.body)
	if hex.EncodeToString(sum[:]) != rd.BallotsHash || string(export.body) != f.vars["cand1"]+","+f.vars["cand2"]+"\n" && string(export.body) != f.vars["cand2"]+","+f.vars["cand1"]+"\n" {
		t.Fatalf("export %q does not hash to %s", export.body, rd.BallotsHash)
	}
	// Adopted: a 2025 draft with the two winners, tagged.
	var adopted struct {
		PlanID string `json:"plan_id"`
	}
	f.do(supervisor, "POST", "/api/v1/votes/rounds/{round}/adopt", `{"version": {roundVersion}}`).expect(t, 200, `"state":"adopted"`).decode(t, &adopted)
	f.vars["adopted"] = adopted.PlanID
	f.do(supervisor, "GET", "/api/v1/plans/{adopted}", nil).expect(t, 200, `"state":"draft"`, "建设社区老年食堂", "人大票决项目")
}

func TestVoteAPIBadInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	proposedRound(f)
	f.do(leadReporter, "POST", "/api/v1/votes/rounds/{round}/candidates", `{"name": "", "content": "x", "unit_name": "y", "reason": "z"}`).
		expect(t, 422).checkError(t, "name")
	f.do(leadReporter, "POST", "/api/v1/votes/rounds/{round}/candidates", `{"name": "甲", "content": "x", "unit_name": "y", "reason": "z", "investment_wan": "很多"}`).
		expect(t, 400).checkError(t, "investment_wan")
	f.do(supervisor, "POST", "/api/v1/votes/candidates/{cand1}/merge", `{"into": "nope"}`).expect(t, 422).checkError(t, "into")
	f.do(supervisor, "POST", "/api/v1/votes/candidates/{cand1}/erase", nil).expect(t, 422).checkError(t, "action")
	f.do(supervisor, "POST", "/api/v1/votes/rounds/{round}/open", `{"version": {roundVersion}}`).expect(t, 422, "还没有入围")
	f.do(supervisor, "POST", "/api/v1/votes/rounds", `{"jurisdiction_code": "360112", "year": 2025}`).expect(t, 409)
	f.do(supervisor, "POST", "/api/v1/votes/rounds", `{"jurisdiction_code": "360112", "year": 1999}`).expect(t, 422).checkError(t, "year")
	f.do(deputy, "POST", "/api/v1/projects/{p8}/evaluation", `{"rating": "很好"}`).expect(t, 422).checkError(t, "rating")
	f.do(deputy, "POST", "/api/v1/projects/{p1}/evaluation", `{"rating": "basic"}`).expect(t, 403) // not a 票决 project
	f.do(deputy, "POST", "/api/v1/projects/{p8}/evaluation", `{"rating": "basic"}`).expect(t, 201)
	f.do(deputy, "POST", "/api/v1/projects/{p8}/evaluation", `{"rating": "basic"}`).expect(t, 409)
	f.do(anon, "GET", "/api/v1/projects/{p8}/evaluation", nil).expect(t, 200, `"basic":1`, `"rate":100`)
}

// TestPublicProposalsRateLimited: 20 an hour from one address, then 429;
// the proposals wait for moderation and only the supervisor sees them.
func TestPublicProposalsRateLimited(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	newRound(f)
	for range 20 {
		f.do(anon, "POST", "/api/v1/public/votes/rounds/{round}/proposals", proposalBody).expect(t, 201, `"state":"pending"`)
	}
	refused := func() float64 {
		var m dto.Metric
		metrics.RateLimited.WithLabelValues("proposal").Write(&m)
		return m.GetCounter().GetValue()
	}
	limited := refused()
	f.do(anon, "POST", "/api/v1/public/votes/rounds/{round}/proposals", proposalBody).expect(t, 429, "过于频繁").checkError(t, "")
	if got := refused(); got < limited+1 {
		t.Errorf("minsheng_rate_limited_total{limit=\"proposal\"} went from %v to %v", limited, got)
	}
	if r := f.do(anon, "GET", "/api/v1/votes/rounds/{round}", nil).expect(t, 200); strings.Contains(string(r.body), "老年食堂") {
		t.Fatal("an unmoderated proposal is public")
	}
	f.do(supervisor, "GET", "/api/v1/votes/rounds/{round}", nil).expect(t, 200, "老年食堂", `"state":"pending"`)
}

// voteReads makes every 人大票决 read answer once, for the contract test.
func voteReads(t *testing.T, f *fixture) {
	closedRound(f)
	f.do(anon, "GET", "/api/v1/votes/rounds?jurisdiction=360112", nil).expect(t, 200, f.vars["round"])
	f.do(deputy, "GET", "/api/v1/votes/rounds/{round}", nil).expect(t, 200, `"ballots_hash"`)
	f.do(anon, "GET", "/api/v1/votes/rounds/{round}/ballots", nil).expect(t, 200)
	f.do(anon, "GET", "/api/v1/projects/{p8}/evaluation", nil).expect(t, 200, `"rate":null`)
}

// TestCongressTagInDocuments: the ledger and the bulletin name a 票决
// project's tag after its title (project 8 of the seed).
func TestCongressTagInDocuments(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const title = "推进中小学校网点及学前教育建设（市人大票决项目、区人大票决项目）"
	html := f.do(supervisor, "GET", "/documents/bulletin.html?jurisdiction=360112&period=2024-05", nil).expect(t, 200)
	if !strings.Contains(string(html.body), title) {
		t.Errorf("bulletin lacks %q", title)
	}
	xlsx := f.do(supervisor, "GET", "/documents/ledger.xlsx?jurisdiction=360112&period=2024-05", nil).expect(t, 200)
	book, err := excelize.OpenReader(bytes.NewReader(xlsx.body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := book.GetRows(book.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		found = found || slices.Contains(r, title)
	}
	if !found {
		t.Errorf("ledger lacks %q", title)
	}
}
