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

	"minsheng/internal/plan"
)

// 民生码: a QR code of a project's public page, made on the server (no
// script, nothing from another host), as SVG for screens and print or PNG
// for messaging apps. It encodes the absolute address under the
// configured public base URL, so that a poster printed from a test
// machine still points to the real portal.

// qrQuiet is the white border the QR standard asks for, in modules.
const qrQuiet = 4

// publicQR: GET /public/projects/{projectID}/qr.svg|.png. A code is
// drawn once per address (pageCache.qr); k only says the project exists.
func (s *Server) publicQR(r *http.Request, k publicKey) (*cachedResponse, error) {
	if k.planID == "" {
		return nil, plan.Errorf(plan.ENotFound, "项目不存在")
	}
	ct, isPNG := "image/svg+xml", strings.HasSuffix(r.URL.Path, ".png")
	if isPNG {
		ct = "image/png"
	}
	key := s.publicBase(r) + r.URL.Path
	body := s.Portal.cache.qrCode(key)
	if body == nil {
		var err error
		if body, err = drawQR(s.publicBase(r)+"/public/projects/"+r.PathValue("projectID"), isPNG); err != nil {
			return nil, err
		}
		s.Portal.cache.putQR(key, body)
	}
	return &cachedResponse{status: http.StatusOK, contentType: ct, body: body}, nil
}

// drawQR encodes address as a PNG or an SVG.
func drawQR(address string, isPNG bool) ([]byte, error) {
	code, err := qr.Encode(address, qr.M, qr.Auto)
	if err != nil {
		return nil, err
	}
	if isPNG {
		return qrPNG(code, 8)
	}
	return qrSVG(code), nil
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
