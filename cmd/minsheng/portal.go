package main

import (
	"fmt"

	"minsheng/internal/sealed"
	"minsheng/internal/store"
	"minsheng/internal/supervise"
	"minsheng/internal/web"
)

// setupPortal wires the "portal" section of the configuration: the key
// that seals residents' personal data (from the file or a key file, never
// the database), the SMS gateway of phone verification, and the key of
// device tokens (derived from the personal-data key, so that tokens
// outlive a restart). With --demo and no key, a key for this run only.
func setupPortal(e env, st *store.Store, site *web.Server, cfg supervise.PortalConfig, demo bool) error {
	var key []byte
	var err error
	switch {
	case cfg.PersonalDataKey != "":
		key, err = sealed.ParseKey(cfg.PersonalDataKey)
	case cfg.PersonalDataKeyFile != "":
		key, err = sealed.LoadKey(cfg.PersonalDataKeyFile)
	case demo:
		key = sealed.NewKey()
		fmt.Fprintln(e.stderr, "演示模式：未配置个人信息加密密钥（portal.personal_data_key_file），本次运行使用临时密钥，重启后此前留下的手机号无法解密。")
	}
	if err != nil {
		return fmt.Errorf("配置项 portal：%w", err)
	}
	var deviceKey []byte
	if key != nil {
		if st.Sealer, err = sealed.New(key); err != nil {
			return err
		}
		deviceKey = []byte(st.Sealer.Index("device token key", ""))
	}
	var sms web.SMSSender
	if cfg.SMSGateway != "" {
		sms = web.HTTPSMS{URL: cfg.SMSGateway}
	}
	site.Portal = web.NewPortal(cfg, sms, deviceKey)
	return nil
}
