package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"minsheng/internal/division"
	"minsheng/internal/plan"
)

// EnsureJurisdiction stores j if its code is new and returns the stored
// record (an existing one is not changed). Needs ActionManageUnits or
// ActionImportPlan on the jurisdiction. Errors: invalid, forbidden.
func (s *Store) EnsureJurisdiction(ctx context.Context, actor *plan.User, j plan.JurisdictionRecord) (*plan.JurisdictionRecord, error) {
	var out *plan.JurisdictionRecord
	err := s.write(ctx, actor, func(t *tx) error {
		res := plan.Resource{Kind: plan.ResourceJurisdiction, JurisdictionCode: j.Code}
		if !plan.Can(actor, plan.ActionManageUnits, res) {
			if err := plan.Authorize(actor, plan.ActionImportPlan, res); err != nil {
				return err
			}
		}
		var err error
		out, err = t.ensureJurisdiction(j)
		return err
	})
	return out, err
}

func (t *tx) ensureJurisdiction(j plan.JurisdictionRecord) (*plan.JurisdictionRecord, error) {
	if !plan.ValidJurisdictionCode(j.Code) {
		return nil, plan.FieldError("jurisdiction", "行政区划代码应为 6 位数字，而不是「%s」", j.Code)
	}
	if existing, err := getJurisdiction(t.conn, j.Code); err == nil {
		return existing, nil
	} else if plan.ErrorCode(err) != plan.ENotFound {
		return nil, err
	}
	if strings.TrimSpace(j.Name) == "" {
		j.Name = j.Code
	}
	j.CreatedAt = t.now
	if _, err := t.exec("INSERT INTO jurisdictions (code, name, level, parent_code, created_at) VALUES (?, ?, ?, ?, ?)",
		j.Code, j.Name, j.Level, j.ParentCode, ts(j.CreatedAt)); err != nil {
		return nil, err
	}
	return &j, t.audit("jurisdiction.create", "jurisdiction", j.Code, nil, j)
}

// requireJurisdiction makes sure a jurisdiction named by a user's input is
// stored: an unknown code that GB/T 2260 knows is stored from the division
// table (so that the first supervisor of a county can be created on an
// empty database, before any plan of it is imported); any other unknown
// code is the caller's error, not a foreign-key failure.
func (t *tx) requireJurisdiction(code string) error {
	if !plan.ValidJurisdictionCode(code) {
		return plan.FieldError("jurisdiction", "行政区划代码应为 6 位数字，而不是「%s」", code)
	}
	if _, err := getJurisdiction(t.conn, code); err == nil || plan.ErrorCode(err) != plan.ENotFound {
		return err
	}
	d, ok := division.ByCode(code)
	if !ok {
		return plan.FieldError("jurisdiction", "行政区划代码 %s 不存在", code)
	}
	_, err := t.ensureJurisdiction(plan.JurisdictionRecord{Code: d.Code, Name: division.FullName(d), Level: d.Level, ParentCode: d.ParentCode})
	return err
}

// GetJurisdiction returns a stored jurisdiction. Errors: not_found.
func (s *Store) GetJurisdiction(ctx context.Context, code string) (*plan.JurisdictionRecord, error) {
	var j *plan.JurisdictionRecord
	err := s.read(ctx, func(c conn) error {
		var err error
		j, err = getJurisdiction(c, code)
		return err
	})
	return j, err
}

func getJurisdiction(c conn, code string) (*plan.JurisdictionRecord, error) {
	var j plan.JurisdictionRecord
	var created string
	err := c.row("SELECT code, name, level, parent_code, created_at FROM jurisdictions WHERE code = ?", code).
		Scan(&j.Code, &j.Name, &j.Level, &j.ParentCode, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("行政区划 %s 不存在", code)
	}
	j.CreatedAt = parseTS(created)
	return &j, err
}

// EnsureUnit finds the unit named name in the jurisdiction or creates it
// (names are compared after trimming spaces). The jurisdiction must be
// stored or known to GB/T 2260 (it is then stored).
// Needs ActionManageUnits or ActionImportPlan. Errors: invalid, forbidden.
func (s *Store) EnsureUnit(ctx context.Context, actor *plan.User, jurisdictionCode, name string) (*plan.Unit, error) {
	var u *plan.Unit
	err := s.write(ctx, actor, func(t *tx) error {
		res := plan.Resource{Kind: plan.ResourceUnit, JurisdictionCode: jurisdictionCode}
		if !plan.Can(actor, plan.ActionManageUnits, res) {
			if err := plan.Authorize(actor, plan.ActionImportPlan, plan.Resource{Kind: plan.ResourceJurisdiction, JurisdictionCode: jurisdictionCode}); err != nil {
				return err
			}
		}
		if err := t.requireJurisdiction(jurisdictionCode); err != nil {
			return err
		}
		var err error
		u, err = t.ensureUnit(jurisdictionCode, name)
		return err
	})
	return u, err
}

func (t *tx) ensureUnit(code, name string) (*plan.Unit, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, plan.FieldError("unit", "单位名称不能为空")
	}
	u, err := findUnit(t.conn, code, name)
	if err == nil {
		return u, nil
	} else if plan.ErrorCode(err) != plan.ENotFound {
		return nil, err
	}
	u = &plan.Unit{ID: t.s.id("unit"), JurisdictionCode: code, Name: name, CreatedAt: t.now}
	if _, err := t.exec("INSERT INTO units (id, jurisdiction_code, name, created_at) VALUES (?, ?, ?, ?)",
		u.ID, u.JurisdictionCode, u.Name, ts(u.CreatedAt)); err != nil {
		return nil, err
	}
	return u, t.audit("unit.create", "unit", u.ID, nil, u)
}

func findUnit(c conn, code, name string) (*plan.Unit, error) {
	return scanUnit(c.row("SELECT id, jurisdiction_code, name, created_at FROM units WHERE jurisdiction_code = ? AND name = ?", code, strings.TrimSpace(name)))
}

func scanUnit(r *sql.Row) (*plan.Unit, error) {
	var u plan.Unit
	var created string
	err := r.Scan(&u.ID, &u.JurisdictionCode, &u.Name, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("单位不存在")
	}
	u.CreatedAt = parseTS(created)
	return &u, err
}

// GetUnit returns a unit by ID. Errors: not_found.
func (s *Store) GetUnit(ctx context.Context, id string) (*plan.Unit, error) {
	var u *plan.Unit
	err := s.read(ctx, func(c conn) error {
		var err error
		u, err = scanUnit(c.row("SELECT id, jurisdiction_code, name, created_at FROM units WHERE id = ?", id))
		return err
	})
	return u, err
}

// FindUnit returns the unit of a jurisdiction by name. Errors: not_found.
func (s *Store) FindUnit(ctx context.Context, jurisdictionCode, name string) (*plan.Unit, error) {
	var u *plan.Unit
	err := s.read(ctx, func(c conn) error {
		var err error
		u, err = findUnit(c, jurisdictionCode, name)
		return err
	})
	return u, err
}

// ListUnits returns the units of a jurisdiction ("" for all), by name.
func (s *Store) ListUnits(ctx context.Context, jurisdictionCode string) ([]plan.Unit, error) {
	var out []plan.Unit
	err := s.read(ctx, func(c conn) error {
		rows, err := c.query("SELECT id, jurisdiction_code, name, created_at FROM units WHERE (? = '' OR jurisdiction_code = ?) ORDER BY jurisdiction_code, name", jurisdictionCode, jurisdictionCode)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var u plan.Unit
			var created string
			if err := rows.Scan(&u.ID, &u.JurisdictionCode, &u.Name, &created); err != nil {
				return err
			}
			u.CreatedAt = parseTS(created)
			out = append(out, u)
		}
		return rows.Err()
	})
	return out, err
}
