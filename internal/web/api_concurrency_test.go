package web_test

import (
	"encoding/json"
	"slices"
	"sync"
	"testing"
)

// TestConcurrentSaves: two clients save the same draft from the same
// version; one wins, the other gets 409 with a Chinese message telling it
// to reload — whether the two arrive one after the other or at once.
func TestConcurrentSaves(t *testing.T) {
	t.Parallel()
	base := newFixture(t)

	t.Run("one after the other", func(t *testing.T) {
		t.Parallel()
		f := base.clone(t)
		saveMay(f) // version 1
		a := `{"version": 1, "progress": "甲的修改"}`
		b := `{"version": 1, "progress": "乙的修改"}`
		f.do(leadReporter, "PUT", "/api/v1/projects/{p1}/reports/2024-05", a).expect(t, 200, `"version":2`)
		r := f.do(leadReporter, "PUT", "/api/v1/projects/{p1}/reports/2024-05", b).expect(t, 409, `"code":"conflict"`, "已被他人修改", "刷新")
		r.checkError(t, "version")
		f.do(leadReporter, "GET", "/api/v1/projects/{p1}/reports/2024-05", nil).expect(t, 200, "甲的修改")

		f.do(leadReporter, "PUT", "/api/v1/projects/{p1}/monthly-plan", monthlyBody).expect(t, 200)
		f.do(leadReporter, "PUT", "/api/v1/projects/{p1}/monthly-plan", `{"version": 1, "deadline": "2024-10-31"}`).expect(t, 200)
		f.do(leadReporter, "PUT", "/api/v1/projects/{p1}/monthly-plan", `{"version": 1, "deadline": "2024-11-30"}`).
			expect(t, 409, "已被他人修改").checkError(t, "version")
	})

	t.Run("at once", func(t *testing.T) {
		t.Parallel()
		f := base.clone(t)
		saveMay(f)
		const n = 8
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				body, _ := json.Marshal(map[string]any{"version": 1, "progress": "客户端" + itoa(i)})
				statuses[i] = f.do(leadReporter, "PUT", "/api/v1/projects/{p1}/reports/2024-05", string(body)).status
			})
		}
		wg.Wait()
		slices.Sort(statuses)
		if statuses[0] != 200 || statuses[1] != 409 || statuses[n-1] != 409 {
			t.Errorf("statuses %v: want one 200 and %d × 409", statuses, n-1)
		}
		f.do(leadReporter, "GET", "/api/v1/projects/{p1}/reports/2024-05", nil).expect(t, 200, `"version":2`)
	})
}

// TestSubmitTwice: a submission retried with the same version (its answer
// was lost) is one submission: 200 both times, one revision; likewise two
// submissions racing.
func TestSubmitTwice(t *testing.T) {
	t.Parallel()
	base := newFixture(t)
	countSubmits := func(t *testing.T, f *fixture) int {
		var revs struct{ Items []struct{ Action string } }
		f.do(leadReporter, "GET", "/api/v1/projects/{p1}/reports/2024-05/revisions", nil).expect(t, 200).decode(t, &revs)
		n := 0
		for _, r := range revs.Items {
			if r.Action == "submit" {
				n++
			}
		}
		return n
	}

	t.Run("retried", func(t *testing.T) {
		t.Parallel()
		f := base.clone(t)
		saveMay(f)
		first := f.do(leadReporter, "POST", "/api/v1/projects/{p1}/reports/2024-05/submit", `{"version": 1}`).expect(t, 200, `"state":"submitted"`)
		again := f.do(leadReporter, "POST", "/api/v1/projects/{p1}/reports/2024-05/submit", `{"version": 1}`).expect(t, 200, `"state":"submitted"`)
		if first.num("version") != again.num("version") || first.str("submitted_at") != again.str("submitted_at") {
			t.Errorf("the retry changed the report: %s → %s", clip(first.body), clip(again.body))
		}
		if n := countSubmits(t, f); n != 1 {
			t.Errorf("%d submit revisions, want 1", n)
		}
		// A retry carrying a version the report never had is a conflict, not a submission.
		f.do(leadReporter, "POST", "/api/v1/projects/{p1}/reports/2024-05/submit", `{"version": 9}`).expect(t, 409)
	})

	t.Run("racing", func(t *testing.T) {
		t.Parallel()
		f := base.clone(t)
		saveMay(f)
		const n = 6
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				statuses[i] = f.do(leadReporter, "POST", "/api/v1/projects/{p1}/reports/2024-05/submit", `{"version": 1}`).status
			})
		}
		wg.Wait()
		for _, s := range statuses {
			if s != 200 {
				t.Errorf("statuses %v: want 200 for every copy of the same submission", statuses)
				break
			}
		}
		if n := countSubmits(t, f); n != 1 {
			t.Errorf("%d submit revisions, want 1", n)
		}
	})
}
