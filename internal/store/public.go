package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"minsheng/internal/plan"
)

// What the public portal may show of the monthly cycle. Only accepted
// reports are public: drafts, submitted and returned reports never are.
// Of an accepted report its figures (actual per target, investment,
// disbursement) are public at once; of its text only 进展情况, unless the
// supervisor released more (ReleaseReport): 存在问题 and 下一步打算 are
// internal until released, and so is every photo.

// Release is the supervisor's decision about which parts of an accepted
// report go public. It holds for ReportVersion only: a report reopened and
// accepted again falls back to DefaultRelease until released anew.
type Release struct {
	ReportVersion int        `json:"report_version"`
	Progress      bool       `json:"progress"`
	Problems      bool       `json:"problems"`
	NextSteps     bool       `json:"next_steps"`
	Photos        []string   `json:"photos"` // SHA-256 of released attachments
	ReleasedAt    *time.Time `json:"released_at,omitempty"`
	ReleasedBy    string     `json:"released_by,omitempty"`
}

// DefaultRelease is what an accepted report shows before any release.
func DefaultRelease() Release { return Release{Progress: true, Photos: []string{}} }

// ReleaseInput is the body of a release.
type ReleaseInput struct {
	Progress  bool     `json:"progress"`
	Problems  bool     `json:"problems"`
	NextSteps bool     `json:"next_steps"`
	Photos    []string `json:"photos"`
}

// PublicReport is what the public sees of an accepted report: texts not
// released are empty, photos only those released.
type PublicReport struct {
	ProjectID  string              `json:"project_id"`
	Period     plan.Period         `json:"period"`
	AcceptedAt time.Time           `json:"accepted_at"`
	Targets    []plan.ReportTarget `json:"targets"`
	Investment *plan.Decimal       `json:"investment_wan"`
	Disbursed  *plan.Decimal       `json:"disbursed_wan"`
	Progress   string              `json:"progress,omitempty"`
	Problems   string              `json:"problems,omitempty"`
	NextSteps  string              `json:"next_steps,omitempty"`
	Photos     []PublicPhoto       `json:"photos"`
}

// PublicPhoto is a released photo.
type PublicPhoto struct {
	SHA256 string `json:"sha256"`
	Name   string `json:"name"`
}

// Actual returns the reported value of a target, or nil.
func (r *PublicReport) Actual(targetID string) *plan.Decimal {
	for _, t := range r.Targets {
		if t.TargetID == targetID {
			return t.Actual
		}
	}
	return nil
}

// PublicReports returns the accepted reports of the projects in force of
// a jurisdiction's year (projectID "" for all, else that project's), by
// project and month, with each one's release applied.
func (s *Store) PublicReports(ctx context.Context, jurisdictionCode string, year int, projectID string) ([]PublicReport, error) {
	where := "p.jurisdiction_code = ? AND p.year = ? AND p.retired_by = '' AND r.state = 'accepted'"
	args := []any{jurisdictionCode, year}
	if projectID != "" {
		where += " AND p.id = ?"
		args = append(args, projectID)
	}
	var out []PublicReport
	err := s.read(ctx, func(c conn) error {
		// Of the parts, the public sees the figures and the photos only.
		reps, err := loadReportsWith(c, where, args, "", partTargets|partAttachments)
		if err != nil {
			return err
		}
		rels, err := loadReleases(c, "SELECT r.id FROM reports r JOIN projects p ON p.id = r.project_id WHERE "+where, args)
		if err != nil {
			return err
		}
		for i := range reps {
			out = append(out, publicView(&reps[i].Report, rels[reps[i].ID]))
		}
		return nil
	})
	return out, err
}

// publicView applies a release (nil: none) to an accepted report.
func publicView(r *plan.Report, rel *Release) PublicReport {
	if rel == nil || rel.ReportVersion != r.Version {
		d := DefaultRelease()
		rel = &d
	}
	pr := PublicReport{ProjectID: r.ProjectID, Period: r.Period, Targets: r.Targets,
		Investment: r.Investment, Disbursed: r.Disbursed, Photos: []PublicPhoto{}}
	if r.AcceptedAt != nil {
		pr.AcceptedAt = *r.AcceptedAt
	}
	if rel.Progress {
		pr.Progress = r.Progress
	}
	if rel.Problems {
		pr.Problems = r.Problems
	}
	if rel.NextSteps {
		pr.NextSteps = r.NextSteps
	}
	for _, a := range r.Attachments {
		if slices.Contains(rel.Photos, a.SHA256) {
			pr.Photos = append(pr.Photos, PublicPhoto{SHA256: a.SHA256, Name: a.Name})
		}
	}
	return pr
}

// loadReleases reads the releases of the reports whose IDs the query ids
// selects, by report ID.
func loadReleases(c conn, ids string, args []any) (map[string]*Release, error) {
	rows, err := c.query(`SELECT report_id, report_version, progress, problems, next_steps, released_at, released_by
		FROM report_releases WHERE report_id IN (`+ids+`)`, args...)
	if err != nil {
		return nil, err
	}
	out := map[string]*Release{}
	for rows.Next() {
		var id, at string
		var rel Release
		var prog, prob, next int
		if err := rows.Scan(&id, &rel.ReportVersion, &prog, &prob, &next, &at, &rel.ReleasedBy); err != nil {
			rows.Close()
			return nil, err
		}
		rel.Progress, rel.Problems, rel.NextSteps = prog == 1, prob == 1, next == 1
		t := parseTS(at)
		rel.ReleasedAt, rel.Photos = &t, []string{}
		out[id] = &rel
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	rows, err = c.query(`SELECT report_id, sha256 FROM report_public_photos WHERE report_id IN (`+ids+`) ORDER BY report_id, sha256`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, sha string
		if err := rows.Scan(&id, &sha); err != nil {
			return nil, err
		}
		if rel := out[id]; rel != nil {
			rel.Photos = append(rel.Photos, sha)
		}
	}
	return out, rows.Err()
}

// GetRelease returns the release in force for a project's accepted report
// (DefaultRelease when none, or when it was for an earlier version), with
// the report. Needs ActionReviewReport. Errors: not_found, conflict (the
// report is not accepted), forbidden.
func (s *Store) GetRelease(ctx context.Context, actor *plan.User, projectID string, period plan.Period) (*Release, *plan.Report, error) {
	var rel *Release
	var rep *plan.Report
	err := s.read(ctx, func(c conn) error {
		t := &tx{conn: c, s: s, now: s.now(), actor: actor}
		op, err := t.acceptedOp(projectID, period)
		if err != nil {
			return err
		}
		rep = &op.cur.Report
		rel, err = t.releaseOf(rep)
		return err
	})
	return rel, rep, err
}

// acceptedOp opens a project's report for the supervisor's release: it
// must exist and be accepted.
func (t *tx) acceptedOp(projectID string, period plan.Period) (*reportOp, error) {
	op, err := t.reportOp(projectID, period, plan.ActionReviewReport)
	if err != nil {
		return nil, err
	}
	if op.cur == nil {
		return nil, notFound("%s的报告尚未填报", period.Label())
	}
	if op.cur.State != plan.ReportAccepted {
		return nil, plan.Errorf(plan.EConflict, "%s的报告尚未审核确认（当前：%s），只有已确认的报告可以公开", period.Label(), op.cur.State.Label())
	}
	return op, nil
}

func (t *tx) releaseOf(r *plan.Report) (*Release, error) {
	rels, err := loadReleases(t.conn, "?", []any{r.ID})
	if err != nil {
		return nil, err
	}
	if rel := rels[r.ID]; rel != nil && rel.ReportVersion == r.Version {
		return rel, nil
	}
	d := DefaultRelease()
	d.ReportVersion = r.Version
	return &d, nil
}

// ReleaseReport records which parts of a project's accepted report go
// public (the 公开 step), replacing an earlier release. Photos must be
// image attachments of the report. Needs ActionReviewReport; audited with
// the release before and after. Errors: invalid (a photo that is not an
// image of the report), conflict (not accepted), not_found, forbidden.
func (s *Store) ReleaseReport(ctx context.Context, actor *plan.User, projectID string, period plan.Period, in ReleaseInput) (*Release, error) {
	var out *Release
	err := s.write(ctx, actor, func(t *tx) error {
		op, err := t.acceptedOp(projectID, period)
		if err != nil {
			return err
		}
		rep := &op.cur.Report
		before, err := t.releaseOf(rep)
		if err != nil {
			return err
		}
		photos := []string{}
		for _, sha := range in.Photos {
			sha = strings.ToLower(strings.TrimSpace(sha))
			i := slices.IndexFunc(rep.Attachments, func(a plan.Attachment) bool { return a.SHA256 == sha })
			if i < 0 {
				return plan.FieldError("photos", "照片 %s 不是%s报告的附件", sha, period.Label())
			}
			if !strings.HasPrefix(rep.Attachments[i].ContentType, "image/") {
				return plan.FieldError("photos", "附件「%s」不是照片，不能作为照片公开", rep.Attachments[i].Name)
			}
			if !slices.Contains(photos, sha) {
				photos = append(photos, sha)
			}
		}
		slices.Sort(photos)
		for _, q := range []string{"DELETE FROM report_public_photos WHERE report_id = ?", "DELETE FROM report_releases WHERE report_id = ?"} {
			if _, err := t.exec(q, rep.ID); err != nil {
				return err
			}
		}
		if _, err := t.exec(`INSERT INTO report_releases (report_id, report_version, progress, problems, next_steps, released_at, released_by)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, rep.ID, rep.Version, boolInt(in.Progress), boolInt(in.Problems), boolInt(in.NextSteps), ts(t.now), t.actor.ID); err != nil {
			return err
		}
		for _, sha := range photos {
			if _, err := t.exec("INSERT INTO report_public_photos (report_id, sha256) VALUES (?, ?)", rep.ID, sha); err != nil {
				return err
			}
		}
		now := t.now
		out = &Release{ReportVersion: rep.Version, Progress: in.Progress, Problems: in.Problems, NextSteps: in.NextSteps,
			Photos: photos, ReleasedAt: &now, ReleasedBy: t.actor.ID}
		return t.auditIn(ScopeOf(op.project.JurisdictionCode, op.project.Year), "release", "report", rep.ID, before, out)
	})
	return out, err
}

// PublicPhoto returns a photo's bytes and content type if a release in
// force made it public: released for the version of an accepted report.
// Errors: not_found (also for a file that exists but is not public).
func (s *Store) PublicPhoto(ctx context.Context, sha string) ([]byte, string, error) {
	var data []byte
	var ct string
	err := s.read(ctx, func(c conn) error {
		err := c.row(`SELECT a.content, a.content_type FROM attachments a WHERE a.sha256 = ? AND EXISTS (
			SELECT 1 FROM report_public_photos pp
			JOIN report_releases rl ON rl.report_id = pp.report_id
			JOIN reports r ON r.id = rl.report_id AND r.state = 'accepted' AND r.version = rl.report_version
			JOIN report_attachments ra ON ra.report_id = r.id AND ra.sha256 = pp.sha256
			WHERE pp.sha256 = a.sha256)`, strings.ToLower(sha)).Scan(&data, &ct)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("照片不存在或未公开")
		}
		return err
	})
	return data, ct, err
}
