package supervise

import (
	"strings"
	"testing"
)

func TestPortalConfig(t *testing.T) {
	for _, c := range []struct {
		json, field string
	}{
		{`{"portal": {"base_url": "https://mszs.example.gov.cn", "votes_per_hour": 50}}`, ""},
		{`{"portal": {"personal_data_key_file": "/etc/k", "phone_verification": true, "sms_gateway": "http://sms.local/send"}}`, ""},
		{`{"portal": {"base_url": "mszs.example.gov.cn"}}`, "portal.base_url"},
		{`{"portal": {"votes_per_hour": 0}}`, "portal.votes_per_hour"},
		{`{"portal": {"personal_data_key": "00", "personal_data_key_file": "/etc/k"}}`, "portal.personal_data_key"},
		{`{"portal": {"phone_verification": true, "sms_gateway": "http://sms.local/send"}}`, "portal.phone_verification"},
		{`{"portal": {"personal_data_key_file": "/etc/k", "phone_verification": true}}`, "portal.sms_gateway"},
		{`{"portal": {"sms": "x"}}`, "sms"},
	} {
		cfg, err := ParseConfig([]byte(c.json))
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s: %v", c.json, err)
		case c.field == "" && cfg.Portal.CommentsPerHour != 10:
			t.Errorf("%s: defaults lost: %+v", c.json, cfg.Portal)
		case c.field != "" && (err == nil || !strings.Contains(err.Error(), c.field)):
			t.Errorf("%s: error %v should name %s", c.json, err, c.field)
		}
	}
}
