package store

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"minsheng/internal/plan"
	"minsheng/internal/sealed"
)

func testSealer(t *testing.T) *sealed.Box {
	t.Helper()
	b, err := sealed.New([]byte("0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A comment waits for moderation; only approved ones are public; the
// phone number is stored sealed and shown masked.
func TestCommentModeration(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx := f.ctx
		// Without a key, personal data is refused (and nothing stored).
		_, err := s.AddComment(ctx, f.p1.ID, CommentInput{Body: "好", Phone: "13812341234"})
		wantCode(t, err, plan.EInvalid)
		s.Sealer = testSealer(t)

		for _, bad := range []CommentInput{
			{Body: "  "},
			{Body: strings.Repeat("长", MaxCommentRunes+1)},
			{Body: "好", Phone: "1234"},
			{Body: "好", Name: strings.Repeat("名", MaxNameRunes+1)},
		} {
			_, err := s.AddComment(ctx, f.p1.ID, bad)
			wantCode(t, err, plan.EInvalid)
		}
		_, err = s.AddComment(ctx, "prj_none", CommentInput{Body: "好"})
		wantCode(t, err, plan.ENotFound)

		c1 := must(s.AddComment(ctx, f.p1.ID, CommentInput{Body: "贷款办理很快，点赞！", Name: "张三", Phone: "+86 138-1234-1234"}))(t)
		c2 := must(s.AddComment(ctx, f.p1.ID, CommentInput{Body: "广告：加微信"}))(t)
		if c1.State != CommentPending || c1.Phone != "138****1234" || c1.Name != "张*" {
			t.Fatalf("comment: %+v", c1)
		}
		// The phone number is nowhere in the database in clear.
		var nameSealed, phoneSealed string
		s.DB().QueryRow(rebindIf(s, "SELECT name_sealed, phone_sealed FROM resident_comments WHERE id = ?"), c1.ID).Scan(&nameSealed, &phoneSealed)
		if !strings.HasPrefix(phoneSealed, "s1.") || strings.Contains(phoneSealed, "1234") || nameSealed == "张三" {
			t.Fatalf("stored: %q %q", nameSealed, phoneSealed)
		}
		if got, _ := s.Sealer.Open(sealCommentPhone, phoneSealed); got != "13812341234" {
			t.Fatalf("sealed phone opens to %q", got)
		}
		rows := must(s.AuditRows(ctx, 0, 0))(t)
		for _, r := range rows {
			if bytes.Contains(r.After, []byte("1381234")) || bytes.Contains(r.After, []byte("张三")) {
				t.Fatalf("personal data in the audit log: %s", r.After)
			}
		}

		if got := must(s.ApprovedComments(ctx, f.p1.ID))(t); len(got) != 0 {
			t.Fatalf("pending comments are public: %+v", got)
		}
		queue := must(s.CommentQueue(ctx, f.sup, "360112", CommentPending))(t)
		if len(queue) == 2 && queue[0].ID != c1.ID {
			queue[0], queue[1] = queue[1], queue[0] // same time: any order
		}
		if len(queue) != 2 || queue[0].Phone != "138****1234" || queue[0].ProjectTitle != f.p1.Title || queue[1].Phone != "" {
			t.Fatalf("queue: %+v", queue)
		}
		for _, u := range []*plan.User{f.repA, f.leader, f.otherSup, nil} {
			if _, err := s.CommentQueue(ctx, u, "360112", CommentPending); err == nil {
				t.Fatalf("%v reads the queue", u)
			}
			if _, err := s.ModerateComment(ctx, u, c1.ID, true, ""); err == nil {
				t.Fatalf("%v moderates", u)
			}
		}
		_, err = s.ModerateComment(ctx, f.sup, c2.ID, false, " ")
		wantCode(t, err, plan.EInvalid)
		must(s.ModerateComment(ctx, f.sup, c2.ID, false, "广告"))(t)
		must(s.ModerateComment(ctx, f.sup, c1.ID, true, ""))(t)
		must(s.ModerateComment(ctx, f.sup, c1.ID, true, ""))(t) // a retry
		_, err = s.ModerateComment(ctx, f.sup, c2.ID, true, "")
		wantCode(t, err, plan.EConflict)

		pub := must(s.ApprovedComments(ctx, f.p1.ID))(t)
		if len(pub) != 1 || pub[0].Body != c1.Body || pub[0].Phone != "" || pub[0].Name != "张*" {
			t.Fatalf("public comments: %+v", pub)
		}
		if q := must(s.CommentQueue(ctx, f.sup, "360112", CommentPending))(t); len(q) != 0 {
			t.Fatalf("queue after moderation: %+v", q)
		}
		rej := must(s.CommentQueue(ctx, f.sup, "360112", CommentRejected))(t)
		if len(rej) != 1 || rej[0].Reason != "广告" {
			t.Fatalf("rejected: %+v", rej)
		}
		// Another key cannot read the sealed data: shown as such, not failing.
		other, _ := sealed.New([]byte("fedcba9876543210"))
		s.Sealer = other
		if q := must(s.CommentQueue(ctx, f.sup, "360112", CommentApproved))(t); q[0].Phone != "（无法解密）" {
			t.Fatalf("other key: %+v", q[0])
		}
	})
}

func rebindIf(s *Store, q string) string {
	if s.Postgres() {
		return rebind(q)
	}
	return q
}

// One vote per project and device (a revote replaces it), or per verified
// phone number; 满意率 = (满意+基本满意)/total.
func TestSatisfactionVotes(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, dsn string) {
		f := newFixture(t, s)
		ctx := f.ctx
		s.Sealer = testSealer(t)
		vote := func(device string, c plan.Rating) {
			t.Helper()
			if err := s.Vote(ctx, f.p1.ID, VoteInput{Choice: c, Device: device}); err != nil {
				t.Fatal(err)
			}
		}
		vote("dev1", plan.RatingSatisfied)
		vote("dev2", plan.RatingBasic)
		vote("dev3", plan.RatingUnsatisfied)
		vote("dev3", plan.RatingSatisfied) // revote replaces
		vote("dev3", plan.RatingSatisfied)
		wantCode(t, s.Vote(ctx, f.p1.ID, VoteInput{Choice: "great", Device: "dev4"}), plan.EInvalid)
		wantCode(t, s.Vote(ctx, f.p1.ID, VoteInput{Choice: plan.RatingBasic}), plan.EInvalid)
		wantCode(t, s.Vote(ctx, "prj_none", VoteInput{Choice: plan.RatingBasic, Device: "dev1"}), plan.ENotFound)

		// Phone verification: a code, wrong tries counted, then several votes.
		_, _, err := s.IssuePhoneCode(ctx, "12345")
		wantCode(t, err, plan.EInvalid)
		wantCode(t, s.CheckPhoneCode(ctx, "13900001111", "123456"), plan.EInvalid) // none sent
		code, wait := must2(s.IssuePhoneCode(ctx, "139 0000 1111"))(t)
		if len(code) != 6 || wait != 0 {
			t.Fatalf("code %q, wait %v", code, wait)
		}
		s.Now = func() time.Time { return june3.Add(20 * time.Second) }
		if again, wait := must2(s.IssuePhoneCode(ctx, "13900001111"))(t); again != "" || wait != 40*time.Second {
			t.Fatalf("asked again too soon: %q, wait %v", again, wait) // the first code still holds
		}
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		wantCode(t, s.CheckPhoneCode(ctx, "13900001111", wrong), plan.EInvalid)
		if err := s.CheckPhoneCode(ctx, "13900001111", code); err != nil {
			t.Fatalf("right code: %v", err)
		}
		for _, p := range []*plan.ProjectRecord{f.p1, f.p2} {
			if err := s.Vote(ctx, p.ID, VoteInput{Choice: plan.RatingBasic, Device: "dev9", Phone: "13900001111"}); err != nil {
				t.Fatal(err)
			}
		}
		// The same phone from another device is the same voter.
		if err := s.Vote(ctx, f.p1.ID, VoteInput{Choice: plan.RatingUnsatisfied, Device: "dev10", Phone: "13900001111"}); err != nil {
			t.Fatal(err)
		}
		for range MaxCodeAttempts {
			s.CheckPhoneCode(ctx, "13900001111", wrong)
		}
		wantCode(t, s.CheckPhoneCode(ctx, "13900001111", code), plan.EInvalid) // void after too many tries
		s.Now = func() time.Time { return june3.Add(PhoneCodeTTL) }
		code2, _ := must2(s.IssuePhoneCode(ctx, "13900001111"))(t)
		s.Now = func() time.Time { return june3.Add(2 * PhoneCodeTTL) }
		wantCode(t, s.CheckPhoneCode(ctx, "13900001111", code2), plan.EInvalid) // expired

		res := must(s.SatisfactionResults(ctx, "360112", 2024, time.Time{}))(t)
		p1, p2 := res[f.p1.ID], res[f.p2.ID]
		if p1.Satisfied != 2 || p1.Basic != 1 || p1.Unsatisfied != 1 || p1.Total() != 4 || p1.Rate().String() != "75" {
			t.Fatalf("p1: %+v rate %v", p1, p1.Rate())
		}
		if p2.Basic != 1 || p2.Total() != 1 || p2.Rate().String() != "100" {
			t.Fatalf("p2: %+v", p2)
		}
		if _, ok := res[f.p3.ID]; ok || (plan.Evaluation{}).Rate() != nil {
			t.Fatal("a project without votes has results")
		}
		var phoneSealed string
		s.DB().QueryRow(rebindIf(s, "SELECT phone_sealed FROM satisfaction_votes WHERE project_id = ? AND voter LIKE 'p:%'"), f.p2.ID).Scan(&phoneSealed)
		if got, _ := s.Sealer.Open(sealVotePhone, phoneSealed); got != "13900001111" {
			t.Fatalf("vote phone sealed as %q → %q", phoneSealed, got)
		}
	})
}

func TestNormalizePhone(t *testing.T) {
	for in, want := range map[string]string{"13812341234": "13812341234", "+86 138 1234 1234": "13812341234", "0086-138-1234-1234": "13812341234",
		"12812341234": "", "1381234123": "", "1381234123a": "", "": ""} {
		got, err := NormalizePhone("phone", in)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("NormalizePhone(%q) = %q, %v", in, got, err)
		}
	}
}
