package web_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// draftP1 has the supervisor draft a 工作提示函 about project 1's May, in
// {letter}.
func draftP1(f *fixture) {
	r := f.do(supervisor, "POST", "/api/v1/letters", `{"project_id": "{p1}", "kind": "prompt", "period": "2024-05"}`).
		expect(f.t, 201, `"state":"draft"`, `"kind":"prompt"`)
	f.vars["letter"] = r.str("id")
}

func issueP1(f *fixture) {
	draftP1(f)
	f.do(supervisor, "POST", "/api/v1/letters/{letter}/issue", nil).expect(f.t, 200, `"state":"issued"`)
}

func answerP1(f *fixture) {
	issueP1(f)
	f.do(leadReporter, "POST", "/api/v1/letters/{letter}/response", `{"answer": "已召开专题会，倒排工期，6月底前完成。"}`).expect(f.t, 200, `"state":"answered"`)
}

// letterWriteCases: the supervisor of the jurisdiction drafts, edits,
// issues, withdraws, sends back and closes; the lead unit answers. A draft
// is the supervisor's alone: everyone else is told it does not exist.
func letterWriteCases() []writeCase {
	sup := map[string]int{supervisor: 200}
	return []writeCase{
		{route: "POST /api/v1/letters", method: "POST", url: "/api/v1/letters",
			body:    `{"project_id": "{p1}", "kind": "supervision", "period": "2024-05"}`,
			allowed: map[string]int{supervisor: 201}},
		{route: "PUT /api/v1/letters/{letterID}", method: "PUT", url: "/api/v1/letters/{letter}", setup: draftP1,
			body:    `{"version": 1, "title": "关于加快项目进度的工作提示函", "body": "请加快推进。", "recipients": ["区人社局"], "response_days": 4}`,
			allowed: sup, refused: 404},
		{route: "POST /api/v1/letters/{letterID}/issue", method: "POST", url: "/api/v1/letters/{letter}/issue", setup: draftP1,
			allowed: sup, refused: 404},
		{route: "POST /api/v1/letters/{letterID}/withdraw", method: "POST", url: "/api/v1/letters/{letter}/withdraw", setup: draftP1,
			body: `{"note": "情况已好转"}`, allowed: sup, refused: 404},
		{route: "POST /api/v1/letters/{letterID}/response", method: "POST", url: "/api/v1/letters/{letter}/response", setup: issueP1,
			body: `{"answer": "已制定整改措施"}`, allowed: map[string]int{leadReporter: 200}},
		{route: "POST /api/v1/letters/{letterID}/attachments", method: "POST", url: "/api/v1/letters/{letter}/attachments", setup: issueP1,
			body: upload{"file", "整改照片.png", nil}, allowed: map[string]int{leadReporter: 201}},
		{route: "POST /api/v1/letters/{letterID}/close", method: "POST", url: "/api/v1/letters/{letter}/close", setup: answerP1,
			body: `{"note": "整改到位，予以办结"}`, allowed: sup},
		{route: "POST /api/v1/letters/{letterID}/reject", method: "POST", url: "/api/v1/letters/{letter}/reject", setup: answerP1,
			body: `{"note": "措施不具体"}`, allowed: sup},
	}
}

// TestLetterReadMatrix: a draft is the supervisor's alone; an issued
// letter is read by the project's units, the supervisor and the leader —
// not by other units, the other jurisdiction or the deputy (project 1 is
// not a 人大票决 project); the evidence of an answer likewise.
func TestLetterReadMatrix(t *testing.T) {
	t.Parallel()
	base := newFixture(t)
	issued := []string{supervisor, leadReporter, respContributor, leader}
	for _, c := range []struct {
		name    string
		setup   func(f *fixture)
		url     string
		allowed []string
		denied  int
	}{
		{"draft", draftP1, "/api/v1/letters/{letter}", []string{supervisor}, 404},
		{"issued", issueP1, "/api/v1/letters/{letter}", issued, 403},
		{"evidence", func(f *fixture) {
			issueP1(f)
			r := f.do(leadReporter, "POST", "/api/v1/letters/{letter}/attachments", upload{"file", "p.png", pngImage(f.t)}).expect(f.t, 201)
			f.vars["png"] = r.str("sha256")
		}, "/api/v1/attachments/{png}", issued, 404},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := base.clone(t)
			c.setup(f)
			for _, a := range actors {
				want := c.denied
				switch {
				case slices.Contains(c.allowed, a):
					want = 200
				case a == anon:
					want = 401
				}
				if r := f.do(a, "GET", c.url, nil); r.status != want {
					t.Errorf("%s: %d, want %d: %s", r.req, r.status, want, clip(r.body))
				}
			}
			// The list shows each actor exactly what it may read.
			for _, a := range actors {
				if a == anon {
					continue
				}
				r := f.do(a, "GET", "/api/v1/letters?year=2024", nil).expect(t, 200)
				sees := strings.Contains(string(r.body), f.vars["letter"])
				if want := slices.Contains(c.allowed, a); sees != want {
					t.Errorf("%s sees the letter in the list: %v, want %v", a, sees, want)
				}
			}
		})
	}
}

// TestLetterAPIFlow drives a letter through the API: draft, edit, issue
// (文号, deadline), the unit's answer with evidence, a send-back, a second
// answer, 办结 — with the filters of the list and the events on the way.
func TestLetterAPIFlow(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	draftP1(f)
	r := f.do(supervisor, "GET", "/api/v1/letters/{letter}", nil).expect(t, 200, `"events":[{"seq":1,"action":"draft"`)
	var l struct {
		Version    int
		Title      string
		Body       string
		Recipients []string
	}
	r.decode(t, &l)
	if !strings.Contains(l.Body, "支持重点群体就业创业") || !slices.Equal(l.Recipients, []string{"区人社局", "团区委"}) {
		t.Fatalf("drafted letter: %+v", l)
	}
	// Bad edits are refused with the field named; a stale version is 409.
	f.do(supervisor, "PUT", "/api/v1/letters/{letter}", `{"version": 1, "title": "", "body": "x", "response_days": 3}`).
		expect(t, 422, `"field":"title"`)
	f.do(supervisor, "PUT", "/api/v1/letters/{letter}", `{"version": 1, "title": "标题", "body": "x", "response_days": 0}`).
		expect(t, 422, `"field":"response_days"`)
	f.do(supervisor, "PUT", "/api/v1/letters/{letter}", `{"version": 1, "title": "关于加快就业创业项目进度的工作提示函", "body": "请你单位加快推进。", "recipients": ["区人社局", "区财政局"], "response_days": 3}`).
		expect(t, 200, `"version":2`, `"recipients":["区人社局","区财政局"]`)
	f.do(supervisor, "PUT", "/api/v1/letters/{letter}", `{"version": 1, "title": "旧稿", "body": "x", "response_days": 3}`).expect(t, 409)
	// The unit does not see the draft, even in its filtered list.
	r = f.do(leadReporter, "GET", "/api/v1/letters?state=draft", nil).expect(t, 200)
	if strings.Contains(string(r.body), f.vars["letter"]) {
		t.Error("the unit sees a draft")
	}
	f.do(leadReporter, "POST", "/api/v1/letters/{letter}/response", `{"answer": "x"}`).expect(t, 404)
	f.do(supervisor, "POST", "/api/v1/letters/{letter}/issue", `{"version": 1}`).expect(t, 409)
	r = f.do(supervisor, "POST", "/api/v1/letters/{letter}/issue", `{"version": 2}`).expect(t, 200, `"doc_number":"新建督提〔2024〕1号"`, `"serial":1`)
	if r.str("due_date") == "" {
		t.Error("issued without a deadline")
	}
	f.do(supervisor, "PUT", "/api/v1/letters/{letter}", `{"version": 3, "title": "改", "body": "x", "response_days": 3}`).expect(t, 409)

	// The unit answers: an empty answer is refused; evidence must be an
	// image or PDF.
	f.do(leadReporter, "POST", "/api/v1/letters/{letter}/response", `{"answer": "  "}`).expect(t, 422, `"field":"answer"`)
	f.do(leadReporter, "POST", "/api/v1/letters/{letter}/attachments", upload{"file", "a.txt", []byte("文字")}).expect(t, 422, `"field":"file"`)
	f.do(leadReporter, "POST", "/api/v1/letters/{letter}/attachments", upload{"file", "整改.pdf", pdfDoc()}).expect(t, 201, `"content_type":"application/pdf"`)
	f.do(leadReporter, "POST", "/api/v1/letters/{letter}/response", `{"answer": "已召开专题推进会，6月底前完成。"}`).expect(t, 200, `"state":"answered"`)
	f.do(supervisor, "POST", "/api/v1/letters/{letter}/reject", `{}`).expect(t, 422, `"field":"note"`)
	f.do(supervisor, "POST", "/api/v1/letters/{letter}/reject", `{"note": "请明确完成时限和责任人"}`).expect(t, 200, `"state":"issued"`)
	f.do(leadReporter, "POST", "/api/v1/letters/{letter}/response", `{"answer": "已明确由副局长牵头，6月20日前完成。"}`).expect(t, 200, `"state":"answered"`)

	// Filters: by state, kind, unit (the 主送 and 抄送 units) and overdue.
	for name, unit := range map[string]string{"unit1": "区人社局", "unitOther": "区民政局"} {
		u, err := f.st.FindUnit(context.Background(), "360112", unit)
		if err != nil {
			t.Fatal(err)
		}
		f.vars[name] = u.ID
	}
	for _, c := range []struct {
		query string
		want  bool
	}{
		{"state=answered", true}, {"state=issued", false}, {"kind=prompt", true}, {"kind=supervision", false},
		{"unit={unit1}", true}, {"unit={unitOther}", false}, {"overdue=true", false}, {"open=true", true},
		{"project={p1}", true}, {"project={p8}", false}, {"jurisdiction=360111", false}, {"year=2023", false},
	} {
		r := f.do(supervisor, "GET", "/api/v1/letters?"+c.query, nil).expect(t, 200)
		if got := strings.Contains(string(r.body), f.vars["letter"]); got != c.want {
			t.Errorf("?%s lists the letter: %v, want %v", c.query, got, c.want)
		}
	}
	f.do(supervisor, "GET", "/api/v1/letters?state=lost", nil).expect(t, 400, `"field":"state"`)
	f.do(supervisor, "GET", "/api/v1/letters?kind=note", nil).expect(t, 400, `"field":"kind"`)
	f.do(supervisor, "GET", "/api/v1/letters?year=abc", nil).expect(t, 400, `"field":"year"`)
	f.do(supervisor, "GET", "/api/v1/letters?unit=nope", nil).expect(t, 400, `"field":"unit"`)

	f.do(supervisor, "POST", "/api/v1/letters/{letter}/close", `{"note": "整改到位"}`).expect(t, 200, `"state":"closed"`)
	f.do(leadReporter, "POST", "/api/v1/letters/{letter}/response", `{"answer": "补充"}`).expect(t, 409)
	f.do(supervisor, "POST", "/api/v1/letters/{letter}/withdraw", `{"note": "x"}`).expect(t, 409)
	r = f.do(leadReporter, "GET", "/api/v1/letters/{letter}", nil).expect(t, 200)
	var v struct {
		Events      []struct{ Action string }
		Attachments []struct{ Name string }
	}
	r.decode(t, &v)
	var acts []string
	for _, e := range v.Events {
		acts = append(acts, e.Action)
	}
	if got := strings.Join(acts, ","); got != "draft,edit,issue,attach,answer,reject,answer,close" {
		// The failed edit with a stale version left no event.
		t.Errorf("events: %s", got)
	}
	if len(v.Attachments) != 1 || v.Attachments[0].Name != "整改.pdf" {
		t.Errorf("attachments: %+v", v.Attachments)
	}

	// Bad drafts: unknown project, kind, month.
	f.do(supervisor, "POST", "/api/v1/letters", `{"project_id": "nope", "kind": "prompt", "period": "2024-05"}`).expect(t, 422, `"field":"project_id"`)
	f.do(supervisor, "POST", "/api/v1/letters", `{"project_id": "{p1}", "kind": "memo", "period": "2024-05"}`).expect(t, 422, `"field":"kind"`)
	f.do(supervisor, "POST", "/api/v1/letters", `{"project_id": "{p1}", "kind": "prompt", "period": "五月"}`).expect(t, 422, `"field":"period"`)
	f.do(supervisor, "POST", "/api/v1/letters", `{"project_id": "{p1}", "kind": "prompt", "period": "2023-05"}`).expect(t, 422, `"field":"period"`)
	b, _ := json.Marshal(map[string]any{"project_id": f.vars["p1"], "kind": "prompt", "period": "2024-05", "extra": 1})
	f.do(supervisor, "POST", "/api/v1/letters", string(b)).expect(t, 400, `"field":"extra"`)
}

// letterReads has the contract test see the letters' reads answer.
func letterReads(t *testing.T, f *fixture) {
	issueP1(f)
	f.do(leadReporter, "GET", "/api/v1/letters?open=true", nil).expect(t, 200, f.vars["letter"])
	f.do(leadReporter, "GET", "/api/v1/letters/{letter}", nil).expect(t, 200, `"events":[`)
}
