package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"slices"
	"strings"

	"minsheng/internal/plan"
)

// Letters of the escalation ladder (工作提示函, 督办函): drafted by the
// status engine or the supervisor, edited and issued by the supervisor
// (a yearly serial number per jurisdiction and kind, a response deadline in
// working days), answered by the reporting unit with evidence, closed by
// the supervisor. Never deleted: a draft that should not go out is
// withdrawn. Every action is an event of the letter and a row of the audit
// log. See plan.LetterTransition for the states.

// LetterDraft is a new letter. Kind, ProjectID, Period and Title are
// required; Recipients default to the project's lead units and CC to its
// responsible units.
type LetterDraft struct {
	ProjectID    string          `json:"project_id"`
	Kind         plan.LetterKind `json:"kind"`
	Period       plan.Period     `json:"period"`
	Status       plan.Status     `json:"status"`
	Reason       string          `json:"reason"`
	Title        string          `json:"title"`
	Recipients   []string        `json:"recipients"`
	CC           []string        `json:"cc"`
	Body         string          `json:"body"`
	Issuer       string          `json:"issuer"`
	ResponseDays int             `json:"response_days"`
}

// LetterEdit is the supervisor's edit of a draft; Version is the version
// the edit started from.
type LetterEdit struct {
	Version      int      `json:"version"`
	Title        string   `json:"title"`
	Recipients   []string `json:"recipients"`
	CC           []string `json:"cc"`
	Body         string   `json:"body"`
	Issuer       string   `json:"issuer"`
	ResponseDays int      `json:"response_days"`
}

// LetterIssue is what issuing needs besides the draft: the 文号 pattern
// (plan.DocNumberFormats by default) and prefix (the jurisdiction's short
// name by default), and the calendar that counts the response deadline's
// working days from the day of issue.
type LetterIssue struct {
	Version         int           `json:"version"`
	DocNumberFormat string        `json:"doc_number_format,omitempty"`
	Prefix          string        `json:"prefix,omitempty"`
	Calendar        plan.Calendar `json:"-"`
}

// LetterFilter selects letters; zero fields select all.
type LetterFilter struct {
	JurisdictionCode string
	Year             int
	ProjectID        string
	Kind             plan.LetterKind
	State            plan.LetterState
	// Open selects letters not closed or withdrawn.
	Open bool
	// Unit selects letters addressed to the unit of that name (主送 or
	// 抄送), Overdue those whose answer is late at the store's now.
	Unit    string
	Overdue bool
}

const letterColumns = `l.id, l.jurisdiction_code, l.year, l.project_id, p.seq, p.title, l.kind, l.state, l.version, l.period, l.status, l.reason,
	l.serial, l.doc_number, l.title, l.recipients, l.cc, l.body, l.issuer, l.response_days, l.due_date, l.issued_at, l.issued_by,
	l.answer, l.answered_at, l.answered_by, l.note, l.closed_at, l.closed_by, l.created_at, l.created_by, l.updated_at, l.updated_by`

func scanLetter(r interface{ Scan(...any) error }) (*plan.Letter, error) {
	var l plan.Letter
	var recipients, cc, created, updated string
	var issued, answered, closed sql.NullString
	if err := r.Scan(&l.ID, &l.JurisdictionCode, &l.Year, &l.ProjectID, &l.ProjectSeq, &l.ProjectTitle, &l.Kind, &l.State, &l.Version,
		&l.Period, &l.Status, &l.Reason, &l.Serial, &l.DocNumber, &l.Title, &recipients, &cc, &l.Body, &l.Issuer, &l.ResponseDays,
		&l.DueDate, &issued, &l.IssuedBy, &l.Answer, &answered, &l.AnsweredBy, &l.Note, &closed, &l.ClosedBy,
		&created, &l.CreatedBy, &updated, &l.UpdatedBy); err != nil {
		return nil, err
	}
	if err := fromJSON(recipients, &l.Recipients); err != nil {
		return nil, err
	}
	if err := fromJSON(cc, &l.CC); err != nil {
		return nil, err
	}
	l.IssuedAt, l.AnsweredAt, l.ClosedAt = parseTSPtr(issued), parseTSPtr(answered), parseTSPtr(closed)
	l.CreatedAt, l.UpdatedAt = parseTS(created), parseTS(updated)
	l.Attachments = []plan.Attachment{}
	if l.Recipients == nil {
		l.Recipients = []string{}
	}
	if l.CC == nil {
		l.CC = []string{}
	}
	return &l, nil
}

func loadLetters(c conn, where string, args []any) ([]plan.Letter, error) {
	rows, err := c.query("SELECT "+letterColumns+" FROM letters l JOIN projects p ON p.id = l.project_id WHERE "+where+
		" ORDER BY l.jurisdiction_code, l.year, l.period, p.seq, l.created_at, l.id", args...)
	if err != nil {
		return nil, err
	}
	var out []plan.Letter
	index := map[string]int{}
	for rows.Next() {
		l, err := scanLetter(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		index[l.ID] = len(out)
		out = append(out, *l)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	rows, err = c.query(`SELECT la.letter_id, la.sha256, la.name, a.content_type, a.size, la.added_at, la.added_by
		FROM letter_attachments la JOIN attachments a ON a.sha256 = la.sha256
		WHERE la.letter_id IN (SELECT l.id FROM letters l JOIN projects p ON p.id = l.project_id WHERE `+where+`) ORDER BY la.letter_id, la.added_at, la.name`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var lid, added string
		var at plan.Attachment
		if err := rows.Scan(&lid, &at.SHA256, &at.Name, &at.ContentType, &at.Size, &added, &at.AddedBy); err != nil {
			return nil, err
		}
		at.AddedAt = parseTS(added)
		if i, ok := index[lid]; ok {
			out[i].Attachments = append(out[i].Attachments, at)
		}
	}
	return out, rows.Err()
}

func loadLetter(c conn, id string) (*plan.Letter, error) {
	ls, err := loadLetters(c, "l.id = ?", []any{id})
	if err != nil {
		return nil, err
	}
	if len(ls) == 0 {
		return nil, notFound("函件不存在")
	}
	return &ls[0], nil
}

// GetLetter returns a letter with its evidence. Needs read access (a
// draft: the supervisor of its jurisdiction only). Errors: not_found
// (also for a draft the actor may not see), forbidden, unauthorized.
func (s *Store) GetLetter(ctx context.Context, actor *plan.User, id string) (*plan.Letter, error) {
	var out *plan.Letter
	err := s.read(ctx, func(c conn) error {
		l, err := loadLetter(c, id)
		if err != nil {
			return err
		}
		p, err := getProject(c, l.ProjectID)
		if err != nil {
			return err
		}
		res := plan.LetterResource(p, l.State)
		if !plan.Can(actor, plan.ActionRead, res) {
			if res.Private && actor != nil {
				return notFound("函件不存在")
			}
			return plan.Authorize(actor, plan.ActionRead, res)
		}
		l.Overdue = l.OverdueAt(s.now())
		out = l
		return nil
	})
	return out, err
}

// ListLetters returns the letters f selects that actor may read, by
// jurisdiction, year, month and project.
func (s *Store) ListLetters(ctx context.Context, actor *plan.User, f LetterFilter) ([]plan.Letter, error) {
	var where []string
	var args []any
	add := func(cond string, v any) { where, args = append(where, cond), append(args, v) }
	if f.JurisdictionCode != "" {
		add("l.jurisdiction_code = ?", f.JurisdictionCode)
	}
	if f.Year != 0 {
		add("l.year = ?", f.Year)
	}
	if f.ProjectID != "" {
		add("l.project_id = ?", f.ProjectID)
	}
	if f.Kind != "" {
		add("l.kind = ?", string(f.Kind))
	}
	if f.State != "" {
		add("l.state = ?", string(f.State))
	}
	if f.Open {
		where = append(where, "l.state IN ('draft', 'issued', 'answered')")
	}
	if len(where) == 0 {
		where = append(where, "1 = 1")
	}
	out := []plan.Letter{}
	err := s.read(ctx, func(c conn) error {
		ls, err := loadLetters(c, strings.Join(where, " AND "), args)
		if err != nil {
			return err
		}
		projects := map[string]*plan.ProjectRecord{}
		for i := range ls {
			p := projects[ls[i].ProjectID]
			if p == nil {
				if p, err = getProject(c, ls[i].ProjectID); err != nil {
					return err
				}
				projects[p.ID] = p
			}
			if !plan.Can(actor, plan.ActionRead, plan.LetterResource(p, ls[i].State)) {
				continue
			}
			ls[i].Overdue = ls[i].OverdueAt(s.now())
			if f.Overdue && !ls[i].Overdue || f.Unit != "" && !slices.Contains(ls[i].Recipients, f.Unit) && !slices.Contains(ls[i].CC, f.Unit) {
				continue
			}
			out = append(out, ls[i])
		}
		return nil
	})
	return out, err
}

// LetterEvents returns what was done to a letter, oldest first. Needs read
// access to the letter.
func (s *Store) LetterEvents(ctx context.Context, actor *plan.User, id string) ([]plan.LetterEvent, error) {
	if _, err := s.GetLetter(ctx, actor, id); err != nil {
		return nil, err
	}
	var out []plan.LetterEvent
	err := s.read(ctx, func(c conn) error {
		rows, err := c.query("SELECT seq, action, state, actor_id, at, note FROM letter_events WHERE letter_id = ? ORDER BY seq", id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e plan.LetterEvent
			var at string
			if err := rows.Scan(&e.Seq, &e.Action, &e.State, &e.ActorID, &at, &e.Note); err != nil {
				return err
			}
			e.At = parseTS(at)
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

// letterOp is one write to a letter: the letter as it was, its project,
// and the checks every action shares.
type letterOp struct {
	t       *tx
	project *plan.ProjectRecord
	cur     *plan.Letter
	next    plan.LetterState
	action  plan.LetterAction
}

func (t *tx) letterOp(id string, action plan.LetterAction, need plan.Action) (*letterOp, error) {
	cur, err := loadLetter(t.conn, id)
	if err != nil {
		return nil, err
	}
	p, err := getProject(t.conn, cur.ProjectID)
	if err != nil {
		return nil, err
	}
	res := plan.LetterResource(p, cur.State)
	if !plan.Can(t.actor, need, res) {
		if !plan.Can(t.actor, plan.ActionRead, res) && res.Private {
			return nil, notFound("函件不存在")
		}
		return nil, plan.Authorize(t.actor, need, res)
	}
	next, err := plan.LetterTransition(cur.State, action)
	if err != nil {
		return nil, err
	}
	return &letterOp{t: t, project: p, cur: cur, next: next, action: action}, nil
}

// finish records the event and the audit row and returns the letter as
// it now is.
func (op *letterOp) finish(note string) (*plan.Letter, error) {
	t := op.t
	after, err := loadLetter(t.conn, op.cur.ID)
	if err != nil {
		return nil, err
	}
	after.Overdue = after.OverdueAt(t.now)
	if err := t.letterEvent(after.ID, op.action, after.State, note); err != nil {
		return nil, err
	}
	return after, t.audit("letter."+string(op.action), "letter", after.ID, letterAudit(op.cur), letterAudit(after))
}

func (t *tx) letterEvent(id string, action plan.LetterAction, state plan.LetterState, note string) error {
	_, err := t.exec(`INSERT INTO letter_events (letter_id, seq, action, state, actor_id, at, note)
		VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM letter_events WHERE letter_id = ?), ?, ?, ?, ?, ?)`,
		id, id, string(action), string(state), t.actor.ID, ts(t.now), note)
	return err
}

// letterAudit is what the audit log keeps of a letter: everything but the
// evidence bytes (attachments are listed by hash).
func letterAudit(l *plan.Letter) any {
	if l == nil {
		return nil
	}
	return l
}

func validateLetterText(title, body, issuer string, days int) error {
	var ps plan.Problems
	if strings.TrimSpace(title) == "" {
		ps = append(ps, plan.Problem{Field: "title", Message: "函件标题不能为空", Severity: plan.ProblemError})
	}
	if len([]rune(title)) > 200 {
		ps = append(ps, plan.Problem{Field: "title", Message: "函件标题不能超过 200 字", Severity: plan.ProblemError})
	}
	if len([]rune(body)) > 20000 {
		ps = append(ps, plan.Problem{Field: "body", Message: "函件正文不能超过 20000 字", Severity: plan.ProblemError})
	}
	if len([]rune(issuer)) > 100 {
		ps = append(ps, plan.Problem{Field: "issuer", Message: "落款不能超过 100 字", Severity: plan.ProblemError})
	}
	if days < 1 || days > 60 {
		ps = append(ps, plan.Problem{Field: "response_days", Message: "答复期限应为 1 到 60 个工作日", Severity: plan.ProblemError})
	}
	return ps.Err()
}

// DraftLetter stores a new draft letter about a project. Needs
// ActionIssueLetter on it (the supervisor of its jurisdiction, or the
// engine as plan.SystemUser). Errors: invalid, not_found, forbidden.
func (s *Store) DraftLetter(ctx context.Context, actor *plan.User, in LetterDraft) (*plan.Letter, error) {
	var out *plan.Letter
	err := s.write(ctx, actor, func(t *tx) error {
		p, err := getProject(t.conn, in.ProjectID)
		if err != nil {
			return err
		}
		out, err = t.draftLetter(p, in)
		return err
	})
	return out, err
}

// draftLetter stores a new draft letter about p in t (DraftLetter, and a
// visit that starts the ladder in the same transaction).
func (t *tx) draftLetter(p *plan.ProjectRecord, in LetterDraft) (*plan.Letter, error) {
	if err := plan.Authorize(t.actor, plan.ActionIssueLetter, plan.LetterResource(p, "")); err != nil {
		return nil, err
	}
	if !in.Kind.Valid() {
		return nil, plan.FieldError("kind", "函件类型应为 prompt（工作提示函）或 supervision（督办函），而不是「%s」", in.Kind)
	}
	if !in.Period.Valid() || in.Period.Year != p.Year {
		return nil, plan.FieldError("period", "月份应在项目所属的 %d 年度内", p.Year)
	}
	if in.Status != "" && !in.Status.Valid() {
		return nil, plan.FieldError("status", "状态「%s」无效", in.Status)
	}
	if p.RetiredBy != "" {
		return nil, plan.Errorf(plan.EConflict, "项目已在新版本计划中撤销，不能再发函")
	}
	if in.Recipients == nil {
		in.Recipients = p.LeadUnitNames()
		if len(in.Recipients) == 0 {
			in.Recipients = p.ResponsibleUnitNames()
			in.CC = []string{}
		}
	}
	if in.CC == nil {
		in.CC = p.ResponsibleUnitNames()
	}
	if err := validateLetterText(in.Title, in.Body, in.Issuer, in.ResponseDays); err != nil {
		return nil, err
	}
	id := t.s.id("ltr")
	if _, err := t.exec(`INSERT INTO letters (id, jurisdiction_code, year, project_id, kind, state, version, period, status, reason,
		title, recipients, cc, body, issuer, response_days, created_at, created_by, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?, 'draft', 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		id, p.JurisdictionCode, p.Year, p.ID, string(in.Kind), in.Period.String(), string(in.Status), in.Reason,
		strings.TrimSpace(in.Title), strList(in.Recipients), strList(in.CC), in.Body, in.Issuer, in.ResponseDays,
		ts(t.now), t.actor.ID, ts(t.now), t.actor.ID); err != nil {
		return nil, err
	}
	out, err := loadLetter(t.conn, id)
	if err != nil {
		return nil, err
	}
	if err := t.letterEvent(id, plan.LetterActDraft, plan.LetterDraft, ""); err != nil {
		return nil, err
	}
	return out, t.audit("letter.draft", "letter", id, nil, letterAudit(out))
}

// EditLetter replaces a draft's text. Needs ActionIssueLetter. Errors:
// invalid, conflict (stale version, not a draft), not_found, forbidden.
func (s *Store) EditLetter(ctx context.Context, actor *plan.User, id string, in LetterEdit) (*plan.Letter, error) {
	var out *plan.Letter
	err := s.write(ctx, actor, func(t *tx) error {
		op, err := t.letterOp(id, plan.LetterActEdit, plan.ActionIssueLetter)
		if err != nil {
			return err
		}
		if in.Version != op.cur.Version {
			return staleConflict()
		}
		if err := validateLetterText(in.Title, in.Body, in.Issuer, in.ResponseDays); err != nil {
			return err
		}
		if in.Recipients == nil {
			in.Recipients = op.cur.Recipients
		}
		if in.CC == nil {
			in.CC = op.cur.CC
		}
		res, err := t.exec(`UPDATE letters SET title = ?, recipients = ?, cc = ?, body = ?, issuer = ?, response_days = ?,
			version = version + 1, updated_at = ?, updated_by = ? WHERE id = ? AND version = ?`,
			strings.TrimSpace(in.Title), strList(in.Recipients), strList(in.CC), in.Body, in.Issuer, in.ResponseDays,
			ts(t.now), actor.ID, id, in.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return staleConflict()
		}
		out, err = op.finish("")
		return err
	})
	return out, err
}

// errSerialTaken: another issue took the serial number first (PostgreSQL,
// concurrent issues); IssueLetter tries again.
var errSerialTaken = errors.New("serial taken")

// IssueLetter issues a draft: it takes the next serial number of its
// jurisdiction, year and kind, makes the 文号, and sets the response
// deadline ResponseDays working days after today. Needs
// ActionIssueLetter. Errors: conflict (stale version, not a draft),
// not_found, forbidden.
func (s *Store) IssueLetter(ctx context.Context, actor *plan.User, id string, in LetterIssue) (*plan.Letter, error) {
	var out *plan.Letter
	var err error
	for range 5 {
		err = s.write(ctx, actor, func(t *tx) error {
			op, err := t.letterOp(id, plan.LetterActIssue, plan.ActionIssueLetter)
			if err != nil {
				return err
			}
			if in.Version != 0 && in.Version != op.cur.Version {
				return staleConflict()
			}
			format := in.DocNumberFormat
			if format == "" {
				format = plan.DocNumberFormats[op.cur.Kind]
			}
			prefix := in.Prefix
			if prefix == "" {
				j, err := getJurisdiction(t.conn, op.cur.JurisdictionCode)
				if err != nil {
					return err
				}
				prefix = plan.ShortName(j.Name)
			}
			var serial int
			if err := t.row("SELECT COALESCE(MAX(serial), 0) + 1 FROM letters WHERE jurisdiction_code = ? AND year = ? AND kind = ?",
				op.cur.JurisdictionCode, op.cur.Year, string(op.cur.Kind)).Scan(&serial); err != nil {
				return err
			}
			due := in.Calendar.AddWorkingDays(t.now, op.cur.ResponseDays).Format("2006-01-02")
			res, err := t.exec(`UPDATE letters SET state = 'issued', serial = ?, doc_number = ?, due_date = ?, issued_at = ?, issued_by = ?,
				version = version + 1, updated_at = ?, updated_by = ? WHERE id = ? AND state = 'draft'`,
				serial, plan.FormatDocNumber(format, prefix, op.cur.Year, serial), due, ts(t.now), actor.ID, ts(t.now), actor.ID, id)
			if err != nil {
				if plan.ErrorCode(mapError(err)) == plan.EConflict {
					return errSerialTaken
				}
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return staleConflict()
			}
			out, err = op.finish("")
			return err
		})
		if !errors.Is(err, errSerialTaken) {
			break
		}
	}
	if errors.Is(err, errSerialTaken) {
		return nil, plan.Errorf(plan.EConflict, "文号分配冲突，请重试")
	}
	return out, err
}

// WithdrawLetter withdraws a draft that should not go out (it stays, as
// 已作废). Needs ActionIssueLetter. Errors: invalid (no reason), conflict
// (not a draft), not_found, forbidden.
func (s *Store) WithdrawLetter(ctx context.Context, actor *plan.User, id, reason string) (*plan.Letter, error) {
	return s.moveLetter(ctx, actor, id, plan.LetterActWithdraw, plan.ActionIssueLetter, reason, true)
}

// RejectAnswer sends an answer back to the unit as insufficient (整改不到
// 位), with a reason; the unit answers again. Needs ActionIssueLetter.
func (s *Store) RejectAnswer(ctx context.Context, actor *plan.User, id, reason string) (*plan.Letter, error) {
	return s.moveLetter(ctx, actor, id, plan.LetterActReject, plan.ActionIssueLetter, reason, true)
}

// CloseLetter closes an issued or answered letter (办结), with an optional
// remark. Needs ActionIssueLetter.
func (s *Store) CloseLetter(ctx context.Context, actor *plan.User, id, note string) (*plan.Letter, error) {
	return s.moveLetter(ctx, actor, id, plan.LetterActClose, plan.ActionIssueLetter, note, false)
}

func (s *Store) moveLetter(ctx context.Context, actor *plan.User, id string, action plan.LetterAction, need plan.Action, note string, noteRequired bool) (*plan.Letter, error) {
	note = strings.TrimSpace(note)
	var out *plan.Letter
	err := s.write(ctx, actor, func(t *tx) error {
		op, err := t.letterOp(id, action, need)
		if err != nil {
			return err
		}
		if noteRequired && note == "" {
			return plan.FieldError("note", "请说明%s的理由", action.Label())
		}
		if len([]rune(note)) > 2000 {
			return plan.FieldError("note", "说明不能超过 2000 字")
		}
		q := `UPDATE letters SET state = ?, note = ?, version = version + 1, updated_at = ?, updated_by = ?`
		args := []any{string(op.next), note, ts(t.now), actor.ID}
		if action == plan.LetterActClose {
			q += `, closed_at = ?, closed_by = ?`
			args = append(args, ts(t.now), actor.ID)
		}
		if _, err := t.exec(q+` WHERE id = ?`, append(args, id)...); err != nil {
			return err
		}
		out, err = op.finish(note)
		return err
	})
	return out, err
}

// AnswerLetter records the reporting unit's answer (整改措施) to an issued
// letter; answering again before it is closed replaces the text. Needs
// ActionAnswerLetter. Errors: invalid (empty), conflict (not issued, or
// closed), not_found, forbidden.
func (s *Store) AnswerLetter(ctx context.Context, actor *plan.User, id, answer string) (*plan.Letter, error) {
	answer = strings.TrimSpace(answer)
	var out *plan.Letter
	err := s.write(ctx, actor, func(t *tx) error {
		op, err := t.letterOp(id, plan.LetterActAnswer, plan.ActionAnswerLetter)
		if err != nil {
			return err
		}
		if answer == "" {
			return plan.FieldError("answer", "请填写整改措施")
		}
		if len([]rune(answer)) > 20000 {
			return plan.FieldError("answer", "整改措施不能超过 20000 字")
		}
		if _, err := t.exec(`UPDATE letters SET state = 'answered', answer = ?, answered_at = ?, answered_by = ?,
			version = version + 1, updated_at = ?, updated_by = ? WHERE id = ?`,
			answer, ts(t.now), actor.ID, ts(t.now), actor.ID, id); err != nil {
			return err
		}
		out, err = op.finish("")
		return err
	})
	return out, err
}

// AddLetterAttachment stores evidence for the unit's answer (once per
// SHA-256, shared with report attachments) and links it to the letter.
// Needs ActionAnswerLetter; the letter must be issued or answered.
// Errors: too_large, invalid (empty, not an image or PDF), conflict,
// not_found, forbidden.
func (s *Store) AddLetterAttachment(ctx context.Context, actor *plan.User, id, name string, data []byte) (*plan.Attachment, error) {
	if int64(len(data)) > s.MaxAttachmentBytes {
		return nil, &plan.Error{Code: plan.ETooLarge, Field: "file", Message: "文件过大，单个附件不能超过 " + humanBytes(s.MaxAttachmentBytes)}
	}
	name = attachmentName(name, "附件")
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	var out *plan.Attachment
	err := s.write(ctx, actor, func(t *tx) error {
		op, err := t.letterOp(id, plan.LetterActAttach, plan.ActionAnswerLetter)
		if err != nil {
			return err
		}
		if len(data) == 0 {
			return plan.FieldError("file", "文件为空")
		}
		ct, err := SniffAttachment(data)
		if err != nil {
			return err
		}
		if out, err = t.linkBlob("letter_attachments", "letter_id", id, hash, name, ct, data, actor.ID); err != nil {
			return err
		}
		if _, err := t.exec("UPDATE letters SET version = version + 1, updated_at = ?, updated_by = ? WHERE id = ?", ts(t.now), actor.ID, id); err != nil {
			return err
		}
		_, err = op.finish(name)
		return err
	})
	return out, err
}

// AttachmentLetters returns the IDs of the letters whose answers link the
// file, so a caller can check read access (GetLetter) before serving it.
func (s *Store) AttachmentLetters(ctx context.Context, sha string) ([]string, error) {
	var out []string
	err := s.read(ctx, func(c conn) error {
		rows, err := c.query("SELECT letter_id FROM letter_attachments WHERE sha256 = ? ORDER BY letter_id", strings.ToLower(sha))
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
