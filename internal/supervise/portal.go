package supervise

import (
	"net/url"

	"minsheng/internal/plan"
)

// PortalConfig is the "portal" section of the configuration file: the
// public portal and residents' feedback (internal/web/public*.go).
type PortalConfig struct {
	// BaseURL is the portal's address as residents reach it (e.g.
	// https://mszs.example.gov.cn); 民生码 QR codes encode pages under it.
	// Empty: the address of the request, fine for a test installation.
	BaseURL string `json:"base_url"`
	// Per client address and hour: votes, comments and SMS codes (on top
	// of security.public_per_minute; server.trusted_proxies says whose
	// X-Forwarded-For names the client).
	VotesPerHour    int `json:"votes_per_hour"`
	CommentsPerHour int `json:"comments_per_hour"`
	CodesPerHour    int `json:"codes_per_hour"`
	// PersonalDataKey (32 hex characters) or PersonalDataKeyFile seals
	// residents' phone numbers and names (internal/sealed). Without either,
	// no personal data is collected.
	PersonalDataKey     string `json:"personal_data_key"`
	PersonalDataKeyFile string `json:"personal_data_key_file"`
	// PhoneVerification makes every vote need a code sent by SMS through
	// SMSGateway (an HTTP endpoint taking {"phone","text"} as JSON).
	PhoneVerification bool   `json:"phone_verification"`
	SMSGateway        string `json:"sms_gateway"`
}

// DefaultPortalConfig are the limits without a file.
func DefaultPortalConfig() PortalConfig {
	return PortalConfig{VotesPerHour: 30, CommentsPerHour: 10, CodesPerHour: 5}
}

// Validate checks the portal section.
func (c PortalConfig) Validate() error {
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return plan.FieldError("portal.base_url", "portal.base_url 应为完整网址（如 https://mszs.example.gov.cn），而不是「%s」", c.BaseURL)
		}
	}
	for _, l := range []struct {
		name string
		n    int
	}{{"votes_per_hour", c.VotesPerHour}, {"comments_per_hour", c.CommentsPerHour}, {"codes_per_hour", c.CodesPerHour}} {
		if l.n < 1 || l.n > 100000 {
			return plan.FieldError("portal."+l.name, "portal.%s 应在 1 到 100000 之间，而不是 %d", l.name, l.n)
		}
	}
	if c.PersonalDataKey != "" && c.PersonalDataKeyFile != "" {
		return plan.FieldError("portal.personal_data_key", "portal.personal_data_key 与 personal_data_key_file 只能填一个")
	}
	if c.PhoneVerification {
		if c.PersonalDataKey == "" && c.PersonalDataKeyFile == "" {
			return plan.FieldError("portal.phone_verification", "开启手机验证（portal.phone_verification）须同时配置个人信息加密密钥")
		}
		if u, err := url.Parse(c.SMSGateway); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return plan.FieldError("portal.sms_gateway", "开启手机验证须配置短信网关地址 portal.sms_gateway（http 或 https 网址）")
		}
	}
	return nil
}
