package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServeSurvivesKill builds the real binary, creates the first users on
// the command line, and through the API of a running server imports and
// publishes the seed plan and has a unit submit a report. Right after the
// 200 the process is killed with SIGKILL; started again on the same file,
// the server has the report submitted: an acknowledged report is never
// lost.
func TestServeSurvivesKill(t *testing.T) {
	bin := minshengBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "minsheng.db")

	userAdd := func(args ...string) {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"user", "add", "--password-stdin", "--db", db}, args...)...)
		cmd.Stdin = strings.NewReader(servePassword + "\n")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("user add %v: %v\n%s", args, err, out)
		}
	}
	// On an empty database: the jurisdiction comes from GB/T 2260.
	userAdd("--username", "admin", "--role", "admin")
	userAdd("--username", "dc", "--role", "supervisor", "--jurisdiction", "360112")

	srv := startServe(t, bin, db)
	c := &apiClient{t: t, base: srv.url}
	admin := c.login("admin")
	sup := c.login("dc")

	seed, err := os.ReadFile("../../testdata/seeds/xinjian-2024.txt")
	if err != nil {
		t.Fatal(err)
	}
	var pv struct {
		ID       string
		Projects []struct {
			ID      string
			Seq     int
			Targets []struct{ ID string }
		}
	}
	c.upload(sup, "/api/v1/plans/import", "xinjian-2024.txt", seed, 201, &pv)
	c.call(sup, "POST", "/api/v1/plans/"+pv.ID+"/publish", "", 200, &pv)
	var units struct{ Items []struct{ ID, Name string } }
	c.call(admin, "GET", "/api/v1/units?jurisdiction=360112", "", 200, &units)
	unitID := ""
	for _, u := range units.Items {
		if u.Name == "区人社局" {
			unitID = u.ID
		}
	}
	c.call(admin, "POST", "/api/v1/users", fmt.Sprintf(`{"username": "rsj", "role": "reporter", "unit_id": %q, "password": %q}`, unitID, servePassword), 201, nil)
	rep := c.login("rsj")

	p1 := pv.Projects[0]
	if p1.Seq != 1 || len(p1.Targets) != 4 {
		t.Fatalf("project 1 of the seed: %+v", p1)
	}
	var targets []string
	for _, tg := range p1.Targets {
		targets = append(targets, fmt.Sprintf(`{"target_id": %q, "actual": 1}`, tg.ID))
	}
	url := "/api/v1/projects/" + p1.ID + "/reports/2024-05"
	c.call(rep, "PUT", url, `{"version": 0, "progress": "五月进展", "targets": [`+strings.Join(targets, ",")+`]}`, 200, nil)
	var submitted struct {
		State   string
		Version int
	}
	c.call(rep, "POST", url+"/submit", `{"version": 1}`, 200, &submitted)
	srv.kill() // the instant after the acknowledgement
	if submitted.State != "submitted" {
		t.Fatalf("submit answered state %q", submitted.State)
	}

	srv = startServe(t, bin, db)
	c.base = srv.url
	var got struct {
		State       string
		Version     int
		Progress    string
		SubmittedBy string `json:"submitted_by"`
	}
	c.call(rep, "GET", url, "", 200, &got) // the session survived too
	if got.State != "submitted" || got.Version != submitted.Version || got.Progress != "五月进展" {
		t.Errorf("after SIGKILL and restart the report is %+v, want submitted version %d", got, submitted.Version)
	}
	var queue struct {
		Items []struct {
			ProjectID string `json:"project_id"`
		}
	}
	c.call(sup, "GET", "/api/v1/reports?state=submitted", "", 200, &queue)
	if len(queue.Items) != 1 || queue.Items[0].ProjectID != p1.ID {
		t.Errorf("review queue after restart: %+v", queue.Items)
	}
	audit := exec.Command(bin, "audit", "verify", "--db", db)
	if out, err := audit.CombinedOutput(); err != nil {
		t.Errorf("audit verify after SIGKILL: %v\n%s", err, out)
	}
	srv.kill()
}

type serveProc struct {
	cmd *exec.Cmd
	url string
}

// startServe starts `minsheng serve` on a free port and waits for the line
// that tells its address.
func startServe(t *testing.T, bin, db string) *serveProc {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--db", db)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serveProc{cmd: cmd}
	t.Cleanup(func() {
		// After p.kill (cleanups run last first): the log is complete.
		if t.Failed() {
			log := stderr.String()
			t.Logf("server log (last 20000 bytes):\n%s", log[max(0, len(log)-20000):])
		}
	})
	t.Cleanup(p.kill)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if _, after, ok := strings.Cut(sc.Text(), "民生实事平台已启动："); ok {
				found <- strings.TrimSuffix(after, "/")
			}
		}
		close(found)
	}()
	select {
	case u, ok := <-found:
		if !ok {
			t.Fatalf("serve ended without telling its address; stderr:\n%s", stderr.String())
		}
		p.url = u
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not start in 30 s; stderr:\n%s", stderr.String())
	}
	return p
}

func (p *serveProc) kill() {
	if p.cmd.Process != nil && p.cmd.ProcessState == nil {
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.cmd.Wait()
	}
}

// apiClient talks JSON to a running server.
type apiClient struct {
	t    *testing.T
	base string
}

// servePassword meets the default password rules of serve (three classes
// of character); every account of these tests starts with it.
const servePassword, changedPassword = "Serve-test-2024", "Serve-test-2025"

// login logs a new account in. Its password was chosen by an
// administrator (`user add`, POST /api/v1/users), so the server lets it
// do nothing before it has changed it.
func (c *apiClient) login(user string) string {
	c.t.Helper()
	var r struct{ Token string }
	c.call("", "POST", "/api/v1/session", fmt.Sprintf(`{"username": %q, "password": %q}`, user, servePassword), 201, &r)
	c.call(r.Token, "GET", "/api/v1/reports", "", 403, nil)
	c.call(r.Token, "PUT", "/api/v1/me/password", fmt.Sprintf(`{"old_password": %q, "new_password": %q}`, servePassword, changedPassword), 204, nil)
	return r.Token
}

func (c *apiClient) call(token, method, path, body string, status int, out any) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	c.send(req, token, status, out)
}

func (c *apiClient) upload(token, path, name string, data []byte, status int, out any) {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, err := http.NewRequest("POST", c.base+path, &buf)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	c.send(req, token, status, out)
}

func (c *apiClient) send(req *http.Request, token string, status int, out any) {
	c.t.Helper()
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != status {
		c.t.Fatalf("%s %s: %d, want %d: %s", req.Method, req.URL.Path, res.StatusCode, status, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: %v: %s", req.Method, req.URL.Path, err, b)
		}
	}
}
