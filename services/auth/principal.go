package auth

import "slices"

// Roles.
const (
	RoleAdmin    = "admin"
	RoleManager  = "manager"
	RoleOfficer  = "officer"
	RoleReporter = "reporter"
)

// Roles lists every role.
var Roles = []string{RoleAdmin, RoleManager, RoleOfficer, RoleReporter}

// Principal is the authenticated caller, as every service sees it.
type Principal struct {
	UserID      int64
	Username    string
	DisplayName string
	Role        string
	// OrganIDs are the organs the user is granted; every query is scoped to them.
	OrganIDs []int64
}

// CanSeeOrgan reports whether p may see data of organ id.
func (p *Principal) CanSeeOrgan(id int64) bool {
	return p != nil && slices.Contains(p.OrganIDs, id)
}

// CanWriteCases reports whether p may create and change cases.
func (p *Principal) CanWriteCases() bool {
	return p != nil && (p.Role == RoleOfficer || p.Role == RoleManager || p.Role == RoleAdmin)
}

// CanSeePersonalData reports whether p may see unmasked ID and phone numbers.
// Reporters work with statistics and never need them.
func (p *Principal) CanSeePersonalData() bool {
	return p != nil && (p.Role == RoleOfficer || p.Role == RoleManager || p.Role == RoleAdmin)
}

// IsAdmin reports whether p administers the deployment.
func (p *Principal) IsAdmin() bool { return p != nil && p.Role == RoleAdmin }

// IsManager reports whether p is a manager (or admin).
func (p *Principal) IsManager() bool {
	return p != nil && (p.Role == RoleManager || p.Role == RoleAdmin)
}
