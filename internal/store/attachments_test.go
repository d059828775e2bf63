package store

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	"minsheng/internal/plan"
)

// pngBytes is a small valid PNG, different for each seed.
func pngBytes(seed uint8) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{seed, 0, 0, 255})
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

func TestAttachments(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx := f.ctx
		may, apr := period("2024-05"), period("2024-04")
		photo := pngBytes(7)
		a := must(s.AddReportAttachment(ctx, f.repA, f.p1.ID, may, "现场照片.png", photo))(t)
		if a.ContentType != "image/png" || a.Size != int64(len(photo)) || len(a.SHA256) != 64 {
			t.Fatalf("attachment: %+v", a)
		}
		// The same bytes again — for the same report and for another — are stored once.
		must(s.AddReportAttachment(ctx, f.repA, f.p1.ID, may, "现场照片（重传）.png", photo))(t)
		must(s.AddReportAttachment(ctx, f.repA, f.p1.ID, apr, "四月.png", photo))(t)
		if n := must(s.AttachmentCount(ctx))(t); n != 1 {
			t.Fatalf("%d stored files, want 1", n)
		}
		r := must(s.GetReport(ctx, f.repA, f.p1.ID, may))(t)
		if len(r.Attachments) != 1 || r.Attachments[0].Name != "现场照片（重传）.png" {
			t.Fatalf("report attachments: %+v", r.Attachments)
		}
		data, ct := must2(s.GetAttachment(ctx, a.SHA256))(t)
		if !bytes.Equal(data, photo) || ct != "image/png" {
			t.Fatal("bytes or type changed in storage")
		}
		links := must(s.AttachmentReports(ctx, a.SHA256))(t)
		if len(links) != 2 {
			t.Fatalf("links: %+v", links)
		}
		// The responsible unit may add evidence too.
		must(s.AddReportAttachment(ctx, f.conB, f.p1.ID, may, "培训.png", pngBytes(8)))(t)

		pdf := []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
		if a := must(s.AddReportAttachment(ctx, f.repA, f.p1.ID, may, "批复.pdf", pdf))(t); a.ContentType != "application/pdf" {
			t.Fatalf("pdf sniffed as %s", a.ContentType)
		}
		// The type comes from the bytes, not the name.
		tests := []struct {
			name string
			data []byte
			code string
		}{
			{"伪装.png", []byte("<html><script>alert(1)</script></html>"), plan.EInvalid},
			{"说明.pdf", []byte("纯文本，不是 PDF"), plan.EInvalid},
			{"程序.jpg", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00"), plan.EInvalid},
			{"空.png", nil, plan.EInvalid},
			{"大.png", append(pngBytes(9), make([]byte, 2<<20)...), plan.ETooLarge},
		}
		s.MaxAttachmentBytes = 1 << 20
		for _, tt := range tests {
			_, err := s.AddReportAttachment(ctx, f.repA, f.p1.ID, may, tt.name, tt.data)
			if plan.ErrorCode(err) != tt.code {
				t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
			}
		}
		if n := must(s.AttachmentCount(ctx))(t); n != 3 {
			t.Fatalf("%d stored files after rejects, want 3", n)
		}
		_, _, err := s.GetAttachment(ctx, "00")
		wantCode(t, err, plan.ENotFound)
	})
}

func must2[A, B any](a A, b B, err error) func(t *testing.T) (A, B) {
	return func(t *testing.T) (A, B) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return a, b
	}
}
