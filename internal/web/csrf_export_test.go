package web

// CSRFTokenOf exposes the CSRF token of a session to the black-box tests
// (package web_test), which play a browser holding the session cookie.
func CSRFTokenOf(sessionToken string) string { return csrfToken(sessionToken) }
