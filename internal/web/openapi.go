package web

import (
	_ "embed"
	"net/http"
)

// openapiDoc describes every /api/v1 endpoint; a test checks it against the
// real routes and responses.
//
//go:embed openapi.json
var openapiDoc []byte

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(openapiDoc)
}
