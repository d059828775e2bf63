package web

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"net/http"
	"strings"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
)

// 民生码: a QR code of a project's public page, made on the server (no
// script, nothing from another host), as SVG for screens and print or PNG
// for messaging apps. It encodes the absolute address under the
// configured public base URL, so that a poster printed from a test
// machine still points to the real portal.

// qrQuiet is the white border the QR standard asks for, in modules.
const qrQuiet = 4

// publicQR: GET /public/projects/{projectID}/qr.svg|.png.
func (s *Server) publicQR(r *http.Request) (*cachedResponse, error) {
	p, err := s.Store.GetProject(r.Context(), r.PathValue("projectID"))
	if err != nil {
		return nil, err
	}
	code, err := qr.Encode(s.publicBase(r)+"/public/projects/"+p.ID, qr.M, qr.Auto)
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(r.URL.Path, ".png") {
		body, err := qrPNG(code, 8)
		if err != nil {
			return nil, err
		}
		return &cachedResponse{status: http.StatusOK, contentType: "image/png", body: body}, nil
	}
	return &cachedResponse{status: http.StatusOK, contentType: "image/svg+xml", body: qrSVG(code)}, nil
}

// qrSVG draws the dark modules as one path, a unit square per module.
func qrSVG(code barcode.Barcode) []byte {
	n := code.Bounds().Dx()
	size := n + 2*qrQuiet
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, size, size)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, size, size)
	for y := range n {
		for x := range n {
			if dark(code, x, y) {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x+qrQuiet, y+qrQuiet)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return b.Bytes()
}

func dark(code barcode.Barcode, x, y int) bool {
	r, _, _, _ := code.At(x, y).RGBA()
	return r < 0x8000
}

// qrPNG draws scale pixels per module with the quiet zone.
func qrPNG(code barcode.Barcode, scale int) ([]byte, error) {
	n := code.Bounds().Dx()
	scaled, err := barcode.Scale(code, n*scale, n*scale)
	if err != nil {
		return nil, err
	}
	img := image.NewGray(image.Rect(0, 0, (n+2*qrQuiet)*scale, (n+2*qrQuiet)*scale))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(qrQuiet*scale, qrQuiet*scale, (n+qrQuiet)*scale, (n+qrQuiet)*scale), scaled, image.Point{}, draw.Src)
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
