package web

import (
	"net/http"
	"strconv"

	"minsheng/internal/store"
)

// API lists come in pages: ?limit= rows (default store.DefaultPageLimit,
// at most store.MaxPageLimit) after ?cursor=, the "next" of the page
// before, which is absent after the last page.

// pageOf reads a list request's limit and cursor.
func pageOf(r *http.Request) (store.Page, error) {
	q := r.URL.Query()
	pg := store.Page{Limit: store.DefaultPageLimit, After: q.Get("cursor")}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > store.MaxPageLimit {
			return pg, badRequest("bad_request", "limit", "每页条数 limit 应为 1 到 %d 之间的整数，而不是「%s」", store.MaxPageLimit, l)
		}
		pg.Limit = n
	}
	return pg, nil
}

// page is one page of a list and the cursor of the next.
func page[T any](xs []T, next string) list[T] {
	l := items(xs)
	l.Next = next
	return l
}
