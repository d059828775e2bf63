package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUploadTempFiles: an upload over the 8 MiB kept in memory goes
// through a temporary file, which is gone when the request is answered
// (net/http removes it only for its own request, not for the copy the
// handlers get); a temporary directory that cannot be written is the
// server's fault (500), not a malformed upload (400).
func TestUploadTempFiles(t *testing.T) {
	s := newSecureSite(t)
	tok := s.login("admin", "Admin-pass-1", 201)
	wantStatus(t, s.do("192.0.2.1:1", tok, "PUT", "/api/v1/me/password", `{"old_password": "Admin-pass-1", "new_password": "Admin-pass-2"}`), 204)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, _ := mw.CreateFormFile("file", "big.txt")
	part.Write(bytes.Repeat([]byte("a"), 9<<20))
	mw.Close()

	for _, c := range []struct {
		name   string
		exists bool
		status int
		want   string
	}{
		{"writable", true, 400, "unusable_document"},
		{"missing", false, 500, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "tmp")
			if c.exists {
				os.Mkdir(dir, 0o700)
			}
			t.Setenv("TMPDIR", dir)
			req := httptest.NewRequest("POST", "/api/v1/plans/import", bytes.NewReader(body.Bytes()))
			req.RemoteAddr = "192.0.2.1:1"
			req.Header.Set("Content-Type", mw.FormDataContentType())
			req.Header.Set("Authorization", "Bearer "+tok)
			rec := httptest.NewRecorder()
			s.h.ServeHTTP(rec, req)
			wantStatus(t, rec, c.status, c.want)
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Errorf("temporary files left: %v", left)
			}
			if strings.Contains(rec.Body.String(), "multipart/form-data") {
				t.Errorf("blamed on the upload: %s", rec.Body)
			}
		})
	}
}
