package web

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
)

// parseMultipart parses a multipart form: 8 MiB in memory, the rest in
// files under os.TempDir() (the container image has a /tmp for them).
// The caller must defer removeMultipart(r): net/http removes those files
// only for the request it made, and handlers get auth's r.WithContext
// copy, so without it every upload over 8 MiB left a file behind. A
// file that cannot be written there is the server's fault: it comes
// back as a tempDirError, for a logged 500 rather than a 400.
func parseMultipart(r *http.Request) error {
	err := r.ParseMultipartForm(8 << 20)
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		// %v: the errno inside would read as a database outage (503).
		return &tempDirError{fmt.Errorf("上传的文件无法写入临时目录 %s: %v", os.TempDir(), err)}
	}
	return err
}

// tempDirError is parseMultipart's error of the server's temporary directory.
type tempDirError struct{ error }

// removeMultipart removes the temporary files of a parsed form.
func removeMultipart(r *http.Request) {
	if r.MultipartForm != nil {
		r.MultipartForm.RemoveAll()
	}
}

// serverSide reports whether a parseMultipart error is the server's.
func serverSide(err error) bool {
	var t *tempDirError
	return errors.As(err, &t)
}
