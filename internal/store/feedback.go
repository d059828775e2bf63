package store

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emmansun/gmsm/sm3"

	"minsheng/internal/plan"
	"minsheng/internal/sealed"
)

// Residents' feedback: comments on a published project, moderated by the
// supervisor before they show; a satisfaction vote (plan.Rating, counted
// as a plan.Evaluation like the deputies' year-end one) per project and voter;
// and the codes that verify a phone number when votes need one.
//
// Residents have no account. Their writes are audited as the actor
// "resident"; the audit rows carry no personal data (a phone number is in
// the database only sealed, see internal/sealed, and as a keyed index).

// residentActor is who the audit log names for a resident's write.
var residentActor = &plan.User{ID: "resident", Username: "resident"}

// Purposes of sealed values and indexes.
const (
	sealCommentName  = "comment.name"
	sealCommentPhone = "comment.phone"
	sealVotePhone    = "vote.phone"
	indexPhone       = "phone"
)

// Limits of a resident's input.
const (
	MaxCommentRunes   = 500
	MaxNameRunes      = 20
	PhoneCodeTTL      = 10 * time.Minute
	PhoneCodeInterval = time.Minute
	MaxCodeAttempts   = 5
)

// CommentState is where a comment stands in moderation.
type CommentState string

// Comment states.
const (
	CommentPending  CommentState = "pending"
	CommentApproved CommentState = "approved"
	CommentRejected CommentState = "rejected"
)

// Label is the state's Chinese name.
func (s CommentState) Label() string {
	switch s {
	case CommentPending:
		return "待审核"
	case CommentApproved:
		return "已通过"
	case CommentRejected:
		return "未通过"
	}
	return string(s)
}

// Comment is a resident's comment. Name and Phone are masked (张*,
// 138****1234) whatever the reader: nobody reads them in clear through
// the application.
type Comment struct {
	ID           string       `json:"id"`
	ProjectID    string       `json:"project_id"`
	ProjectTitle string       `json:"project_title,omitempty"`
	Body         string       `json:"body"`
	Name         string       `json:"name,omitempty"`
	Phone        string       `json:"phone,omitempty"`
	State        CommentState `json:"state"`
	Reason       string       `json:"reason,omitempty"`
	CreatedAt    time.Time    `json:"created_at"`
	ModeratedAt  *time.Time   `json:"moderated_at,omitempty"`
}

// CommentInput is what a resident writes.
type CommentInput struct {
	Body  string `json:"body"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// NormalizePhone returns a mainland mobile number as 11 digits, accepting
// spaces, hyphens and a +86 prefix. Errors: invalid, naming field.
func NormalizePhone(field, phone string) (string, error) {
	p := strings.NewReplacer(" ", "", "-", "", "　", "").Replace(strings.TrimSpace(phone))
	p = strings.TrimPrefix(strings.TrimPrefix(p, "+86"), "0086")
	ok := len(p) == 11 && p[0] == '1' && p[1] >= '3' && p[1] <= '9'
	for i := 0; ok && i < len(p); i++ {
		ok = p[i] >= '0' && p[i] <= '9'
	}
	if !ok {
		return "", plan.FieldError(field, "手机号码「%s」格式不对，应为 11 位手机号", phone)
	}
	return p, nil
}

func problem(field, msg string) plan.Problem {
	return plan.Problem{Field: field, Message: msg, Severity: plan.ProblemError}
}

// publishedProject returns a project residents may give feedback on: in
// force under a published plan.
func publishedProject(c conn, projectID string) (*plan.ProjectRecord, error) {
	p, err := getProject(c, projectID)
	if err != nil {
		return nil, err
	}
	if p.RetiredBy != "" {
		return nil, plan.Errorf(plan.EConflict, "项目「%s」已撤销，不再接受意见和评价", p.Title)
	}
	return p, nil
}

// AddComment puts a resident's comment on a project into the moderation
// queue. Name and phone are optional and stored sealed; without a key
// (Sealer nil) they are refused. Errors: invalid (naming the field),
// not_found, conflict (project retired).
func (s *Store) AddComment(ctx context.Context, projectID string, in CommentInput) (*Comment, error) {
	body := strings.TrimSpace(in.Body)
	name := strings.TrimSpace(in.Name)
	var ps plan.Problems
	switch n := utf8.RuneCountInString(body); {
	case n == 0:
		ps = append(ps, problem("body", "请填写意见内容"))
	case n > MaxCommentRunes:
		ps = append(ps, problem("body", fmt.Sprintf("意见内容不能超过 %d 字（现有 %d 字）", MaxCommentRunes, n)))
	}
	if utf8.RuneCountInString(name) > MaxNameRunes {
		ps = append(ps, problem("name", fmt.Sprintf("称呼不能超过 %d 字", MaxNameRunes)))
	}
	phone := ""
	if strings.TrimSpace(in.Phone) != "" {
		var err error
		if phone, err = NormalizePhone("phone", in.Phone); err != nil {
			ps = append(ps, problem("phone", plan.ErrorMessage(err)))
		}
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	if (name != "" || phone != "") && s.Sealer == nil {
		return nil, plan.FieldError("phone", "本平台未配置个人信息加密密钥，暂不收集称呼和手机号，请留空后提交")
	}
	c := &Comment{ID: s.id("cmt"), ProjectID: projectID, Body: body, State: CommentPending,
		Name: sealed.MaskName(name), Phone: sealed.MaskPhone(phone)}
	err := s.write(ctx, residentActor, func(t *tx) error {
		if _, err := publishedProject(t.conn, projectID); err != nil {
			return err
		}
		c.CreatedAt = t.now
		var nameSealed, phoneSealed string
		if s.Sealer != nil {
			nameSealed, phoneSealed = s.Sealer.Seal(sealCommentName, name), s.Sealer.Seal(sealCommentPhone, phone)
		}
		if _, err := t.exec(`INSERT INTO resident_comments (id, project_id, body, name_sealed, phone_sealed, state, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, c.ID, projectID, body, nameSealed, phoneSealed, c.State, ts(t.now)); err != nil {
			return err
		}
		// Pending until moderated, and a pending comment is shown nowhere
		// public: no page changes until ModerateComment.
		return t.auditIn(NoPublicPage, "comment", "resident_comment", c.ID, nil, map[string]any{
			"project_id": projectID, "body": body, "state": c.State, "name_given": name != "", "phone_given": phone != ""})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

const commentColumns = `c.id, c.project_id, p.title, c.body, c.name_sealed, c.phone_sealed, c.state, c.reason, c.created_at, c.moderated_at`

func (s *Store) scanComment(r interface{ Scan(...any) error }) (Comment, error) {
	var c Comment
	var nameSealed, phoneSealed, created string
	var moderated sql.NullString
	if err := r.Scan(&c.ID, &c.ProjectID, &c.ProjectTitle, &c.Body, &nameSealed, &phoneSealed, &c.State, &c.Reason, &created, &moderated); err != nil {
		return c, err
	}
	c.CreatedAt, c.ModeratedAt = parseTS(created), parseTSPtr(moderated)
	c.Name, c.Phone = s.openMasked(sealCommentName, nameSealed, sealed.MaskName), s.openMasked(sealCommentPhone, phoneSealed, sealed.MaskPhone)
	return c, nil
}

// openMasked opens a sealed value only to mask it; a value that does not
// open (another key) shows as such rather than failing the page.
func (s *Store) openMasked(purpose, v string, mask func(string) string) string {
	if v == "" {
		return ""
	}
	if s.Sealer == nil {
		return "（已加密）"
	}
	plain, err := s.Sealer.Open(purpose, v)
	if err != nil {
		return "（无法解密）"
	}
	return mask(plain)
}

func (s *Store) loadComments(c conn, where string, args ...any) ([]Comment, error) {
	rows, err := c.query(`SELECT `+commentColumns+` FROM resident_comments c JOIN projects p ON p.id = c.project_id
		WHERE `+where+` ORDER BY c.created_at, c.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Comment
	for rows.Next() {
		cm, err := s.scanComment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, cm)
	}
	return out, rows.Err()
}

// ApprovedComments returns the approved comments of a project, oldest
// first, for the public page: body, masked name and date only.
func (s *Store) ApprovedComments(ctx context.Context, projectID string) ([]Comment, error) {
	var out []Comment
	err := s.read(ctx, func(c conn) error {
		var err error
		out, err = s.loadComments(c, "c.project_id = ? AND c.state = 'approved'", projectID)
		return err
	})
	for i := range out {
		out[i].Phone, out[i].ProjectTitle = "", ""
	}
	return out, err
}

// CommentQueue returns the comments of a jurisdiction's projects in a
// state (pending: the moderation queue), with masked name and phone, for
// a user who may moderate them (ActionReviewReport, as for reports).
// Errors: forbidden, unauthorized.
func (s *Store) CommentQueue(ctx context.Context, actor *plan.User, jurisdictionCode string, state CommentState) ([]Comment, error) {
	res := plan.Resource{Kind: plan.ResourceReport, JurisdictionCode: jurisdictionCode}
	if err := plan.Authorize(actor, plan.ActionReviewReport, res); err != nil {
		return nil, err
	}
	var out []Comment
	err := s.read(ctx, func(c conn) error {
		var err error
		out, err = s.loadComments(c, "p.jurisdiction_code = ? AND c.state = ?", jurisdictionCode, state)
		return err
	})
	return out, err
}

// ModerateComment approves or rejects a pending comment of a project the
// actor may review; a rejection needs a reason (kept, not shown
// publicly). Approving an approved comment again changes nothing.
// Errors: invalid (reason), conflict (already moderated otherwise),
// not_found, forbidden.
func (s *Store) ModerateComment(ctx context.Context, actor *plan.User, id string, approve bool, reason string) (*Comment, error) {
	reason = strings.TrimSpace(reason)
	to := CommentApproved
	if !approve {
		to = CommentRejected
		if reason == "" {
			return nil, plan.FieldError("reason", "不予通过时请填写理由")
		}
	}
	var out Comment
	err := s.write(ctx, actor, func(t *tx) error {
		cur, err := s.loadComments(t.conn, "c.id = ?", id)
		if err != nil {
			return err
		}
		if len(cur) == 0 {
			return notFound("意见不存在")
		}
		p, err := getProject(t.conn, cur[0].ProjectID)
		if err != nil {
			return err
		}
		if err := plan.Authorize(t.actor, plan.ActionReviewReport, plan.ReportResource(p, plan.ReportAccepted)); err != nil {
			return err
		}
		out = cur[0]
		if out.State == to {
			return nil
		}
		if out.State != CommentPending {
			return plan.Errorf(plan.EConflict, "该意见已审核（%s），不能再改", out.State.Label())
		}
		if _, err := t.exec("UPDATE resident_comments SET state = ?, reason = ?, moderated_at = ?, moderated_by = ? WHERE id = ? AND state = 'pending'",
			to, reason, ts(t.now), t.actor.ID, id); err != nil {
			return err
		}
		now := t.now
		out.State, out.Reason, out.ModeratedAt = to, reason, &now
		return t.auditIn(ScopeOf(p.JurisdictionCode, p.Year), "moderate", "resident_comment", id, map[string]any{"state": CommentPending}, map[string]any{"state": to, "reason": reason})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// VoteInput is a resident's vote. Device is the verified device token's
// ID (the web layer checks its signature); Phone and Code, when given,
// must have passed CheckPhoneCode, and then the phone number is the voter.
type VoteInput struct {
	Choice plan.Rating `json:"choice"`
	Device string      `json:"-"`
	Phone  string      `json:"phone,omitempty"`
}

// Vote records a resident's satisfaction with a project: one vote per
// project and voter (the verified phone number if given, else the
// device); a second vote replaces the first. Errors: invalid (choice,
// phone), not_found, conflict (project retired).
func (s *Store) Vote(ctx context.Context, projectID string, in VoteInput) error {
	if !in.Choice.Valid() {
		return plan.FieldError("choice", "评价应为 满意、基本满意、不满意 之一")
	}
	voter, phoneSealed := "d:"+in.Device, ""
	if in.Phone != "" {
		phone, err := NormalizePhone("phone", in.Phone)
		if err != nil {
			return err
		}
		if s.Sealer == nil {
			return plan.FieldError("phone", "本平台未配置个人信息加密密钥，不能以手机号投票")
		}
		voter, phoneSealed = "p:"+s.Sealer.Index(indexPhone, phone), s.Sealer.Seal(sealVotePhone, phone)
	} else if in.Device == "" {
		return plan.FieldError("device", "缺少设备标识，请刷新页面后重试")
	}
	return s.write(ctx, residentActor, func(t *tx) error {
		p, err := publishedProject(t.conn, projectID)
		if err != nil {
			return err
		}
		var before sql.NullString
		if err := t.row("SELECT choice FROM satisfaction_votes WHERE project_id = ? AND voter = ?", projectID, voter).Scan(&before); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if before.Valid {
			if _, err := t.exec("UPDATE satisfaction_votes SET choice = ?, phone_sealed = ?, updated_at = ? WHERE project_id = ? AND voter = ?",
				in.Choice, phoneSealed, ts(t.now), projectID, voter); err != nil {
				return err
			}
		} else if _, err := t.exec(`INSERT INTO satisfaction_votes (project_id, voter, choice, phone_sealed, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)`, projectID, voter, in.Choice, phoneSealed, ts(t.now), ts(t.now)); err != nil {
			return err
		}
		var b any
		if before.Valid {
			b = map[string]any{"choice": before.String}
		}
		return t.auditIn(ScopeOf(p.JurisdictionCode, p.Year), "vote", "satisfaction_vote", projectID+"|"+voter, b, map[string]any{"choice": in.Choice})
	})
}

// SatisfactionResults counts the votes on the projects in force of a
// jurisdiction's year, by project ID (projects without votes are absent):
// the votes as they stood before a time (a bulletin's month end; a vote
// changed later counts as it is now, or not at all), zero for all.
func (s *Store) SatisfactionResults(ctx context.Context, jurisdictionCode string, year int, before time.Time) (map[string]plan.Evaluation, error) {
	out := map[string]plan.Evaluation{}
	q := `SELECT v.project_id, v.choice, COUNT(*) FROM satisfaction_votes v JOIN projects p ON p.id = v.project_id
		WHERE p.jurisdiction_code = ? AND p.year = ? AND p.retired_by = ''`
	args := []any{jurisdictionCode, year}
	if !before.IsZero() {
		q += " AND v.updated_at < ?"
		args = append(args, ts(before.UTC()))
	}
	err := s.read(ctx, func(c conn) error {
		rows, err := c.query(q+" GROUP BY v.project_id, v.choice", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var pid string
			var choice plan.Rating
			var n int
			if err := rows.Scan(&pid, &choice, &n); err != nil {
				return err
			}
			e := out[pid]
			e.ProjectID = pid
			for range n {
				e.Add(choice)
			}
			out[pid] = e
		}
		return rows.Err()
	})
	return out, err
}

// IssuePhoneCode makes a six-digit code for a phone number and keeps its
// hash for PhoneCodeTTL; the caller sends it by SMS. One code per number
// per PhoneCodeInterval: asked again sooner, it makes none and returns
// how long to wait (the code sent before still holds). Errors: invalid
// (phone; no key configured).
func (s *Store) IssuePhoneCode(ctx context.Context, phone string) (code string, wait time.Duration, err error) {
	p, err := NormalizePhone("phone", phone)
	if err != nil {
		return "", 0, err
	}
	if s.Sealer == nil {
		return "", 0, plan.FieldError("phone", "本平台未配置个人信息加密密钥，不能验证手机号")
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", 0, err
	}
	idx := s.Sealer.Index(indexPhone, p)
	err = s.write(ctx, residentActor, func(t *tx) error {
		var sent sql.NullString
		if err := t.row("SELECT sent_at FROM phone_codes WHERE phone_index = ?", idx).Scan(&sent); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if sent.Valid {
			if wait = PhoneCodeInterval - t.now.Sub(parseTS(sent.String)); wait > 0 {
				return nil
			}
			if _, err := t.exec("DELETE FROM phone_codes WHERE phone_index = ?", idx); err != nil {
				return err
			}
		}
		code = fmt.Sprintf("%06d", n.Int64())
		if _, err := t.exec("INSERT INTO phone_codes (phone_index, code_hash, sent_at, expires_at) VALUES (?, ?, ?, ?)",
			idx, codeHash(idx, code), ts(t.now), ts(t.now.Add(PhoneCodeTTL))); err != nil {
			return err
		}
		return t.auditIn(NoPublicPage, "send_code", "phone_code", idx[:16], nil, map[string]any{"phone": sealed.MaskPhone(p)})
	})
	if err != nil || wait > 0 {
		return "", max(wait, 0), err
	}
	return code, 0, nil
}

func codeHash(idx, code string) string {
	h := sm3.Sum([]byte(idx + ":" + code))
	return hex.EncodeToString(h[:])
}

// CheckPhoneCode checks a code sent to a phone number. A wrong code counts
// against MaxCodeAttempts, after which the code is void; a right one
// stays valid until it expires, so one code serves several votes.
// Errors: invalid (phone, code: wrong, expired, void).
func (s *Store) CheckPhoneCode(ctx context.Context, phone, code string) error {
	p, err := NormalizePhone("phone", phone)
	if err != nil {
		return err
	}
	if s.Sealer == nil {
		return plan.FieldError("phone", "本平台未配置个人信息加密密钥，不能验证手机号")
	}
	idx := s.Sealer.Index(indexPhone, p)
	var wrong bool
	err = s.write(ctx, residentActor, func(t *tx) error {
		var hash, expires string
		var attempts int
		err := t.row("SELECT code_hash, expires_at, attempts FROM phone_codes WHERE phone_index = ?", idx).Scan(&hash, &expires, &attempts)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return plan.FieldError("code", "请先获取短信验证码")
		case err != nil:
			return err
		case !t.now.Before(parseTS(expires)):
			return plan.FieldError("code", "验证码已过期，请重新获取")
		case attempts >= MaxCodeAttempts:
			return plan.FieldError("code", "验证码错误次数过多，请重新获取")
		}
		if subtle.ConstantTimeCompare([]byte(hash), []byte(codeHash(idx, strings.TrimSpace(code)))) == 1 {
			return nil
		}
		wrong = true
		if _, err := t.exec("UPDATE phone_codes SET attempts = attempts + 1 WHERE phone_index = ?", idx); err != nil {
			return err
		}
		return t.auditIn(NoPublicPage, "wrong_code", "phone_code", idx[:16], map[string]any{"attempts": attempts}, map[string]any{"attempts": attempts + 1})
	})
	if err == nil && wrong {
		err = plan.FieldError("code", "验证码不正确")
	}
	return err
}
