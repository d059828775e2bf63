package web_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// step is one request of a scenario, in the manner of PocketBase's API
// tests: who sends what, the status expected, what the body must and must
// not contain, and for errors the field the message must name.
type step struct {
	name    string
	as      string
	method  string
	url     string
	body    any
	status  int
	want    []string
	notWant []string
	field   string                          // for 4xx: the field the error names ("" = not checked)
	then    func(t *testing.T, r *response) // further checks
}

// run sends the steps in order on one fixture; each is a subtest, and a
// failed step stops the rest (they depend on it).
func (f *fixture) run(t *testing.T, steps []step) {
	t.Helper()
	for _, s := range steps {
		ok := t.Run(s.name, func(t *testing.T) {
			ft := *f
			ft.t = t
			r := ft.do(s.as, s.method, s.url, s.body)
			if r.status != s.status {
				t.Fatalf("%s: status %d, want %d; body: %s", r.req, r.status, s.status, clip(r.body))
			}
			for _, w := range s.want {
				if w = f.expand(w); !bytes.Contains(r.body, []byte(w)) {
					t.Errorf("body lacks %q: %s", w, clip(r.body))
				}
			}
			for _, w := range s.notWant {
				if w = f.expand(w); bytes.Contains(r.body, []byte(w)) {
					t.Errorf("body has %q: %s", w, clip(r.body))
				}
			}
			if r.status >= 400 {
				r.checkError(t, f.expand(s.field))
			}
			if s.then != nil {
				s.then(t, r)
			}
		})
		if !ok {
			t.FailNow()
		}
	}
}

// aprilReport is a complete report of project 1 for April 2024.
const aprilReport = `{"version": %d, "targets": [
	{"target_id": "{t1}", "actual": 0.5}, {"target_id": "{t2}", "actual": 60},
	{"target_id": "{t3}", "actual": 96}, {"target_id": "{t4}", "actual": 10, "note": "已招募"}],
	"investment_wan": 120, "disbursed_wan": 100.5,
	"progress": "4月新增发放创业担保贷款5000万元", "problems": "无", "next_steps": "继续推进"}`

func withVersion(body string, v int) string {
	return strings.Replace(body, "%d", itoa(v), 1)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestMonthlyCycle walks the monthly cycle through the API on a real
// SQLite file: the plan imported and published and the users created (by
// newFixture), a monthly plan saved and approved, a report saved, given a
// contribution and attachments, submitted, returned with a reason,
// corrected, resubmitted and accepted, its revisions listed — and every
// kind of bad input answered 4xx with a Chinese message naming the field.
func TestMonthlyCycle(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.run(t, monthlyCycle(t, f))
	if f.vars["png"] == "" {
		t.Fatal("no attachment hash")
	}
}

func monthlyCycle(t *testing.T, f *fixture) []step {
	png, pdf := pngImage(t), pdfDoc()
	return []step{
		// The published plan is public.
		{name: "plan public", as: anon, method: "GET", url: "/api/v1/plans/{plan}", status: 200,
			want: []string{`"state":"published"`, `"id":"{p1}"`, `"lead_units":["区人社局","团区委"]`, `"doc_number":`}},
		{name: "plans list", as: anon, method: "GET", url: "/api/v1/plans?year=2024", status: 200, want: []string{`"items":[`, `"project_count":15`}},
		{name: "plans bad year", as: anon, method: "GET", url: "/api/v1/plans?year=二〇二四", status: 400, field: "year"},
		{name: "project public", as: anon, method: "GET", url: "/api/v1/projects/{p1}", status: 200, want: []string{`"title":"支持重点群体就业创业"`, `"targets":[`}},
		{name: "projects of a unit", as: leadReporter, method: "GET", url: "/api/v1/projects?plan={plan}", status: 200, want: []string{`"id":"{p15}"`}},
		{name: "unknown project", as: leadReporter, method: "GET", url: "/api/v1/projects/prj_nope", status: 404},
		{name: "unknown plan", as: supervisor, method: "GET", url: "/api/v1/plans/plan_nope", status: 404},
		{name: "publish twice", as: supervisor, method: "POST", url: "/api/v1/plans/{plan}/publish", status: 409},
		{name: "correct a published plan", as: supervisor, method: "PUT", url: "/api/v1/plans/{plan}", body: `{"rev": 1, "document": {"year": 2024}}`, status: 409},
		{name: "me", as: leadReporter, method: "GET", url: "/api/v1/me", status: 200, want: []string{`"role":"reporter"`, `"username":"reporter-lead"`}, notWant: []string{"password"}},

		// The implementation plan: bad values first, then the real one.
		{name: "monthly plan over 100%", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/monthly-plan",
			body: `{"version": 0, "targets": [{"target_id": "{t2}", "cumulative": [50, 60, 120]}]}`, status: 422, field: "targets.{t2}", want: []string{"不能超过 100"}},
		{name: "monthly plan falling", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/monthly-plan",
			body: `{"version": 0, "targets": [{"target_id": "{t1}", "cumulative": [0.2, 0.1]}]}`, status: 422, field: "targets.{t1}", want: []string{"累计值"}},
		{name: "monthly plan bad deadline", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/monthly-plan",
			body: `{"version": 0, "deadline": "2024-13-01"}`, status: 422, field: "deadline"},
		{name: "monthly plan foreign target", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/monthly-plan",
			body: `{"version": 0, "targets": [{"target_id": "{p3t1}", "cumulative": [1]}]}`, status: 422, field: "targets.{p3t1}"},
		{name: "monthly plan not yet", as: leadReporter, method: "GET", url: "/api/v1/projects/{p1}/monthly-plan", status: 404},
		{name: "monthly plan save", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/monthly-plan",
			body: `{"version": 0, "targets": [
				{"target_id": "{t1}", "cumulative": [0.1, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.2, 1.3, 1.42]},
				{"target_id": "{t2}", "cumulative": [50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50, 50]}],
				"investment_wan": [10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10], "deadline": "2024-12-31"}`,
			status: 200, want: []string{`"state":"draft"`, `"version":1`, `"deadline":"2024-12-31"`, `1.42`}},
		{name: "monthly plan stale save", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/monthly-plan",
			body: `{"version": 0, "deadline": "2024-11-30"}`, status: 409, field: "version"},
		{name: "monthly plan unknown action", as: leadReporter, method: "POST", url: "/api/v1/projects/{p1}/monthly-plan/frobnicate", status: 404},
		{name: "monthly plan approve a draft", as: supervisor, method: "POST", url: "/api/v1/projects/{p1}/monthly-plan/approve", status: 409},
		{name: "monthly plan submit", as: leadReporter, method: "POST", url: "/api/v1/projects/{p1}/monthly-plan/submit", body: `{"version": 1}`,
			status: 200, want: []string{`"state":"submitted"`}},
		{name: "monthly plan return without reason", as: supervisor, method: "POST", url: "/api/v1/projects/{p1}/monthly-plan/return", body: `{"reason": " "}`,
			status: 422, field: "reason"},
		{name: "monthly plan return", as: supervisor, method: "POST", url: "/api/v1/projects/{p1}/monthly-plan/return", body: `{"reason": "请补充7月计划"}`,
			status: 200, want: []string{`"state":"draft"`, `"return_reason":"请补充7月计划"`}},
		{name: "monthly plan resubmit", as: leadReporter, method: "POST", url: "/api/v1/projects/{p1}/monthly-plan/submit", status: 200, want: []string{`"state":"submitted"`}},
		{name: "monthly plan approve", as: supervisor, method: "POST", url: "/api/v1/projects/{p1}/monthly-plan/approve", status: 200,
			want: []string{`"state":"approved"`, `"approved_by":"{supervisorID}"`}},
		{name: "monthly plan read by supervisor", as: supervisor, method: "GET", url: "/api/v1/projects/{p1}/monthly-plan", status: 200, want: []string{`"state":"approved"`}},
		{name: "monthly plan approved is not editable", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/monthly-plan",
			body: `{"version": 5}`, status: 409},

		// April's report, from the first save to acceptance.
		{name: "report not yet", as: leadReporter, method: "GET", url: "/api/v1/projects/{p1}/reports/2024-04", status: 404},
		{name: "report save", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/reports/2024-04", body: withVersion(aprilReport, 0),
			status: 200, want: []string{`"state":"draft"`, `"version":1`, `"period":"2024-04"`, `"disbursed_wan":100.5`, `"note":"已招募"`}},
		{name: "report read back", as: leadReporter, method: "GET", url: "/api/v1/projects/{p1}/reports/2024-04", status: 200,
			want: []string{`"state":"draft"`, `"investment_wan":120`}},
		{name: "contribution", as: respContributor, method: "POST", url: "/api/v1/projects/{p1}/reports/2024-04/contributions",
			body: `{"text": "区教体局完成高校毕业生创业宣传", "investment_wan": 5}`, status: 200, want: []string{`"unit_name":"区教体局"`, `"version":1`}},
		{name: "contribution empty", as: respContributor, method: "POST", url: "/api/v1/projects/{p1}/reports/2024-04/contributions",
			body: `{"text": ""}`, status: 422, field: "text"},
		{name: "contribution negative", as: respContributor, method: "POST", url: "/api/v1/projects/{p1}/reports/2024-04/contributions",
			body: `{"text": "x", "investment_wan": -5}`, status: 422, field: "investment_wan"},
		{name: "attach png", as: leadReporter, method: "POST", url: "/api/v1/projects/{p1}/reports/2024-04/attachments",
			body: upload{"file", "现场照片.png", png}, status: 201, want: []string{`"content_type":"image/png"`, `"name":"现场照片.png"`},
			then: func(t *testing.T, r *response) { f.vars["png"] = r.str("sha256") }},
		{name: "attach pdf", as: respContributor, method: "POST", url: "/api/v1/projects/{p1}/reports/2024-04/attachments",
			body: upload{"file", "台账.pdf", pdf}, status: 201, want: []string{`"content_type":"application/pdf"`}},
		{name: "attach text refused", as: leadReporter, method: "POST", url: "/api/v1/projects/{p1}/reports/2024-04/attachments",
			body: upload{"file", "说明.txt", []byte("这是一段文字，不是图片")}, status: 422, field: "file", want: []string{"只能上传图片"}},
		{name: "attach empty refused", as: leadReporter, method: "POST", url: "/api/v1/projects/{p1}/reports/2024-04/attachments",
			body: upload{"file", "空.png", nil}, status: 422, field: "file"},
		{name: "attach too large", as: leadReporter, method: "POST", url: "/api/v1/projects/{p1}/reports/2024-04/attachments",
			body: upload{"file", "大.png", append(png, make([]byte, attachLimit)...)}, status: 413},
		{name: "attach far too large", as: leadReporter, method: "POST", url: "/api/v1/projects/{p1}/reports/2024-04/attachments",
			body: upload{"file", "巨大.png", append(png, make([]byte, attachLimit+2<<20)...)}, status: 413},
		{name: "attach wrong field", as: leadReporter, method: "POST", url: "/api/v1/projects/{p1}/reports/2024-04/attachments",
			body: upload{"photo", "a.png", png}, status: 400, field: "file"},
		{name: "attach not multipart", as: leadReporter, method: "POST", url: "/api/v1/projects/{p1}/reports/2024-04/attachments",
			body: `{"file": "a.png"}`, status: 400, field: "file"},
		{name: "attachment served", as: leadReporter, method: "GET", url: "/api/v1/attachments/{png}", status: 200,
			then: func(t *testing.T, r *response) {
				if !bytes.Equal(r.body, png) || r.header.Get("Content-Type") != "image/png" {
					t.Errorf("attachment bytes or type differ: %s, %d bytes", r.header.Get("Content-Type"), len(r.body))
				}
			}},
		{name: "attachment hidden from another unit", as: otherReporter, method: "GET", url: "/api/v1/attachments/{png}", status: 404},
		{name: "attachment unknown", as: leadReporter, method: "GET", url: "/api/v1/attachments/" + strings.Repeat("0", 64), status: 404},
		{name: "report has contribution and attachments", as: leadReporter, method: "GET", url: "/api/v1/projects/{p1}/reports/2024-04", status: 200,
			want: []string{`"text":"区教体局完成高校毕业生创业宣传"`, `"name":"现场照片.png"`, `"name":"台账.pdf"`}},
		{name: "accept a draft", as: supervisor, method: "POST", url: "/api/v1/projects/{p1}/reports/2024-04/accept", status: 409},
		{name: "submit stale version", as: leadReporter, method: "POST", url: "/api/v1/projects/{p1}/reports/2024-04/submit", body: `{"version": 7}`, status: 409, field: "version"},
		{name: "submit", as: leadReporter, method: "POST", url: "/api/v1/projects/{p1}/reports/2024-04/submit", body: `{"version": 1}`,
			status: 200, want: []string{`"state":"submitted"`, `"version":2`, `"submitted_by":"{reporter-leadID}"`}},
		{name: "save after submit", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/reports/2024-04", body: withVersion(aprilReport, 2), status: 409},
		{name: "contribute after submit", as: respContributor, method: "POST", url: "/api/v1/projects/{p1}/reports/2024-04/contributions", body: `{"text": "补充"}`, status: 409},
		{name: "in the review queue", as: supervisor, method: "GET", url: "/api/v1/reports?state=submitted&period=2024-04", status: 200, want: []string{`"project_id":"{p1}"`}},
		{name: "return without reason", as: supervisor, method: "POST", url: "/api/v1/projects/{p1}/reports/2024-04/return", body: `{"reason": ""}`, status: 422, field: "reason"},
		{name: "return", as: supervisor, method: "POST", url: "/api/v1/projects/{p1}/reports/2024-04/return", body: `{"reason": "回收率数据请附银行证明"}`,
			status: 200, want: []string{`"state":"returned"`, `"return_reason":"回收率数据请附银行证明"`, `"version":3`}},
		{name: "correct the returned report", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/reports/2024-04",
			body:   strings.Replace(withVersion(aprilReport, 3), `"actual": 96`, `"actual": 96.5`, 1),
			status: 200, want: []string{`"state":"returned"`, `"version":4`, `"actual":96.5`, `"return_reason":"回收率数据请附银行证明"`}},
		{name: "resubmit", as: leadReporter, method: "POST", url: "/api/v1/projects/{p1}/reports/2024-04/submit", body: `{"version": 4}`,
			status: 200, want: []string{`"state":"submitted"`, `"version":5`}},
		{name: "accept", as: supervisor, method: "POST", url: "/api/v1/projects/{p1}/reports/2024-04/accept", status: 200,
			want: []string{`"state":"accepted"`, `"accepted_by":"{supervisorID}"`}},
		{name: "accept again is harmless", as: supervisor, method: "POST", url: "/api/v1/projects/{p1}/reports/2024-04/accept", status: 200,
			want: []string{`"state":"accepted"`, `"version":6`}},
		{name: "revisions", as: leadReporter, method: "GET", url: "/api/v1/projects/{p1}/reports/2024-04/revisions", status: 200,
			then: func(t *testing.T, r *response) {
				var revs struct {
					Items []struct {
						Seq           int
						Action, State string
						Version       int
						Reason        string
						Snapshot      struct{ State string }
					}
				}
				r.decode(t, &revs)
				var got []string
				for _, rv := range revs.Items {
					got = append(got, rv.Action+"→"+rv.State)
					if rv.Snapshot.State != rv.State {
						t.Errorf("revision %d: snapshot state %q, revision state %q", rv.Seq, rv.Snapshot.State, rv.State)
					}
				}
				want := "save→draft contribute→draft attach→draft attach→draft submit→submitted return→returned save→returned submit→submitted accept→accepted"
				if strings.Join(got, " ") != want {
					t.Errorf("revisions:\n got %s\nwant %s", strings.Join(got, " "), want)
				}
				if len(revs.Items) > 5 && revs.Items[5].Reason != "回收率数据请附银行证明" {
					t.Errorf("the return's reason is not kept: %+v", revs.Items[5])
				}
			}},
		{name: "status of the month", as: leader, method: "GET", url: "/api/v1/projects/{p1}/status?period=2024-04", status: 200,
			want: []string{`"report_state":"accepted"`, `"project_id":"{p1}"`}},
		{name: "dashboard", as: leader, method: "GET", url: "/api/v1/dashboard?jurisdiction=360112&period=2024-04", status: 200,
			want: []string{`"projects":15`, `"accepted":1`}},
		{name: "dashboard bad period", as: leader, method: "GET", url: "/api/v1/dashboard?period=2024-13", status: 400, field: "period"},
		{name: "roll-up of 南昌市: 新建区's dashboard", as: leader, method: "GET", url: "/api/v1/rollup?jurisdiction=360100&period=2024-04", status: 200,
			want: []string{`"jurisdiction_code":"360100"`, `"plans":1`, `"projects":15`, `"accepted":1`, `"items":[{"jurisdiction_code":"360112"`}},
		{name: "roll-up of a place without plans", as: leader, method: "GET", url: "/api/v1/rollup?jurisdiction=110000&period=2024-04", status: 200,
			want: []string{`"plans":0`, `"projects":0`}},
		{name: "roll-up bad code", as: leader, method: "GET", url: "/api/v1/rollup?jurisdiction=3601&period=2024-04", status: 400, field: "jurisdiction"},
		{name: "reopen without reason", as: supervisor, method: "POST", url: "/api/v1/projects/{p1}/reports/2024-04/reopen", status: 422, field: "reason"},

		// May's report: bad input of every kind, each a 4xx naming the field.
		{name: "unknown JSON field", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/reports/2024-05",
			body: `{"version": 0, "progres": "拼错了"}`, status: 400, field: "progres", want: []string{"未知字段"}},
		{name: "string for a number", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/reports/2024-05",
			body: `{"version": "0"}`, status: 400, field: "version", want: []string{"类型不对"}},
		{name: "number for a string", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/reports/2024-05",
			body: `{"version": 0, "progress": 12}`, status: 400, field: "progress"},
		{name: "object for a list", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/reports/2024-05",
			body: `{"version": 0, "targets": {}}`, status: 400, field: "targets"},
		{name: "text for an amount", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/reports/2024-05",
			body: `{"version": 0, "investment_wan": "很多"}`, status: 400, field: "investment_wan"},
		{name: "boolean for an amount", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/reports/2024-05",
			body: `{"version": 0, "investment_wan": true}`, status: 400, field: "investment_wan"},
		{name: "text for an actual", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/reports/2024-05",
			body: `{"version": 0, "targets": [{"target_id": "{t1}", "actual": "abc"}]}`, status: 400, field: "targets.actual"},
		{name: "broken JSON", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/reports/2024-05",
			body: `{"version": 0,`, status: 400},
		{name: "two JSON objects", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/reports/2024-05",
			body: `{"version": 0} {}`, status: 400},
		{name: "empty body", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/reports/2024-05", body: ``, status: 400},
		{name: "negative amount", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/reports/2024-05",
			body: `{"version": 0, "investment_wan": -1}`, status: 422, field: "investment_wan", want: []string{"不能为负数"}},
		{name: "negative actual", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/reports/2024-05",
			body: `{"version": 0, "targets": [{"target_id": "{t4}", "actual": -3}]}`, status: 422, field: "targets.{t4}"},
		{name: "percentage over 100", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/reports/2024-05",
			body: `{"version": 0, "targets": [{"target_id": "{t2}", "actual": 100.5}]}`, status: 422, field: "targets.{t2}", want: []string{"不能超过 100%"}},
		{name: "cumulative going down", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/reports/2024-05",
			body: `{"version": 0, "targets": [{"target_id": "{t1}", "actual": 0.4}]}`, status: 422, field: "targets.{t1}", want: []string{"不能小于上月已确认的 0.5"}},
		{name: "investment going down", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/reports/2024-05",
			body: `{"version": 0, "investment_wan": 119}`, status: 422, field: "investment_wan"},
		{name: "target of another project", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/reports/2024-05",
			body: `{"version": 0, "targets": [{"target_id": "{p3t1}", "actual": 1}]}`, status: 422, field: "targets.{p3t1}"},
		{name: "text over 5000 characters", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/reports/2024-05",
			body: `{"version": 0, "problems": "` + strings.Repeat("问", 5001) + `"}`, status: 422, field: "problems", want: []string{"5000"}},
		{name: "body over the limit", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/reports/2024-05",
			body: `{"version": 0, "progress": "` + strings.Repeat("x", 2<<20) + `"}`, status: 413},
		{name: "month 13", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/reports/2024-13", body: `{"version": 0}`, status: 400, field: "period"},
		{name: "month 13 read", as: leadReporter, method: "GET", url: "/api/v1/projects/{p1}/reports/2024-13", status: 400, field: "period"},
		{name: "month of another year", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/reports/2023-12", body: `{"version": 0}`, status: 422, field: "period"},
		{name: "month to come", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/reports/2099-01", body: `{"version": 0}`, status: 422, field: "period"},
		{name: "unknown project report", as: leadReporter, method: "PUT", url: "/api/v1/projects/prj_nope/reports/2024-05", body: `{"version": 0}`, status: 404},
		{name: "incomplete submit", as: leadReporter, method: "PUT", url: "/api/v1/projects/{p1}/reports/2024-05",
			body: `{"version": 0, "targets": [{"target_id": "{t1}", "actual": 0.7}], "disbursed_wan": 150, "investment_wan": 130}`, status: 200,
			want: []string{`"problems_found":[`, `"severity":"warning"`}},
		{name: "submit incomplete report", as: leadReporter, method: "POST", url: "/api/v1/projects/{p1}/reports/2024-05/submit", body: `{"version": 1}`,
			status: 422, field: "targets.{t2}", want: []string{"尚未填写完成值"}},
		{name: "submit nothing", as: leadReporter, method: "POST", url: "/api/v1/projects/{p1}/reports/2024-06/submit", status: 404},
		{name: "submit with incomplete content", as: leadReporter, method: "POST", url: "/api/v1/projects/{p1}/reports/2024-07/submit",
			body: `{"version": 0, "targets": [{"target_id": "{t1}", "actual": 0.8}], "progress": "六月进展"}`, status: 422, field: "targets.{t2}"},
		{name: "refused submission wrote nothing", as: leadReporter, method: "GET", url: "/api/v1/projects/{p1}/reports/2024-07", status: 404},
		{name: "submit with content", as: leadReporter, method: "POST", url: "/api/v1/projects/{p1}/reports/2024-07/submit", body: withVersion(aprilReport, 0),
			status: 200, want: []string{`"state":"submitted"`, `"version":1`, `"submitted_by":"{reporter-leadID}"`}},
		{name: "submit with content retried", as: leadReporter, method: "POST", url: "/api/v1/projects/{p1}/reports/2024-07/submit", body: withVersion(aprilReport, 0),
			status: 200, want: []string{`"state":"submitted"`, `"version":1`}},
		{name: "accept with content", as: supervisor, method: "POST", url: "/api/v1/projects/{p1}/reports/2024-07/accept", body: `{"progress": "改写"}`, status: 422},
		{name: "unknown report action", as: leadReporter, method: "POST", url: "/api/v1/projects/{p1}/reports/2024-05/frobnicate", status: 404},
		{name: "no such endpoint", as: leadReporter, method: "GET", url: "/api/v1/frobnicate", status: 404},

		// Users made by the administrator.
		{name: "user bad role", as: admin, method: "POST", url: "/api/v1/users",
			body: `{"username": "x1", "role": "king", "password": "long-enough-1", "jurisdiction_code": "360112"}`, status: 422, field: "role"},
		{name: "user short password", as: admin, method: "POST", url: "/api/v1/users",
			body: `{"username": "x2", "role": "leader", "password": "short", "jurisdiction_code": "360112"}`, status: 422, field: "password"},
		{name: "user taken", as: admin, method: "POST", url: "/api/v1/users",
			body: `{"username": "leader", "role": "leader", "password": "long-enough-1", "jurisdiction_code": "360112"}`, status: 409, field: "username"},
		{name: "user unknown jurisdiction", as: admin, method: "POST", url: "/api/v1/users",
			body: `{"username": "x3", "role": "leader", "password": "long-enough-1", "jurisdiction_code": "999999"}`, status: 422, field: "jurisdiction"},
		{name: "user unknown unit", as: admin, method: "POST", url: "/api/v1/users",
			body: `{"username": "x4", "role": "reporter", "password": "long-enough-1", "unit_id": "unit_nope"}`, status: 422, field: "unit"},
		{name: "reporter without unit", as: admin, method: "POST", url: "/api/v1/users",
			body: `{"username": "x5", "role": "reporter", "password": "long-enough-1", "jurisdiction_code": "360112"}`, status: 422, field: "unit"},
		{name: "users listed", as: admin, method: "GET", url: "/api/v1/users", status: 200, want: []string{`"username":"reporter-lead"`}, notWant: []string{"password", "argon2"}},

		// Imports that cannot be used.
		{name: "import empty file", as: supervisor, method: "POST", url: "/api/v1/plans/import", body: upload{"file", "空.txt", nil}, status: 400, field: "file", want: []string{"unusable_document"}},
		{name: "import a photo", as: supervisor, method: "POST", url: "/api/v1/plans/import", body: upload{"file", "a.png", png}, status: 400, field: "file", want: []string{"unusable_document"}},
		{name: "import without file", as: supervisor, method: "POST", url: "/api/v1/plans/import", body: upload{"document", "a.txt", []byte("x")}, status: 400, field: "file"},
		{name: "import JSON", as: supervisor, method: "POST", url: "/api/v1/plans/import", body: `{}`, status: 400, field: "file"},
	}
}

// TestOddRequestsNever500 sends every actor odd but possible requests:
// garbage IDs, missing and malformed parameters, another year's months.
// None may answer 5xx (fixture.do fails the test on one), and every error
// has the error shape with a Chinese message.
func TestOddRequestsNever500(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	urls := []string{
		"/api/v1/dashboard", "/api/v1/dashboard?period=2024-04", "/api/v1/dashboard?jurisdiction=999999&period=2024-04",
		"/api/v1/dashboard?jurisdiction=360112&period=1999-01", "/api/v1/dashboard?period=2024-4",
		"/api/v1/rollup", "/api/v1/rollup?period=2024-04", "/api/v1/rollup?jurisdiction=%27%20OR%201=1&period=2024-04",
		"/api/v1/projects/{p1}/status", "/api/v1/projects/{p1}/status?period=2023-01", "/api/v1/projects/nope/status?period=2024-01",
		"/api/v1/projects?year=abc", "/api/v1/projects?plan=nope", "/api/v1/projects?unit=%27%20OR%201=1",
		"/api/v1/plans?state=bogus", "/api/v1/plans/%27%3B%20DROP%20TABLE%20plans%3B--",
		"/api/v1/reports?period=2024-00", "/api/v1/reports?state=bogus&project=nope", "/api/v1/reports?jurisdiction=360112",
		"/api/v1/projects/{p1}/reports/2024-5", "/api/v1/projects/{p1}/reports/abcd-ef", "/api/v1/projects/nope/reports/2024-05",
		"/api/v1/projects/{p1}/reports/2024-05/revisions", "/api/v1/projects/nope/monthly-plan",
		"/api/v1/attachments/nope", "/api/v1/attachments/" + strings.Repeat("F", 64), "/api/v1/units?jurisdiction=bogus",
		"/api/v1/projects/{p1}/reports/2024-05/submit", "/api/v1/me/", "/api/v1/plans/{plan}/publish",
	}
	posts := []struct{ url, body string }{
		{"/api/v1/projects/nope/reports/2024-05/submit", ""},
		{"/api/v1/projects/{p1}/reports/0000-00/accept", ""},
		{"/api/v1/projects/{p1}/reports/2024-05/return", `{"reason": 5}`},
		{"/api/v1/projects/{p1}/reports/2024-05/submit", `{"version": -1}`},
		{"/api/v1/projects/{p1}/reports/2024-05/submit", `[]`},
		{"/api/v1/projects/{p1}/monthly-plan/approve", `null`},
		{"/api/v1/projects/nope/monthly-plan/submit", ""},
		{"/api/v1/plans/nope/publish", ""},
		{"/api/v1/users", `{"username": "", "role": "", "password": ""}`},
	}
	for _, a := range actors {
		for _, u := range urls {
			r := f.do(a, "GET", u, nil)
			if r.status >= 400 && r.status < 500 {
				r.checkError(t, "")
			}
		}
		for _, p := range posts {
			r := f.do(a, "POST", p.url, p.body)
			if r.status >= 400 && r.status < 500 {
				r.checkError(t, "")
			}
		}
	}
	// Another year's plan on the monthly plan of this one.
	f.do(leadReporter, "PUT", "/api/v1/projects/{p1}/monthly-plan", `{"version": 0, "deadline": "2023-12-31"}`).expect(t, 422).checkError(t, "deadline")
	f.do(leadReporter, "PUT", "/api/v1/projects/{p1}/monthly-plan", `{"version": 0, "investment_wan": [1,2,3,4,5,6,7,8,9,10,11,12,13]}`).expect(t, 422).checkError(t, "investment_wan")
	f.do(leadReporter, "PUT", "/api/v1/projects/{p1}/monthly-plan", `{"version": 0, "targets": [{"target_id": "{t4}", "cumulative": [1,2,3,4,5,6,7,8,9,10,11,12,13]}]}`).
		expect(t, 422).checkError(t, f.expand("targets.{t4}"))
	f.do(leadReporter, "PUT", "/api/v1/projects/{p1}/monthly-plan", `{"version": 0, "investment_wan": [1, "x"]}`).expect(t, 400).checkError(t, "investment_wan")
	f.do(leadReporter, "PUT", "/api/v1/projects/{p1}/monthly-plan", `{"version": 0, "investment_wan": [1,2,3,4,5,6,7,8,9,10,11,12]}`).expect(t, 200, `"investment_wan":[1,2,3,4,5,6,7,8,9,10,11,12]`)
}
