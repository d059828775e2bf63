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
// The same key seals the users' TOTP secrets (sealTOTPSecrets).
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
		fmt.Fprintln(e.stderr, "演示模式：未配置个人信息加密密钥（portal.personal_data_key_file），本次运行使用临时密钥，重启后此前留下的手机号无法解密，本次启用的动态验证码无法核对。")
	}
	if err != nil {
		return fmt.Errorf("配置项 portal：%w", err)
	}
	temporary := key != nil && cfg.PersonalDataKey == "" && cfg.PersonalDataKeyFile == ""
	var deviceKey []byte
	if key != nil {
		if st.Sealer, err = sealed.New(key); err != nil {
			return err
		}
		deviceKey = []byte(st.Sealer.Index("device token key", ""))
	}
	if !temporary {
		if err := sealTOTPSecrets(e, st); err != nil {
			return err
		}
	}
	var sms web.SMSSender
	if cfg.SMSGateway != "" {
		sms = web.HTTPSMS{URL: cfg.SMSGateway}
	}
	site.Portal = web.NewPortal(cfg, sms, deviceKey)
	return nil
}

// sealTOTPSecrets seals, with a configured key, the TOTP secrets enrolled
// before secrets were sealed (once; audited by the store), and without a
// key warns of any left in clear. A key for this run only seals nothing:
// the secrets would not open after a restart.
func sealTOTPSecrets(e env, st *store.Store) error {
	if st.Sealer == nil {
		n, err := st.ClearTOTPSecrets(e.ctx)
		if err == nil && n > 0 {
			fmt.Fprintf(e.stderr, "警告：%d 个账号的动态验证码密钥以明文保存在数据库中。请配置 portal.personal_data_key_file 后重启，启动时自动加密。\n", n)
		}
		return err
	}
	n, err := st.SealTOTPSecrets(e.ctx)
	if err != nil {
		return fmt.Errorf("加密动态验证码密钥失败：%w", err)
	}
	if n > 0 {
		fmt.Fprintf(e.stderr, "已用 SM4 加密 %d 个账号此前以明文保存的动态验证码密钥（审计记录 user.totp_seal）。\n", n)
	}
	return nil
}
