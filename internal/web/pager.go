package web

import (
	"net/http"
	"strconv"
)

// Lists on pages (项目列表, 审核) come in pages of pageRows rows with
// 上一页/下一页 links. These pages sort and filter rows of one
// jurisdiction in memory (by status, completion…), so a page is a slice
// of that order, numbered by ?page=; the API lists page by cursor
// (paging.go).
const pageRows = 50

// pager is where a page of rows stands in its list, for the "pager"
// template.
type pager struct {
	Page, Pages     int
	From, To, Total int    // rows shown, 1-based, of Total
	Prev, Next      string // links; "" at either end
}

// paginate returns the rows of the page ?page= asks for (the first when
// it names none or a page that is not there) and its pager.
func paginate[T any](r *http.Request, rows []T) ([]T, pager) {
	pg := pager{Page: 1, Total: len(rows), Pages: max(1, (len(rows)+pageRows-1)/pageRows)}
	if n, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && n >= 1 && n <= pg.Pages {
		pg.Page = n
	}
	lo, hi := (pg.Page-1)*pageRows, min(len(rows), pg.Page*pageRows)
	pg.From, pg.To = min(lo+1, hi), hi
	link := func(n int) string {
		q := r.URL.Query()
		if n == 1 {
			q.Del("page")
		} else {
			q.Set("page", strconv.Itoa(n))
		}
		if len(q) == 0 {
			return r.URL.Path
		}
		return r.URL.Path + "?" + q.Encode()
	}
	if pg.Page > 1 {
		pg.Prev = link(pg.Page - 1)
	}
	if pg.Page < pg.Pages {
		pg.Next = link(pg.Page + 1)
	}
	return rows[lo:hi], pg
}
