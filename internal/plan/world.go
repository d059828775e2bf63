package plan

import "time"

// Role is what a user may do; the names are fixed by spec/interfaces.md.
type Role string

// The roles of DESIGN.md §2.
const (
	RoleAdmin       Role = "admin"       // the installation: users, units, jurisdictions
	RoleSupervisor  Role = "supervisor"  // 民生办/督查室: every project of its jurisdiction
	RoleReporter    Role = "reporter"    // a lead unit (牵头单位): its own projects
	RoleContributor Role = "contributor" // a responsible unit (责任单位): adds its contribution
	RoleLeader      Role = "leader"      // 责任领导/区领导: reads
	RoleDeputy      Role = "deputy"      // 人大代表: reads 人大票决 projects
)

// Roles lists every role, in the order a form offers them.
var Roles = []Role{RoleAdmin, RoleSupervisor, RoleReporter, RoleContributor, RoleLeader, RoleDeputy}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Label is the role's Chinese name.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "系统管理员"
	case RoleSupervisor:
		return "民生办/督查室"
	case RoleReporter:
		return "牵头单位填报人"
	case RoleContributor:
		return "责任单位填报人"
	case RoleLeader:
		return "责任领导"
	case RoleDeputy:
		return "人大代表"
	}
	return string(r)
}

// NeedsUnit reports whether a user of this role must belong to a unit:
// reporters and contributors act for a unit and see only its projects.
func (r Role) NeedsUnit() bool { return r == RoleReporter || r == RoleContributor }

// JurisdictionRecord is a stored jurisdiction (行政区划), keyed by its
// GB/T 2260 code.
type JurisdictionRecord struct {
	Code       string    `json:"code"`
	Name       string    `json:"name"`
	Level      string    `json:"level,omitempty"`       // LevelProvince, LevelCity, LevelCounty or ""
	ParentCode string    `json:"parent_code,omitempty"` // "" for a root
	CreatedAt  time.Time `json:"created_at"`
}

// Unit is a government department of one jurisdiction (区人社局, 团区委 …).
// Its name is unique within the jurisdiction, as plans name units only by
// their normalised name.
type Unit struct {
	ID               string    `json:"id"`
	JurisdictionCode string    `json:"jurisdiction_code"`
	Name             string    `json:"name"`
	CreatedAt        time.Time `json:"created_at"`
}

// User is a person who logs in. UnitID is set for reporters and
// contributors (and may be for others); JurisdictionCode bounds what a
// supervisor, leader or deputy sees.
type User struct {
	ID               string    `json:"id"`
	Username         string    `json:"username"`
	DisplayName      string    `json:"display_name,omitempty"`
	Role             Role      `json:"role"`
	UnitID           string    `json:"unit_id,omitempty"`
	JurisdictionCode string    `json:"jurisdiction_code,omitempty"`
	Disabled         bool      `json:"disabled"`
	FailedLogins     int       `json:"-"`
	LockedUntil      time.Time `json:"-"` // zero when not locked
	// MustChangePassword: the password was set by an administrator, or is
	// past its age; until it is changed the user may do nothing else.
	MustChangePassword bool      `json:"-"`
	PasswordChangedAt  time.Time `json:"-"`
	// TOTPEnabled: a login needs a code from the user's authenticator app.
	TOTPEnabled bool      `json:"-"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Validate checks a user before it is stored.
func (u *User) Validate() error {
	var ps Problems
	if u.Username == "" {
		ps.errorf("username", "用户名不能为空")
	} else if len([]rune(u.Username)) > 64 {
		ps.errorf("username", "用户名不能超过 64 个字符")
	}
	if !u.Role.Valid() {
		ps.errorf("role", "角色「%s」无效，应为 admin、supervisor、reporter、contributor、leader、deputy 之一", u.Role)
	}
	if u.Role.NeedsUnit() && u.UnitID == "" {
		ps.errorf("unit", "%s必须属于一个单位", u.Role.Label())
	}
	if u.Role != RoleAdmin && u.Role.Valid() && u.JurisdictionCode == "" {
		ps.errorf("jurisdiction", "%s必须指定行政区划", u.Role.Label())
	}
	return ps.Err()
}

// SystemUser is the actor of work the program does by itself or on an
// operator's command line (demo data, imports from the CLI, migrations of
// data). Can allows it everything; never give it to a logged-in session.
var SystemUser = &User{ID: "system", Username: "system", Role: roleSystem}

const roleSystem Role = "system"

// IsSystem reports whether u is SystemUser's role: the program itself.
func (u *User) IsSystem() bool { return u != nil && u.Role == roleSystem }
