package web

import (
	"net/http"
	"strings"

	"minsheng/internal/plan"
)

type adminUser struct {
	plan.User
	UnitName string
	JurName  string
	Locked   bool
}

type adminJurisdiction struct {
	plan.JurisdictionRecord
	Units []plan.Unit
}

type adminPage struct {
	basePage
	Users         []adminUser
	Jurisdictions []adminJurisdiction
	Roles         []plan.Role
	Errors        fieldErrors
	New           createUserRequest
	NewUnitCode   string
	NewUnitName   string
}

// adminPage: GET /admin — 用户与单位: users (create, disable, reset
// password) and the units of each jurisdiction (add).
func (s *Server) adminPage(w http.ResponseWriter, r *http.Request) {
	pg, err := s.loadAdminPage(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin", pg)
}

func (s *Server) loadAdminPage(r *http.Request) (*adminPage, error) {
	ctx, u := r.Context(), userOf(r)
	if err := plan.Authorize(u, plan.ActionManageUsers, plan.Resource{Kind: plan.ResourceUser}); err != nil {
		return nil, err
	}
	pg := &adminPage{basePage: s.base(r, "用户与单位", "admin"), Roles: plan.Roles, Errors: fieldErrors{}}
	js, err := s.Store.ListJurisdictions(ctx)
	if err != nil {
		return nil, err
	}
	units, jurs := map[string]string{}, map[string]string{}
	for _, j := range js {
		us, err := s.Store.ListUnits(ctx, j.Code)
		if err != nil {
			return nil, err
		}
		for _, un := range us {
			units[un.ID] = un.Name
		}
		jurs[j.Code] = j.Name
		pg.Jurisdictions = append(pg.Jurisdictions, adminJurisdiction{JurisdictionRecord: j, Units: us})
	}
	users, err := s.Store.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	for _, us := range users {
		pg.Users = append(pg.Users, adminUser{User: us, UnitName: units[us.UnitID], JurName: jurs[us.JurisdictionCode], Locked: now.Before(us.LockedUntil)})
	}
	return pg, nil
}

func (s *Server) adminFail(w http.ResponseWriter, r *http.Request, pg *adminPage, err error) {
	fe, _, msg := problemsOf(err)
	for k, v := range fe {
		for _, m := range v {
			pg.Errors.add(k, m)
		}
	}
	pg.Error = msg
	s.render(w, r, statusFor(err), "admin", pg)
}

// adminCreateUser: POST /admin/users.
func (s *Server) adminCreateUser(w http.ResponseWriter, r *http.Request) {
	pg, err := s.loadAdminPage(r)
	if err != nil {
		s.pageFail(w, r, err)
		return
	}
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	pg.New = createUserRequest{Username: f("username"), DisplayName: f("display_name"), Role: plan.Role(f("role")),
		UnitID: f("unit_id"), JurisdictionCode: f("jurisdiction_code")}
	nu := &plan.User{Username: pg.New.Username, DisplayName: pg.New.DisplayName, Role: pg.New.Role, UnitID: pg.New.UnitID, JurisdictionCode: pg.New.JurisdictionCode}
	if err := s.Store.CreateUser(r.Context(), userOf(r), nu, r.PostFormValue("password")); err != nil {
		s.adminFail(w, r, pg, err)
		return
	}
	redirect(w, r, "/admin", "user")
}

// adminSetDisabled: POST /admin/users/{userID}/disabled, disabled=1 or 0.
func (s *Server) adminSetDisabled(w http.ResponseWriter, r *http.Request) {
	disabled := r.PostFormValue("disabled") == "1"
	if err := s.Store.SetUserDisabled(r.Context(), userOf(r), r.PathValue("userID"), disabled); err != nil {
		pg, lerr := s.loadAdminPage(r)
		if lerr != nil {
			s.pageFail(w, r, lerr)
			return
		}
		s.adminFail(w, r, pg, err)
		return
	}
	flash := "enabled"
	if disabled {
		flash = "disabled"
	}
	redirect(w, r, "/admin", flash)
}

// adminSetPassword: POST /admin/users/{userID}/password.
func (s *Server) adminSetPassword(w http.ResponseWriter, r *http.Request) {
	if err := s.Store.SetPassword(r.Context(), userOf(r), r.PathValue("userID"), r.PostFormValue("password")); err != nil {
		pg, lerr := s.loadAdminPage(r)
		if lerr != nil {
			s.pageFail(w, r, lerr)
			return
		}
		s.adminFail(w, r, pg, err)
		return
	}
	redirect(w, r, "/admin", "password")
}

// adminCreateUnit: POST /admin/units — a unit of a jurisdiction (the
// jurisdiction is taken from GB/T 2260 when new).
func (s *Server) adminCreateUnit(w http.ResponseWriter, r *http.Request) {
	ctx, u := r.Context(), userOf(r)
	code, name := strings.TrimSpace(r.PostFormValue("jurisdiction_code")), strings.TrimSpace(r.PostFormValue("name"))
	var err error
	if name == "" {
		err = plan.FieldError("unit.name", "请填写单位名称")
	} else if _, err = s.Store.GetJurisdiction(ctx, code); err != nil && plan.ErrorCode(err) == plan.ENotFound {
		_, err = s.Store.EnsureJurisdiction(ctx, u, plan.JurisdictionRecord{Code: code})
	}
	if err == nil {
		_, err = s.Store.EnsureUnit(ctx, u, code, name)
	}
	if err != nil {
		pg, lerr := s.loadAdminPage(r)
		if lerr != nil {
			s.pageFail(w, r, lerr)
			return
		}
		pg.NewUnitCode, pg.NewUnitName = code, name
		if plan.ErrorCode(err) == plan.EInvalid && !strings.HasPrefix(plan.ErrorMessage(err), "请") {
			err = &plan.Error{Code: plan.EInvalid, Field: "unit.jurisdiction", Message: plan.ErrorMessage(err)}
		}
		s.adminFail(w, r, pg, err)
		return
	}
	redirect(w, r, "/admin", "unit")
}
