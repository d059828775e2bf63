package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"minsheng/internal/docimport"
	"minsheng/internal/plan"
	"minsheng/internal/store"
)

// levelSetup publishes 上饶市's real plan and the test plan of its 广丰区
// (testdata/hierarchy) beside the fixture's 新建区, as the system would on
// an operator's command line, and names their IDs: {srP9} and {srSchools}
// (project 9, 100 pilot schools), {srP2t1} (城市低保 935 元), {gfP1} (广丰区's
// repeat of project 9), {p9t1} (新建区's 城乡低保 965 元).
func levelSetup(f *fixture) {
	f.t.Helper()
	ctx := context.Background()
	for _, rel := range []string{"seeds/shangrao-2024.txt", "hierarchy/guangfeng-2024.txt"} {
		raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", rel))
		if err != nil {
			f.t.Fatal(err)
		}
		doc, err := docimport.Import(filepath.Base(rel), raw)
		if err != nil {
			f.t.Fatal(err)
		}
		pv, err := f.st.SaveDraftPlan(ctx, plan.SystemUser, doc, string(raw))
		if err != nil {
			f.t.Fatal(err)
		}
		if _, err := f.st.PublishPlan(ctx, plan.SystemUser, pv.ID); err != nil {
			f.t.Fatal(err)
		}
	}
	for code, name := range map[string]string{"361100": "sr", "361103": "gf", "360112": ""} {
		ps, err := f.st.ListProjects(ctx, store.ProjectFilter{JurisdictionCode: code, Year: 2024})
		if err != nil {
			f.t.Fatal(err)
		}
		for _, p := range ps {
			key := fmt.Sprintf("%sP%d", name, p.Seq)
			if name == "" {
				key = fmt.Sprintf("p%d", p.Seq)
			} else {
				f.vars[key] = p.ID
			}
			if ts := p.ActiveTargets(); len(ts) > 0 {
				f.vars[key+"t1"] = ts[0].ID
			}
		}
	}
	f.vars["srSchools"] = f.vars["srP9t1"]
}

// splitSchools splits 上饶市's 100 pilot schools among its counties (信州区's
// share reported by its 区教育局, the fixture's county reporter) and names
// 信州区's share {xzShare}.
func splitSchools(f *fixture) {
	f.t.Helper()
	levelSetup(f)
	shares, err := f.st.SplitTarget(context.Background(), plan.SystemUser, f.vars["srSchools"], schoolShares())
	if err != nil {
		f.t.Fatal(err)
	}
	f.vars["xzShare"] = shares[0].ID
}

func schoolShares() []plan.ShareInput {
	var out []plan.ShareInput
	for _, x := range []struct{ code, n, unit string }{
		{"361102", "10", "区教育局"}, {"361103", "12", "区教体局"}, {"361104", "10", "区教育局"}, {"361123", "8", "县教育局"},
		{"361124", "8", "县教育局"}, {"361125", "5", "县教育局"}, {"361126", "6", "县教育局"}, {"361127", "10", "县教育局"},
		{"361128", "13", "县教育局"}, {"361129", "6", "县教育局"}, {"361130", "7", "县教育局"}, {"361181", "5", "市教育局"},
	} {
		out = append(out, plan.ShareInput{JurisdictionCode: x.code, Value: plan.MustDecimal(x.n), Unit: x.unit})
	}
	return out
}

const splitBody = `{"shares": [
	{"jurisdiction_code": "361102", "value": 10, "unit": "区教育局"}, {"jurisdiction_code": "361103", "value": 12, "unit": "区教体局"},
	{"jurisdiction_code": "361104", "value": 10, "unit": "区教育局"}, {"jurisdiction_code": "361123", "value": 8, "unit": "县教育局"},
	{"jurisdiction_code": "361124", "value": 8, "unit": "县教育局"}, {"jurisdiction_code": "361125", "value": 5, "unit": "县教育局"},
	{"jurisdiction_code": "361126", "value": 6, "unit": "县教育局"}, {"jurisdiction_code": "361127", "value": 10, "unit": "县教育局"},
	{"jurisdiction_code": "361128", "value": 13, "unit": "县教育局"}, {"jurisdiction_code": "361129", "value": 6, "unit": "县教育局"},
	{"jurisdiction_code": "361130", "value": 7, "unit": "县教育局"}, {"jurisdiction_code": "361181", "value": 5, "unit": "市教育局"}]}`

// levelWriteCases are the write matrix's rows of api_levels.go.
func levelWriteCases() []writeCase {
	return []writeCase{
		{route: "PUT /api/v1/targets/{targetID}/indicator", method: "PUT", url: "/api/v1/targets/{p9t1}/indicator", body: `{"indicator_id": "dibao_urban"}`,
			setup: levelSetup, allowed: map[string]int{supervisor: 200, admin: 200}},
		{route: "DELETE /api/v1/targets/{targetID}/indicator", method: "DELETE", url: "/api/v1/targets/{p9t1}/indicator",
			setup: func(f *fixture) {
				levelSetup(f)
				if err := f.st.SetIndicatorOverride(context.Background(), plan.SystemUser, f.vars["p9t1"], ""); err != nil {
					f.t.Fatal(err)
				}
			}, allowed: map[string]int{supervisor: 204, admin: 204}},
		{route: "PUT /api/v1/targets/{targetID}/shares", method: "PUT", url: "/api/v1/targets/{srSchools}/shares", body: splitBody,
			setup: levelSetup, allowed: map[string]int{citySupervisor: 200}},
		{route: "PUT /api/v1/shares/{shareID}/reports/{period}", method: "PUT", url: "/api/v1/shares/{xzShare}/reports/2024-05",
			body: `{"actual": 4, "note": "已配备 4 所"}`, setup: splitSchools, allowed: map[string]int{countyReporter: 200}},
		{route: "POST /api/v1/links", method: "POST", url: "/api/v1/links", body: `{"upper_project_id": "{srP9}", "lower_project_id": "{gfP1}"}`,
			setup: levelSetup, allowed: map[string]int{citySupervisor: 201}},
		{route: "DELETE /api/v1/links/{linkID}", method: "DELETE", url: "/api/v1/links/{link}",
			setup: func(f *fixture) {
				levelSetup(f)
				l, err := f.st.LinkProjects(context.Background(), plan.SystemUser, f.vars["srP9"], f.vars["gfP1"])
				if err != nil {
					f.t.Fatal(err)
				}
				f.vars["link"] = l.ID
			}, allowed: map[string]int{citySupervisor: 204}},
	}
}

// levelReads are the reads of api_levels.go that the OpenAPI contract test
// must see answered.
func levelReads(t *testing.T, f *fixture) {
	splitSchools(f)
	f.do(anon, "GET", "/api/v1/indicators", nil).expect(t, 200, `"id":"dibao_urban"`)
	f.do(anon, "GET", "/api/v1/compare?indicator=dibao_urban&jurisdiction=360112,361100&year=2024", nil).expect(t, 200)
	f.do(citySupervisor, "GET", "/api/v1/hierarchy?jurisdiction=361100&period=2024-05", nil).expect(t, 200)
	f.do(citySupervisor, "GET", "/api/v1/targets/{srSchools}/shares?period=2024-05", nil).expect(t, 200)
	f.do(countyReporter, "GET", "/api/v1/shares?year=2024", nil).expect(t, 200)
}

// TestLevelsAPI: the comparison of the real seeds (新建区 965 元 against
// 上饶市 935 元 城市低保), bad queries, a split refused naming the county,
// a share reported and rolled up, a county repeat linked.
func TestLevelsAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	splitSchools(f)
	f.run(t, []step{
		{name: "compare", as: anon, method: "GET", url: "/api/v1/compare?indicator=dibao_urban&indicator=dibao_rural&jurisdiction=360112&jurisdiction=361100&year=2024", status: 200,
			want: []string{`"jurisdiction_name":"新建区","year":2024,"plan_id":"{plan}","value":965`, `"jurisdiction_name":"上饶市"`, `"value":935`, `"value":715`, `"set":2`}},
		{name: "compare unknown indicator", as: anon, method: "GET", url: "/api/v1/compare?indicator=dibao", status: 422, field: "indicator"},
		{name: "compare bad year", as: anon, method: "GET", url: "/api/v1/compare?year=24", status: 400, field: "year"},
		{name: "compare bad code", as: anon, method: "GET", url: "/api/v1/compare?jurisdiction=3611", status: 400, field: "jurisdiction"},
		{name: "map to an unknown indicator", as: supervisor, method: "PUT", url: "/api/v1/targets/{p9t1}/indicator", body: `{"indicator_id": "x"}`, status: 422, field: "indicator_id"},
		{name: "map without indicator_id", as: supervisor, method: "PUT", url: "/api/v1/targets/{p9t1}/indicator", body: `{}`, status: 422, field: "indicator_id"},
		{name: "split short", as: citySupervisor, method: "PUT", url: "/api/v1/targets/{srSchools}/shares",
			body:   `{"shares": [{"jurisdiction_code": "361102", "value": 60, "unit": "区教育局"}, {"jurisdiction_code": "361103", "value": 0, "unit": "区教体局"}]}`,
			status: 422, field: "shares[1].value", want: []string{"广丰区的分解数应大于 0"}},
		{name: "split a standard", as: citySupervisor, method: "PUT", url: "/api/v1/targets/{srP2t1}/shares", body: splitBody, status: 422, field: "target"},
		{name: "report a share", as: countyReporter, method: "PUT", url: "/api/v1/shares/{xzShare}/reports/2024-05", body: `{"actual": 6}`, status: 200},
		{name: "share below last month", as: countyReporter, method: "PUT", url: "/api/v1/shares/{xzShare}/reports/2024-06", body: `{"actual": 5}`, status: 422, field: "actual"},
		{name: "share without figure", as: countyReporter, method: "PUT", url: "/api/v1/shares/{xzShare}/reports/2024-06", body: `{"note": "x"}`, status: 422, field: "actual"},
		{name: "share bad month", as: countyReporter, method: "PUT", url: "/api/v1/shares/{xzShare}/reports/2024-13", body: `{"actual": 7}`, status: 400, field: "period"},
		{name: "county's tasks", as: countyReporter, method: "GET", url: "/api/v1/shares?year=2024", status: 200,
			want: []string{`"jurisdiction_name":"信州区"`, `"upper_jurisdiction_name":"上饶市"`, `"actual":6`}},
		{name: "city roll-up", as: citySupervisor, method: "GET", url: "/api/v1/targets/{srSchools}/shares?period=2024-05", status: 200,
			want: []string{`"assigned":100`, `"actual":6`, `"status":"on_track"`, `"status":"not_reported"`}},
		{name: "link a repeat", as: citySupervisor, method: "POST", url: "/api/v1/links", body: `{"upper_project_id": "{srP9}", "lower_project_id": "{gfP1}"}`, status: 201},
		{name: "link again", as: citySupervisor, method: "POST", url: "/api/v1/links", body: `{"upper_project_id": "{srP4}", "lower_project_id": "{gfP1}"}`, status: 409},
		{name: "link across cities", as: citySupervisor, method: "POST", url: "/api/v1/links", body: `{"upper_project_id": "{srP9}", "lower_project_id": "{p1}"}`, status: 422, field: "lower_project_id"},
		{name: "hierarchy", as: leader, method: "GET", url: "/api/v1/hierarchy?jurisdiction=361100&period=2024-05", status: 200,
			want: []string{`"name":"上饶市","level":"city"`, `"code":"361181","name":"德兴市"`, `"lower_jurisdiction_name":"广丰区"`, `"source":"county_plan"`}},
		{name: "hierarchy of an unknown code", as: leader, method: "GET", url: "/api/v1/hierarchy?jurisdiction=999999&period=2024-05", status: 422, field: "jurisdiction"},
	})
	var many []string
	for i := 0; i < 61; i++ {
		many = append(many, fmt.Sprintf("3601%02d", i))
	}
	f.do(anon, "GET", "/api/v1/compare?jurisdiction="+strings.Join(many, ","), nil).expect(t, 400, "一次最多对比 60 个地区·年度")
}
