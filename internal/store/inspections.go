package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"strings"

	"minsheng/internal/plan"
)

// On-site inspections (实地督查): the supervisor records a visit to a
// project with what was found against the figures last reported, and its
// photos. A discrepant visit marks the reports it checked (核查不符, read
// from inspection_findings.short) and may draft a letter of the ladder in
// the same transaction. Visits are never deleted.

// InspectionFilter selects visits; zero fields select all. From and To
// bound the visit date (2024-10-01 … 2024-10-31), inclusive.
type InspectionFilter struct {
	ProjectID        string
	JurisdictionCode string
	From, To         string
}

// LetterFor is what the ladder answers for a discrepant visit: the draft
// of the letter to start, or nil for none. It sees the visit as recorded,
// the project and the project's letters of the year.
type LetterFor func(in *plan.Inspection, p *plan.ProjectRecord, letters []plan.Letter) *LetterDraft

// CreateInspection records a visit to a project. Each finding is set
// beside the figure last reported for its target (the latest submitted or
// accepted report up to the visit's month) and judged against tolerance
// (plan.JudgeFinding). When the visit is discrepant and in.Escalate is
// set, letter is asked for a draft, which is stored in the same
// transaction and linked to the visit. Needs ActionInspect (the
// supervisor of the project's jurisdiction). Errors: invalid, conflict
// (project retired), not_found, forbidden.
func (s *Store) CreateInspection(ctx context.Context, actor *plan.User, projectID string, in plan.InspectionInput, tolerance float64, letter LetterFor) (*plan.Inspection, error) {
	var out *plan.Inspection
	err := s.write(ctx, actor, func(t *tx) error {
		p, err := getProject(t.conn, projectID)
		if err != nil {
			return err
		}
		if err := plan.Authorize(actor, plan.ActionInspect, plan.InspectionResource(p)); err != nil {
			return err
		}
		if p.RetiredBy != "" {
			return plan.Errorf(plan.EConflict, "项目已在新版本计划中撤销，不能再登记督查")
		}
		targets := p.ActiveTargets()
		if err := in.Validate(targets, p.Year, t.now); err != nil {
			return err
		}
		byID := map[string]*plan.TargetRecord{}
		for i := range targets {
			byID[targets[i].ID] = &targets[i]
		}
		v := &plan.Inspection{ID: s.id("insp"), ProjectID: p.ID, ProjectSeq: p.Seq, ProjectTitle: p.Title,
			JurisdictionCode: p.JurisdictionCode, Year: p.Year, Date: strings.TrimSpace(in.Date), Inspectors: in.Inspectors,
			Place: in.Place, Narrative: strings.TrimSpace(in.Narrative), Photos: []plan.Attachment{}, CreatedAt: t.now, CreatedBy: actor.ID}
		month := v.Date[:7]
		for _, f := range in.Findings {
			tg := byID[f.TargetID]
			fd := plan.InspectionFinding{TargetID: tg.ID, Metric: tg.Metric, Unit: tg.Unit, Found: *f.Found, Note: strings.TrimSpace(f.Note)}
			if fd.Period, fd.Reported, err = lastReported(t.conn, p.ID, tg.ID, month); err != nil {
				return err
			}
			plan.JudgeFinding(&fd, tg.Comparator, tolerance)
			v.Discrepant = v.Discrepant || fd.Short
			v.Findings = append(v.Findings, fd)
		}
		if v.Findings == nil {
			v.Findings = []plan.InspectionFinding{}
		}
		if v.Discrepant && in.Escalate && letter != nil {
			letters, err := loadLetters(t.conn, "l.project_id = ? AND l.year = ?", []any{p.ID, p.Year})
			if err != nil {
				return err
			}
			if d := letter(v, p, letters); d != nil {
				l, err := t.draftLetter(p, *d)
				if err != nil {
					return err
				}
				v.LetterID = l.ID
			}
		}
		if _, err := t.exec(`INSERT INTO inspections (id, project_id, jurisdiction_code, year, visit_date, inspectors, place, narrative,
			discrepant, letter_id, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			v.ID, v.ProjectID, v.JurisdictionCode, v.Year, v.Date, strList(v.Inspectors), v.Place, v.Narrative,
			boolInt(v.Discrepant), v.LetterID, ts(t.now), actor.ID); err != nil {
			return err
		}
		for i, f := range v.Findings {
			per := ""
			if f.Period.Valid() {
				per = f.Period.String()
			}
			if _, err := t.exec(`INSERT INTO inspection_findings (inspection_id, seq, target_id, period, reported, found, note, short)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, v.ID, i+1, f.TargetID, per, decPtr(f.Reported), f.Found.String(), f.Note, boolInt(f.Short)); err != nil {
				return err
			}
		}
		out = v
		return t.audit("inspection.create", "inspection", v.ID, nil, v)
	})
	return out, err
}

// lastReported is the figure last reported for a target through a month
// ("2024-06"): its value in the latest submitted or accepted report with
// one. A draft or a returned report is not reported. Zero values when
// there is none.
func lastReported(c conn, projectID, targetID, month string) (plan.Period, *plan.Decimal, error) {
	var per string
	var v sql.NullString
	err := c.row(`SELECT r.period, rt.actual FROM reports r JOIN report_targets rt ON rt.report_id = r.id
		WHERE r.project_id = ? AND rt.target_id = ? AND r.state IN ('submitted', 'accepted') AND r.period <= ? AND rt.actual IS NOT NULL
		ORDER BY r.period DESC LIMIT 1`, projectID, targetID, month).Scan(&per, &v)
	if errors.Is(err, sql.ErrNoRows) {
		return plan.Period{}, nil, nil
	}
	if err != nil {
		return plan.Period{}, nil, err
	}
	p, err := plan.ParsePeriod(per)
	if err != nil {
		return plan.Period{}, nil, err
	}
	d, err := scanDec(v)
	return p, d, err
}

// ReportedFigure is a target's figure last reported.
type ReportedFigure struct {
	Period plan.Period
	Value  *plan.Decimal
}

// LastReported returns, per target ID of the project, the figure last
// reported through month ("2024-06"), for the visit form to show beside
// each input. Callers check that the user may record visits.
func (s *Store) LastReported(ctx context.Context, projectID, month string) (map[string]ReportedFigure, error) {
	out := map[string]ReportedFigure{}
	err := s.read(ctx, func(c conn) error {
		p, err := getProject(c, projectID)
		if err != nil {
			return err
		}
		for _, t := range p.ActiveTargets() {
			per, v, err := lastReported(c, p.ID, t.ID, month)
			if err != nil {
				return err
			}
			if v != nil {
				out[t.ID] = ReportedFigure{Period: per, Value: v}
			}
		}
		return nil
	})
	return out, err
}

// AddInspectionPhoto stores a photo (or PDF scan) of a visit, once per
// SHA-256, under the same rules as report evidence. Needs ActionInspect.
// Errors: too_large, invalid, not_found, forbidden.
func (s *Store) AddInspectionPhoto(ctx context.Context, actor *plan.User, inspectionID, name string, data []byte) (*plan.Attachment, error) {
	if int64(len(data)) > s.MaxAttachmentBytes {
		return nil, &plan.Error{Code: plan.ETooLarge, Field: "file", Message: "文件过大，单个附件不能超过 " + humanBytes(s.MaxAttachmentBytes)}
	}
	name = attachmentName(name, "现场照片")
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	var out *plan.Attachment
	err := s.write(ctx, actor, func(t *tx) error {
		var projectID string
		err := t.row("SELECT project_id FROM inspections WHERE id = ?", inspectionID).Scan(&projectID)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("督查记录不存在")
		}
		if err != nil {
			return err
		}
		p, err := getProject(t.conn, projectID)
		if err != nil {
			return err
		}
		if err := plan.Authorize(actor, plan.ActionInspect, plan.InspectionResource(p)); err != nil {
			return err
		}
		if len(data) == 0 {
			return plan.FieldError("file", "文件为空")
		}
		ct, err := SniffAttachment(data)
		if err != nil {
			return err
		}
		if out, err = t.linkBlob("inspection_photos", "inspection_id", inspectionID, hash, name, ct, data, actor.ID); err != nil {
			return err
		}
		return t.audit("inspection.photo", "inspection", inspectionID, nil, out)
	})
	return out, err
}

// GetInspection returns one visit to those who may read it. Errors:
// not_found (also for a visit the user may not read), forbidden for an
// anonymous user.
func (s *Store) GetInspection(ctx context.Context, actor *plan.User, id string) (*plan.Inspection, error) {
	var out *plan.Inspection
	err := s.read(ctx, func(c conn) error {
		vs, err := loadInspections(c, "i.id = ?", id)
		if err != nil {
			return err
		}
		if len(vs) == 0 {
			return notFound("督查记录不存在")
		}
		p, err := getProject(c, vs[0].ProjectID)
		if err != nil {
			return err
		}
		if !plan.Can(actor, plan.ActionRead, plan.InspectionResource(p)) {
			return notFound("督查记录不存在")
		}
		out = &vs[0]
		return nil
	})
	return out, err
}

// ListInspections returns the visits the actor may read, oldest first.
// A filter by project answers forbidden when the actor may not read the
// project's visits; otherwise unreadable visits are left out.
func (s *Store) ListInspections(ctx context.Context, actor *plan.User, f InspectionFilter) ([]plan.Inspection, error) {
	var out []plan.Inspection
	err := s.read(ctx, func(c conn) error {
		where, args := []string{"1 = 1"}, []any{}
		if f.ProjectID != "" {
			p, err := getProject(c, f.ProjectID)
			if err != nil {
				return err
			}
			if err := plan.Authorize(actor, plan.ActionRead, plan.InspectionResource(p)); err != nil {
				return err
			}
			where, args = append(where, "i.project_id = ?"), append(args, f.ProjectID)
		}
		if f.JurisdictionCode != "" {
			where, args = append(where, "i.jurisdiction_code = ?"), append(args, f.JurisdictionCode)
		}
		if f.From != "" {
			where, args = append(where, "i.visit_date >= ?"), append(args, f.From)
		}
		if f.To != "" {
			where, args = append(where, "i.visit_date <= ?"), append(args, f.To)
		}
		vs, err := loadInspections(c, strings.Join(where, " AND "), args...)
		if err != nil {
			return err
		}
		projects := map[string]*plan.ProjectRecord{}
		for _, v := range vs {
			p := projects[v.ProjectID]
			if p == nil {
				if p, err = getProject(c, v.ProjectID); err != nil {
					return err
				}
				projects[v.ProjectID] = p
			}
			if plan.Can(actor, plan.ActionRead, plan.InspectionResource(p)) {
				out = append(out, v)
			}
		}
		return nil
	})
	return out, err
}

func loadInspections(c conn, where string, args ...any) ([]plan.Inspection, error) {
	rows, err := c.query(`SELECT i.id, i.project_id, p.seq, p.title, i.jurisdiction_code, i.year, i.visit_date, i.inspectors, i.place,
		i.narrative, i.discrepant, i.letter_id, i.created_at, i.created_by
		FROM inspections i JOIN projects p ON p.id = i.project_id WHERE `+where+` ORDER BY i.visit_date, i.created_at, p.seq, i.id`, args...)
	if err != nil {
		return nil, err
	}
	var out []plan.Inspection
	index := map[string]int{}
	for rows.Next() {
		var v plan.Inspection
		var inspectors, created string
		var discrepant int
		if err := rows.Scan(&v.ID, &v.ProjectID, &v.ProjectSeq, &v.ProjectTitle, &v.JurisdictionCode, &v.Year, &v.Date, &inspectors,
			&v.Place, &v.Narrative, &discrepant, &v.LetterID, &created, &v.CreatedBy); err != nil {
			rows.Close()
			return nil, err
		}
		if err := fromJSON(inspectors, &v.Inspectors); err != nil {
			rows.Close()
			return nil, err
		}
		v.Discrepant, v.CreatedAt = discrepant == 1, parseTS(created)
		v.Findings, v.Photos = []plan.InspectionFinding{}, []plan.Attachment{}
		index[v.ID] = len(out)
		out = append(out, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	// Findings and photos of the visits read, in one query each.
	ids := make([]any, 0, len(out))
	for _, v := range out {
		ids = append(ids, v.ID)
	}
	in := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ")"
	frows, err := c.query(`SELECT f.inspection_id, f.target_id, t.metric, t.unit, f.period, f.reported, f.found, f.note, f.short
		FROM inspection_findings f JOIN targets t ON t.id = f.target_id WHERE f.inspection_id IN `+in+` ORDER BY f.inspection_id, f.seq`, ids...)
	if err != nil {
		return nil, err
	}
	for frows.Next() {
		var id, per, found string
		var reported sql.NullString
		var short int
		var f plan.InspectionFinding
		if err := frows.Scan(&id, &f.TargetID, &f.Metric, &f.Unit, &per, &reported, &found, &f.Note, &short); err != nil {
			frows.Close()
			return nil, err
		}
		if per != "" {
			if f.Period, err = plan.ParsePeriod(per); err != nil {
				frows.Close()
				return nil, err
			}
		}
		if f.Reported, err = scanDec(reported); err != nil {
			frows.Close()
			return nil, err
		}
		if f.Found, err = plan.ParseDecimal(found); err != nil {
			frows.Close()
			return nil, err
		}
		if f.Short = short == 1; f.Short && f.Reported != nil {
			d := f.Reported.Sub(f.Found)
			if d.IsNegative() {
				d = f.Found.Sub(*f.Reported)
			}
			f.Shortfall = &d
		}
		v := &out[index[id]]
		v.Findings = append(v.Findings, f)
	}
	frows.Close()
	if err := frows.Err(); err != nil {
		return nil, err
	}
	prows, err := c.query(`SELECT ip.inspection_id, ip.sha256, ip.name, a.content_type, a.size, ip.added_at, ip.added_by
		FROM inspection_photos ip JOIN attachments a ON a.sha256 = ip.sha256 WHERE ip.inspection_id IN `+in+` ORDER BY ip.inspection_id, ip.added_at, ip.name`, ids...)
	if err != nil {
		return nil, err
	}
	defer prows.Close()
	for prows.Next() {
		var id, added string
		var a plan.Attachment
		if err := prows.Scan(&id, &a.SHA256, &a.Name, &a.ContentType, &a.Size, &added, &a.AddedBy); err != nil {
			return nil, err
		}
		a.AddedAt = parseTS(added)
		v := &out[index[id]]
		v.Photos = append(v.Photos, a)
	}
	return out, prows.Err()
}

// AttachmentInspections returns the IDs of the visits a stored file is a
// photo of, so a caller can check read access before serving it.
func (s *Store) AttachmentInspections(ctx context.Context, sha string) ([]string, error) {
	var out []string
	err := s.read(ctx, func(c conn) error {
		rows, err := c.query("SELECT inspection_id FROM inspection_photos WHERE sha256 = ? ORDER BY inspection_id", strings.ToLower(sha))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			out = append(out, id)
		}
		return rows.Err()
	})
	return out, err
}
