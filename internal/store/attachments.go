package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"minsheng/internal/plan"
)

// allowedTypes are the content types accepted as evidence: photos and PDF
// scans. The type is sniffed from the bytes, never taken from the client.
var allowedTypes = map[string]bool{
	"image/jpeg":      true,
	"image/png":       true,
	"image/gif":       true,
	"image/webp":      true,
	"image/bmp":       true,
	"application/pdf": true,
}

// SniffAttachment returns the content type of data as http.DetectContentType
// reads it, and an error unless it is an image or a PDF.
func SniffAttachment(data []byte) (string, error) {
	ct := http.DetectContentType(data)
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	if !allowedTypes[ct] {
		return ct, plan.FieldError("file", "只能上传图片（JPEG、PNG、GIF、WebP、BMP）或 PDF 文件，该文件的类型为 %s", ct)
	}
	return ct, nil
}

// AddReportAttachment stores data (once per SHA-256: the same photo
// uploaded twice, or for two reports, is kept once) and links it to the
// project's report for the period under name, creating the draft if
// needed. Linking the same bytes to the same report again only renames
// it. Needs ActionEditReport or ActionContribute.
// Errors: too_large (over MaxAttachmentBytes), invalid (empty, not an
// image or PDF), conflict (report not editable), not_found, forbidden.
func (s *Store) AddReportAttachment(ctx context.Context, actor *plan.User, projectID string, period plan.Period, name string, data []byte) (*plan.Attachment, error) {
	if int64(len(data)) > s.MaxAttachmentBytes {
		return nil, &plan.Error{Code: plan.ETooLarge, Field: "file", Message: "文件过大，单个附件不能超过 " + humanBytes(s.MaxAttachmentBytes)}
	}
	name = attachmentName(name, "附件")
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	var out *plan.Attachment
	err := s.write(ctx, actor, func(t *tx) error {
		op, err := t.reportOp(projectID, period, plan.ActionEditReport, plan.ActionContribute)
		if err != nil {
			return err
		}
		// The file is judged only for those who may attach it.
		if len(data) == 0 {
			return plan.FieldError("file", "文件为空")
		}
		ct, err := SniffAttachment(data)
		if err != nil {
			return err
		}
		if err := op.checkWritable(); err != nil {
			return err
		}
		if _, err := plan.ReportTransition(op.state(), plan.ReportAttach); err != nil {
			return err
		}
		reportID, err := op.ensureDraft()
		if err != nil {
			return err
		}
		if out, err = t.linkBlob("report_attachments", "report_id", reportID, hash, name, ct, data, actor.ID); err != nil {
			return err
		}
		_, err = op.finish(plan.ReportAttach, "")
		return err
	})
	return out, err
}

// GetAttachment returns the bytes and content type stored under a SHA-256.
// Callers check that the user may read a report it is linked to
// (AttachmentReports). Errors: not_found.
func (s *Store) GetAttachment(ctx context.Context, sha string) ([]byte, string, error) {
	var data []byte
	var ct string
	err := s.read(ctx, func(c conn) error {
		err := c.row("SELECT content, content_type FROM attachments WHERE sha256 = ?", strings.ToLower(sha)).Scan(&data, &ct)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("附件不存在")
		}
		return err
	})
	return data, ct, err
}

// AttachmentCount returns how many distinct files are stored (for tests
// and housekeeping).
func (s *Store) AttachmentCount(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM attachments").Scan(&n)
	return n, err
}

// attachmentName is an uploaded file's name as kept: trimmed, def when
// blank, at most 200 characters.
func attachmentName(name, def string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		name = def
	}
	if len([]rune(name)) > 200 {
		name = string([]rune(name)[:200])
	}
	return name
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.4g MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.4g KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d 字节", n)
}

// AttachmentReports returns the IDs of the projects and periods whose
// reports link the file, so a caller can check read access before serving
// it.
func (s *Store) AttachmentReports(ctx context.Context, sha string) ([]AttachmentLink, error) {
	var out []AttachmentLink
	err := s.read(ctx, func(c conn) error {
		rows, err := c.query(`SELECT r.project_id, r.period, ra.name FROM report_attachments ra JOIN reports r ON r.id = ra.report_id
			WHERE ra.sha256 = ? ORDER BY r.period, r.project_id`, strings.ToLower(sha))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var l AttachmentLink
			if err := rows.Scan(&l.ProjectID, &l.Period, &l.Name); err != nil {
				return err
			}
			out = append(out, l)
		}
		return rows.Err()
	})
	return out, err
}

// AttachmentLink is one report a stored file is linked to.
type AttachmentLink struct {
	ProjectID string      `json:"project_id"`
	Period    plan.Period `json:"period"`
	Name      string      `json:"name"`
}

// storeBlob keeps a file's bytes once, by SHA-256, whatever links to it.
// linkBlob stores a file once by its hash and links it (again) to its
// owner in table (report_attachments, letter_attachments,
// inspection_photos: all keyed by ownerCol and sha256).
func (t *tx) linkBlob(table, ownerCol, ownerID, hash, name, contentType string, data []byte, actorID string) (*plan.Attachment, error) {
	if err := t.storeBlob(hash, data, contentType); err != nil {
		return nil, err
	}
	if _, err := t.exec("DELETE FROM "+table+" WHERE "+ownerCol+" = ? AND sha256 = ?", ownerID, hash); err != nil {
		return nil, err
	}
	if _, err := t.exec("INSERT INTO "+table+" ("+ownerCol+", sha256, name, added_at, added_by) VALUES (?, ?, ?, ?, ?)",
		ownerID, hash, name, ts(t.now), actorID); err != nil {
		return nil, err
	}
	return &plan.Attachment{SHA256: hash, Name: name, ContentType: contentType, Size: int64(len(data)), AddedAt: t.now, AddedBy: actorID}, nil
}

func (t *tx) storeBlob(hash string, data []byte, contentType string) error {
	var n int
	if err := t.row("SELECT COUNT(*) FROM attachments WHERE sha256 = ?", hash).Scan(&n); err != nil || n > 0 {
		return err
	}
	_, err := t.exec("INSERT INTO attachments (sha256, size, content_type, content, created_at) VALUES (?, ?, ?, ?, ?)",
		hash, len(data), contentType, data, ts(t.now))
	return err
}
