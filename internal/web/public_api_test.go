package web_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"minsheng/internal/sealed"
	"minsheng/internal/supervise"
	"minsheng/internal/web"
)

// testSMS keeps the last text per phone number.
type testSMS struct {
	mu   sync.Mutex
	sent map[string]string
}

func (s *testSMS) SendSMS(_ context.Context, phone, text string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent[phone] = text
	return nil
}

// roomyLimits lets every actor of the matrix write from the one address
// of the test client.
func roomyLimits(f *fixture) {
	cfg := supervise.DefaultPortalConfig()
	cfg.VotesPerHour, cfg.CommentsPerHour, cfg.CodesPerHour = 1000, 1000, 1000
	f.srv.Portal = web.NewPortal(cfg, nil, nil)
}

// phoneVerification turns on phone verification with a test SMS sender
// and a personal-data key.
func phoneVerification(f *fixture) {
	box, err := sealed.New([]byte("0123456789abcdef"))
	if err != nil {
		f.t.Fatal(err)
	}
	f.st.Sealer = box
	roomyLimits(f)
	cfg := f.srv.Portal.Config
	cfg.PhoneVerification = true
	f.srv.Portal = web.NewPortal(cfg, &testSMS{sent: map[string]string{}}, nil)
}

// residentComment leaves a comment on project 1 as a resident: {comment}.
func residentComment(f *fixture) {
	f.vars["comment"] = f.do(anon, "POST", "/api/v1/public/projects/{p1}/comments", `{"body": "路灯还没装好", "phone": ""}`).
		expect(f.t, 201, `"state":"pending"`).str("id")
}

func acceptMay(f *fixture) {
	submitMay(f)
	f.do(supervisor, "POST", "/api/v1/projects/{p1}/reports/2024-05/accept", nil).expect(f.t, 200)
}

// publicContract calls the portal's reads for the OpenAPI contract test,
// after the monthly cycle has accepted reports and {draft}, the second
// version of the plan, was published.
func publicContract(t *testing.T, f *fixture) {
	t.Helper()
	f.do(anon, "GET", "/api/v1/public/plans", nil).expect(t, 200, `南昌市新建区"`)
	f.do(anon, "GET", "/api/v1/public/plans/{draft}", nil).expect(t, 200, `"projects":[`)
	f.do(anon, "GET", "/api/v1/public/projects/{p1}", nil).expect(t, 200, `"reports":[`)
	f.do(anon, "GET", "/api/v1/public/projects/{p8}", nil).expect(t, 200)
	f.do(anon, "GET", "/api/v1/public/plans/plan_none", nil).expect(t, 404)
	residentComment(f)
	f.do(supervisor, "GET", "/api/v1/comments?state=pending", nil).expect(t, 200, `"body":"路灯还没装好"`)
	f.do(supervisor, "GET", "/api/v1/comments?state=later", nil).expect(t, 400)
	f.do(leader, "GET", "/api/v1/comments", nil).expect(t, 403)
	f.do(anon, "POST", "/api/v1/public/projects/{p1}/votes", `{"choice": "basic"}`).expect(t, 200, `"device_token":`)
	f.do(supervisor, "GET", "/api/v1/satisfaction?year=2024", nil).expect(t, 200, `"basic":1`)
	f.do(supervisor, "GET", "/api/v1/satisfaction", nil).expect(t, 400)
	// June's report of project 1, accepted, for the release.
	f.do(leadReporter, "PUT", "/api/v1/projects/{p1}/reports/2024-06", strings.Replace(completeMay, "5月进展顺利", "6月进展顺利", 1)).expect(t, 200)
	f.do(leadReporter, "POST", "/api/v1/projects/{p1}/reports/2024-06/submit", nil).expect(t, 200)
	f.do(supervisor, "POST", "/api/v1/projects/{p1}/reports/2024-06/accept", nil).expect(t, 200)
	rel := f.do(supervisor, "GET", "/api/v1/projects/{p1}/reports/2024-06/release", nil).expect(t, 200, `"progress":true`, `"problems":false`)
	if !strings.Contains(string(rel.body), `"report_version":`) {
		t.Errorf("release: %s", rel.body)
	}
	f.do(leadReporter, "GET", "/api/v1/projects/{p1}/reports/2024-06/release", nil).expect(t, 403)
	f.do(anon, "GET", "/api/v1/public/projects/{p1}", nil).expect(t, 200, `"period":"2024-06"`, `"progress":"6月进展顺利"`)
}
