package web

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// TestPaginate: pages of pageRows rows with 上一页/下一页 links that keep
// the other parameters; a page that is not there shows the first.
func TestPaginate(t *testing.T) {
	rows := make([]int, 2*pageRows+20)
	for i := range rows {
		rows[i] = i
	}
	ps, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	render := func(pg pager) string {
		var b strings.Builder
		if err := ps.pages["projects"].ExecuteTemplate(&b, "pager", pg); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	for _, tc := range []struct {
		url        string
		page, n    int
		first      int
		prev, next string
	}{
		{"/projects?status=behind", 1, pageRows, 0, "", "/projects?page=2&status=behind"},
		{"/projects?status=behind&page=2", 2, pageRows, pageRows, "/projects?status=behind", "/projects?page=3&status=behind"},
		{"/projects?page=3", 3, 20, 2 * pageRows, "/projects?page=2", ""},
		{"/projects?page=9", 1, pageRows, 0, "", "/projects?page=2"},
		{"/projects?page=x", 1, pageRows, 0, "", "/projects?page=2"},
	} {
		got, pg := paginate(httptest.NewRequest("GET", tc.url, nil), rows)
		if pg.Page != tc.page || len(got) != tc.n || got[0] != tc.first || pg.Prev != tc.prev || pg.Next != tc.next || pg.Pages != 3 || pg.Total != len(rows) {
			t.Errorf("%s: page %d of %d rows from %d, prev %q next %q", tc.url, pg.Page, len(got), got[0], pg.Prev, pg.Next)
		}
		html := render(pg)
		if strings.Contains(html, `rel="prev"`) != (tc.prev != "") || strings.Contains(html, `rel="next"`) != (tc.next != "") ||
			!strings.Contains(html, "上一页") || !strings.Contains(html, "下一页") {
			t.Errorf("%s: pager %s", tc.url, html)
		}
	}
	// A list that fits on one page has no pager.
	got, pg := paginate(httptest.NewRequest("GET", "/review?page=2", nil), rows[:7])
	if len(got) != 7 || pg.Pages != 1 || render(pg) != "" {
		t.Errorf("short list: %d rows, %d pages, %q", len(got), pg.Pages, render(pg))
	}
	if _, pg := paginate(httptest.NewRequest("GET", "/review", nil), []int{}); pg.From != 0 || pg.To != 0 || pg.Pages != 1 {
		t.Errorf("empty list: %+v", pg)
	}
}
