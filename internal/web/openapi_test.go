package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// apiRoutes returns the API routes the package registers, as the patterns
// given to ServeMux ("GET /api/v1/plans/{planID}"), read from the source
// (every non-test file, so a route added anywhere is found).
func apiRoutes(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var out []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "HandleFunc" && sel.Sel.Name != "Handle") {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			pattern, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			method, path, ok := strings.Cut(pattern, " ")
			if ok && strings.HasPrefix(path, "/api/") {
				out = append(out, method+" "+path)
			}
			return true
		})
	}
	slices.Sort(out)
	if len(out) < 10 {
		t.Fatalf("found only %d API routes in the source: %v", len(out), out)
	}
	return out
}

// loadDoc loads and validates internal/web/openapi.json.
func loadDoc(t testing.TB) *openapi3.T {
	t.Helper()
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		t.Fatalf("openapi.json does not load: %v", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI 3 document: %v", err)
	}
	return doc
}

// TestOpenAPIDocumentsEveryRoute: the document and routes.go name the
// same endpoints, and the server serves the document.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	t.Parallel()
	doc := loadDoc(t)
	var documented []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+path)
		}
	}
	slices.Sort(documented)
	routes := apiRoutes(t)
	for _, r := range routes {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is not in openapi.json", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(routes, d) {
			t.Errorf("openapi.json documents %s, which routes.go does not serve", d)
		}
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.OperationID == "" || op.Summary == "" {
				t.Errorf("%s %s: no operationId or summary", method, path)
			}
			for code, r := range op.Responses.Map() {
				if code[0] == '2' {
					continue
				}
				if mt := r.Value.Content.Get("application/json"); mt == nil || mt.Schema.Ref != "#/components/schemas/Error" {
					t.Errorf("%s %s: response %s is not the error shape", method, path, code)
				}
			}
		}
	}

	f := openFixture(t, filepath.Join(t.TempDir(), "minsheng.db"))
	r := f.do(anon, "GET", "/api/v1/openapi.json", nil).expect(t, 200)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("served with Content-Type %q", ct)
	}
	if raw, _ := os.ReadFile("openapi.json"); !bytes.Equal(r.body, raw) {
		t.Error("the served document is not openapi.json")
	}
}

// contract validates recorded requests and responses against the
// document: the route must be documented, the status listed for it, the
// body of the shape given; successful requests must match their documented
// parameters and body too.
type contract struct {
	doc *openapi3.T
	mux *http.ServeMux

	mu       sync.Mutex
	problems []string
	seen     map[string]bool // "METHOD /path" answered 2xx
	checked  int
}

func newContract(t testing.TB) *contract {
	c := &contract{doc: loadDoc(t), mux: http.NewServeMux(), seen: map[string]bool{}}
	for path, item := range c.doc.Paths.Map() {
		for method := range item.Operations() {
			c.mux.HandleFunc(method+" "+path, func(http.ResponseWriter, *http.Request) {})
		}
	}
	openapi3filter.RegisterBodyDecoder("image/png", openapi3filter.FileBodyDecoder)
	openapi3filter.RegisterBodyDecoder("application/pdf", openapi3filter.FileBodyDecoder)
	openapi3filter.RegisterBodyDecoder("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", openapi3filter.FileBodyDecoder)
	return c
}

func (c *contract) fail(format string, args ...any) {
	c.mu.Lock()
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
	c.mu.Unlock()
}

func (c *contract) observe(req *http.Request, reqBody []byte, res *http.Response, resBody []byte) {
	ctx := context.Background()
	what := fmt.Sprintf("%s %s → %d", req.Method, req.URL.RequestURI(), res.StatusCode)
	_, pattern := c.mux.Handler(req)
	if pattern == "" {
		// Not a documented route: only the catch-all's 404 may answer it.
		var e apiErr
		if res.StatusCode != 404 || json.Unmarshal(resBody, &e) != nil || e.Code == "" {
			c.fail("%s: undocumented route", what)
		}
		return
	}
	method, path, _ := strings.Cut(pattern, " ")
	item := c.doc.Paths.Value(path)
	params := map[string]string{}
	pp, rp := strings.Split(path, "/"), strings.Split(req.URL.Path, "/")
	for i := range pp {
		if strings.HasPrefix(pp[i], "{") && i < len(rp) {
			params[strings.Trim(pp[i], "{}")] = rp[i]
		}
	}
	route := &routers.Route{Spec: c.doc, Path: path, PathItem: item, Method: method, Operation: item.GetOperation(method)}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true, MultiError: true}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	if res.StatusCode < 300 {
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			c.fail("%s: the request does not match the document: %v", what, err)
		}
		c.mu.Lock()
		c.seen[pattern] = true
		c.mu.Unlock()
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode, Header: res.Header,
		Body: io.NopCloser(bytes.NewReader(resBody)), Options: opts}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		c.fail("%s: the response does not match the document: %v\nbody: %s", what, err, clip(resBody))
	}
	c.mu.Lock()
	c.checked++
	c.mu.Unlock()
}

// TestOpenAPIResponses runs the monthly cycle, the authorisation matrices
// and the concurrency and login cases against a server whose every
// request and answer is checked against openapi.json; every documented
// operation must have answered 2xx at least once.
func TestOpenAPIResponses(t *testing.T) {
	t.Parallel()
	c := newContract(t)
	t.Cleanup(func() {
		for _, p := range c.problems {
			t.Error(p)
		}
		for path, item := range c.doc.Paths.Map() {
			for method := range item.Operations() {
				if !c.seen[method+" "+path] {
					t.Errorf("%s %s never answered 2xx in the contract test", method, path)
				}
			}
		}
		t.Logf("%d exchanges checked against openapi.json", c.checked)
	})
	f := newObservedFixture(t, c.observe)
	base := f.clone(t)
	f.do(anon, "GET", "/api/v1/openapi.json", nil).expect(t, 200)
	f.do(supervisor, "GET", "/api/v1/units", nil).expect(t, 200)
	f.do(leadReporter, "GET", "/api/v1/projects?year=2024&jurisdiction=360112", nil).expect(t, 200)
	f.run(t, monthlyCycle(t, f))
	f.do(supervisor, "GET", "/api/v1/plans/{plan}", nil).expect(t, 200) // with its monthly plans and reports
	importDraft(f)
	f.do(supervisor, "GET", "/api/v1/plans/{draft}", nil).expect(t, 200)
	f.do(supervisor, "PUT", "/api/v1/plans/{draft}", "{draftbody}").expect(t, 200)
	f.do(supervisor, "GET", "/api/v1/plans/{draft}/carryover", nil).expect(t, 200, `"saved":false`)
	f.do(supervisor, "PUT", "/api/v1/plans/{draft}/carryover", `{"rev": 2, "links": []}`).expect(t, 200, `"saved":true`, `"links":[]`)
	f.do(leader, "GET", "/api/v1/projects/{p1}/history", nil).expect(t, 200, `"prev":[]`)
	f.do(supervisor, "POST", "/api/v1/plans/{draft}/publish", nil).expect(t, 200, `"changes":[`)
	f.do(supervisor, "POST", "/api/v1/projects/{p1}/reports/2024-04/reopen", `{"reason": "数据有误"}`).expect(t, 200)
	f.do(supervisor, "POST", "/api/v1/projects/{p1}/monthly-plan/reopen", `{"reason": "目标调整"}`).expect(t, 200)
	photographVisit(base.clone(t))
	f.vars["visit"] = f.do(supervisor, "POST", "/api/v1/projects/{p1}/inspections", visitBody).expect(t, 201).str("id")
	f.do(leadReporter, "GET", "/api/v1/projects/{p1}/inspections", nil).expect(t, 200)
	f.do(leader, "GET", "/api/v1/inspections/{visit}", nil).expect(t, 200)
	letterReads(t, f)
	f.do(leadReporter, "GET", "/api/v1/reports/bulk/template?period=2024-05", nil).expect(t, 200)
	voteReads(t, f)
	f.do(deputy, "PUT", "/api/v1/me/password", map[string]string{"old_password": testPassword, "new_password": "新的密码-secret-2"}).expect(t, 204)
	publicContract(t, f)
	reminderReads(t, f)
	f.do(leadReporter, "DELETE", "/api/v1/session", nil).expect(t, 204)
	levelReads(t, f) // api_levels_test.go

	t.Run("write matrix", func(t *testing.T) {
		for _, wc := range writeCases() {
			t.Run(wc.method+" "+wc.url, func(t *testing.T) {
				t.Parallel()
				runWriteCase(t, base.clone(t), wc)
			})
		}
	})
}
