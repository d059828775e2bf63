package supervise

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"minsheng/internal/plan"
)

// Config is the supervision office's rules, read from a JSON file (see
// docs/督查规则.md for every field and its default). Fields left out of the
// file keep their defaults.
type Config struct {
	// Status are the tolerances of the status rule.
	Status plan.Thresholds `json:"status"`
	// Calendar counts working days for response deadlines: holidays and
	// the weekend days worked (调休).
	Calendar plan.Calendar `json:"calendar"`
	// ResponseDays is the default number of working days a unit has to
	// answer, per letter kind.
	ResponseDays map[plan.LetterKind]int `json:"response_days"`
	// DocNumberFormats are the 文号 patterns per kind ({prefix}, {year},
	// {n}); plan.DocNumberFormats by default.
	DocNumberFormats map[plan.LetterKind]string `json:"doc_number_formats"`
	// Prefixes override the 文号 prefix per jurisdiction code (default:
	// plan.ShortName of its name).
	Prefixes map[string]string `json:"prefixes"`
	// LetterIssuers are the 落款 of letters per jurisdiction code (default:
	// the jurisdiction's name + 人民政府督查室).
	LetterIssuers map[string]string `json:"letter_issuers"`
	// BulletinIssuers are the 落款 of bulletins per jurisdiction code
	// (default: the jurisdiction's name + 人民政府办公室).
	BulletinIssuers map[string]string `json:"bulletin_issuers"`
	// BulletinRecipients is the 主送 of bulletins (default
	// 各牵头单位、责任单位).
	BulletinRecipients string `json:"bulletin_recipients"`
	// BulletinRequirements replace the bulletin's 下步工作要求 paragraphs
	// (DefaultRequirements).
	BulletinRequirements []string `json:"bulletin_requirements"`
	// DueDay is the day of the next month a month's report is due
	// (plan.DefaultDueDay, the 5th).
	DueDay int `json:"due_day"`
	// PraiseRatio: a project on track whose every target shows at least
	// this share of what was expected is praised as ahead of plan.
	PraiseRatio float64 `json:"praise_ratio"`
	// Portal configures the public portal and residents' feedback.
	Portal PortalConfig `json:"portal"`
	// Inspection are the rules of on-site visits (实地督查).
	Inspection InspectionRules `json:"inspection"`
	// Reminders: when units are reminded of reports and letters, and the
	// channels (reminders.go).
	Reminders Reminders `json:"reminders"`
}

// InspectionRules judge what a visit found against what was reported.
type InspectionRules struct {
	// Tolerance: a figure found below the reported one by more than this
	// share of it is 核查不符 (0.05: 1200 reported, under 1140 found).
	Tolerance float64 `json:"tolerance"`
	// SupervisionShortfall: a discrepancy of at least this share of the
	// reported figure calls for a 督办函 at once, not a 工作提示函.
	SupervisionShortfall float64 `json:"supervision_shortfall"`
}

// DefaultConfig is the configuration without a file; its thresholds are
// those in force (plan.DefaultThresholds, which Apply sets).
func DefaultConfig() Config {
	return Config{
		Status:             plan.DefaultThresholds(),
		ResponseDays:       map[plan.LetterKind]int{plan.LetterPrompt: 5, plan.LetterSupervision: 3},
		DocNumberFormats:   map[plan.LetterKind]string{},
		Prefixes:           map[string]string{},
		LetterIssuers:      map[string]string{},
		BulletinIssuers:    map[string]string{},
		BulletinRecipients: "各牵头单位、责任单位",
		PraiseRatio:        1.2,
		Inspection:         InspectionRules{Tolerance: 0.05, SupervisionShortfall: 0.2},
		DueDay:             plan.DefaultDueDay,
		Portal:             DefaultPortalConfig(),
		Reminders:          DefaultReminders(),
	}
}

// LoadConfig reads a configuration file over the defaults. Unknown fields
// and bad values are errors that name the file and the field.
func LoadConfig(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("无法读取督查配置文件 %s：%w", path, err)
	}
	c, err := ParseConfig(b)
	if err != nil {
		return Config{}, fmt.Errorf("督查配置文件 %s：%s", path, plan.ErrorMessage(err))
	}
	return c, nil
}

// ParseConfig reads configuration JSON over the defaults.
func ParseConfig(b []byte) (Config, error) {
	c := DefaultConfig()
	if err := DecodeStrict(b, &c); err != nil {
		return Config{}, err
	}
	return c, c.Validate()
}

// DecodeStrict reads configuration JSON into v over what v holds (the
// defaults): unknown fields and wrong types are errors in Chinese that
// name the line or the field; an empty file changes nothing. The whole
// configuration file (internal/config), of which these rules are a part,
// is read the same way.
func DecodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case err == nil, errors.Is(err, io.EOF):
		return nil
	case errors.As(err, &se):
		line := 1 + bytes.Count(b[:min(int(se.Offset), len(b))], []byte("\n"))
		return plan.Errorf(plan.EInvalid, "第 %d 行 JSON 格式错误：%v", line, se)
	case errors.As(err, &te):
		return plan.FieldError(te.Field, "字段 %s 的类型应为 %s", te.Field, te.Type)
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return plan.Errorf(plan.EInvalid, "未知的配置项 %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return plan.Errorf(plan.EInvalid, "配置格式错误：%v", err)
}

// Validate checks every part of the configuration.
func (c Config) Validate() error {
	if err := c.Status.Validate(); err != nil {
		return err
	}
	if err := c.Calendar.Validate(); err != nil {
		return err
	}
	for k, d := range c.ResponseDays {
		if !k.Valid() {
			return plan.FieldError("response_days", "未知的函件类型 %s（应为 prompt 或 supervision）", k)
		}
		if d < 1 || d > 60 {
			return plan.FieldError("response_days", "%s答复期限应为 1 到 60 个工作日，而不是 %d", k.Label(), d)
		}
	}
	for k, f := range c.DocNumberFormats {
		if !k.Valid() {
			return plan.FieldError("doc_number_formats", "未知的函件类型 %s", k)
		}
		if !strings.Contains(f, "{n}") {
			return plan.FieldError("doc_number_formats", "%s文号格式「%s」缺少序号 {n}", k.Label(), f)
		}
	}
	if c.DueDay < 1 || c.DueDay > 28 {
		return plan.FieldError("due_day", "报送截止日 due_day 应在 1 到 28 之间，而不是 %d", c.DueDay)
	}
	if c.PraiseRatio < 1 || c.PraiseRatio > 10 {
		return plan.FieldError("praise_ratio", "表扬阈值 praise_ratio 应在 1 到 10 之间，而不是 %v", c.PraiseRatio)
	}
	if t := c.Inspection.Tolerance; t < 0 || t >= 1 {
		return plan.FieldError("inspection.tolerance", "实地督查容差 inspection.tolerance 应在 0 到 1 之间（如 0.05），而不是 %v", t)
	}
	if t := c.Inspection.SupervisionShortfall; t <= 0 || t > 1 {
		return plan.FieldError("inspection.supervision_shortfall", "直接督办的核查差距 inspection.supervision_shortfall 应在 0 到 1 之间（如 0.2），而不是 %v", t)
	}
	if err := c.Portal.Validate(); err != nil {
		return err
	}
	return c.Reminders.Validate()
}

// Apply makes the configuration's thresholds the ones in force for every
// status computed in the process (plan.SetDefaultThresholds), including
// store.DashboardProject.Status and the pages.
func (c Config) Apply() error { return plan.SetDefaultThresholds(c.Status) }

// responseDays is the default answer time of a kind.
func (c Config) responseDays(k plan.LetterKind) int {
	if d := c.ResponseDays[k]; d > 0 {
		return d
	}
	return DefaultConfig().ResponseDays[k]
}

func (c Config) docNumberFormat(k plan.LetterKind) string {
	if f := c.DocNumberFormats[k]; f != "" {
		return f
	}
	return plan.DocNumberFormats[k]
}

// LetterIssuer is the 落款 of a jurisdiction's letters.
func (c Config) LetterIssuer(code, jurisdictionName string) string {
	if s := c.LetterIssuers[code]; s != "" {
		return s
	}
	return jurisdictionName + "人民政府督查室"
}

// BulletinIssuer is the 落款 of a jurisdiction's bulletins.
func (c Config) BulletinIssuer(code, jurisdictionName string) string {
	if s := c.BulletinIssuers[code]; s != "" {
		return s
	}
	return jurisdictionName + "人民政府办公室"
}
