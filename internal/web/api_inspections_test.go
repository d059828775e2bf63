package web_test

import (
	"strings"
	"testing"

	"minsheng/internal/plan"
)

// visitBody is a visit to project 1 that finds 0.3 of the 0.6 (亿元) of
// loans reported for May: short by half.
const visitBody = `{"date": "2024-06-12", "inspectors": ["李明", "王芳"], "place": "区人社局创业服务中心",
	"narrative": "抽查贷款发放台账。", "escalate": true,
	"findings": [{"target_id": "{t1}", "found": 0.3, "note": "台账只有0.3亿元"}]}`

// inspectP1 records visitBody after May was submitted; {visit} is its ID.
func inspectP1(f *fixture) {
	submitMay(f)
	r := f.do(supervisor, "POST", "/api/v1/projects/{p1}/inspections", visitBody).expect(f.t, 201, `"discrepant":true`, `"short":true`)
	f.vars["visit"] = r.str("id")
}

// photographVisit adds a photo to {visit}; {visitpng} is its SHA-256.
func photographVisit(f *fixture) {
	inspectP1(f)
	r := f.do(supervisor, "POST", "/api/v1/inspections/{visit}/photos", upload{"file", "现场.png", pngImage(f.t)}).expect(f.t, 201)
	f.vars["visitpng"] = r.str("sha256")
}

// TestInspectionAPI: a visit that finds half of what was reported is
// 核查不符 and drafts a 督办函 at once (short by more than 20%); the same
// figure found again drafts nothing more; bad input answers 422 naming
// every field and stores nothing.
func TestInspectionAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	inspectP1(f)
	r := f.do(supervisor, "GET", "/api/v1/inspections/{visit}", nil).expect(t, 200, `"reported":0.6`, `"found":0.3`, `"shortfall":0.3`, `"period":"2024-05"`)
	letterID := r.str("letter_id")
	if letterID == "" {
		t.Fatalf("no letter drafted: %s", r.body)
	}
	l, err := f.st.GetLetter(t.Context(), plan.SystemUser, letterID)
	if err != nil {
		t.Fatal(err)
	}
	if l.Kind != "supervision" || !strings.Contains(l.Body, "现场核实为0.3亿元") {
		t.Errorf("letter %s: %s", l.Kind, l.Body)
	}
	r = f.do(supervisor, "POST", "/api/v1/projects/{p1}/inspections", visitBody).expect(t, 201, `"discrepant":true`)
	if r.str("letter_id") != "" {
		t.Errorf("a second letter while the 督办函 is open: %s", r.body)
	}
	before := auditHead(t, f.st)
	bad := `{"date": "2024-02-30", "inspectors": [], "place": "", "findings": [{"target_id": "nope", "found": 1}, {"target_id": "{t2}", "found": -1}]}`
	r = f.do(supervisor, "POST", "/api/v1/projects/{p1}/inspections", bad).expect(t, 422)
	for _, want := range []string{`"field":"date"`, `"field":"inspectors"`, `"field":"place"`, `"field":"findings[0].target_id"`, `"field":"findings[1].found"`} {
		if !strings.Contains(string(r.body), want) {
			t.Errorf("422 lacks %s: %s", want, r.body)
		}
	}
	f.do(supervisor, "POST", "/api/v1/projects/{p1}/inspections", `{"date": 5}`).expect(t, 400)
	f.do(supervisor, "POST", "/api/v1/projects/nope/inspections", visitBody).expect(t, 404)
	f.do(supervisor, "POST", "/api/v1/inspections/{visit}/photos", upload{"file", "a.txt", []byte("plain text")}).expect(t, 422)
	if after := auditHead(t, f.st); after != before {
		t.Errorf("refused requests wrote %d audit rows", after-before)
	}
	f.do(leadReporter, "GET", "/api/v1/projects/{p1}/inspections", nil).expect(t, 200, `"place":"区人社局创业服务中心"`)
}
