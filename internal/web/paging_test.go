package web_test

import (
	"net/url"
	"testing"
)

// TestAPIPaging: the paged lists, walked with a small limit, give every
// row of the unpaged answer once and in order; limit and cursor are
// checked.
func TestAPIPaging(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, per := range []string{"2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"} {
		f.do(leadReporter, "PUT", "/api/v1/projects/{p1}/reports/"+per, `{"version": 0, "progress": "进展"}`).expect(t, 200)
	}
	for _, tc := range []struct{ as, url string }{
		{admin, "/api/v1/users"},
		{anon, "/api/v1/plans"},
		{anon, "/api/v1/projects?plan={plan}"},
		{leadReporter, "/api/v1/reports"},
	} {
		var all struct {
			Items []map[string]any
			Next  string
		}
		f.do(tc.as, "GET", tc.url+sep(tc.url)+"limit=1000", nil).expect(t, 200).decode(t, &all)
		if len(all.Items) == 0 || all.Next != "" {
			t.Fatalf("%s: %d items, next %q", tc.url, len(all.Items), all.Next)
		}
		var got []any
		cursor := ""
		for n := 0; ; n++ {
			u := tc.url + sep(tc.url) + "limit=4"
			if cursor != "" {
				u += "&cursor=" + url.QueryEscape(cursor)
			}
			var pg struct {
				Items []map[string]any
				Next  string
			}
			f.do(tc.as, "GET", u, nil).expect(t, 200).decode(t, &pg)
			if len(pg.Items) > 4 || n > len(all.Items) {
				t.Fatalf("%s: page %d has %d items", tc.url, n, len(pg.Items))
			}
			for _, it := range pg.Items {
				got = append(got, it["id"])
			}
			if pg.Next == "" {
				break
			}
			cursor = pg.Next
		}
		if len(got) != len(all.Items) {
			t.Fatalf("%s: paged %d items, unpaged %d", tc.url, len(got), len(all.Items))
		}
		for i := range got {
			if got[i] != all.Items[i]["id"] {
				t.Fatalf("%s: item %d is %v, unpaged %v", tc.url, i, got[i], all.Items[i]["id"])
			}
		}
		for _, bad := range []string{"limit=0", "limit=1001", "limit=abc"} {
			f.do(tc.as, "GET", tc.url+sep(tc.url)+bad, nil).expect(t, 400).checkError(t, "limit")
		}
		f.do(tc.as, "GET", tc.url+sep(tc.url)+"cursor=garbage", nil).expect(t, 422).checkError(t, "cursor")
	}
}

func sep(u string) string {
	for _, c := range u {
		if c == '?' {
			return "&"
		}
	}
	return "?"
}
