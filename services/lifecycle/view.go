package lifecycle

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/errs"
)

// Party roles of case_parties.
const (
	PartyApplicant  = "applicant"
	PartyThirdParty = "third_party"
)

// Party is an applicant or third party as callers see it; ID and phone
// numbers are masked unless the caller may see personal data.
type Party struct {
	Name     string
	Type     string
	IDNumber string
	Phone    string
	Address  string
}

// CaseView is a case as the service hands it out: the record, its parties,
// the names behind its ids and the actions the caller may take now.
type CaseView struct {
	ID, OrganID          int64
	OrganName            string
	CaseNo, Status       string
	Version              int64
	Regime               string
	Applicant            string
	ApplicantType        string
	Applicants           []Party
	ThirdParties         []Party
	Agent                string
	RespondentID         int64
	RespondentName       string
	ActType, Area        string
	ActDocumentNo        string
	ActDate              *string
	Request, Channel     string
	Procedure            string
	HandlerID            *int64
	HandlerName          string
	ReceivedOn           string
	CorrectionNoticeOn   *string
	CorrectionDueDays    int
	CorrectionReceivedOn *string
	AcceptedOn           *string
	DeemedAccepted       bool
	// NotAcceptedOn is IntakeOn when the case was not accepted.
	NotAcceptedOn       *string
	IntakeOn            *string
	IntakeReason        string
	CopySentOn          *string
	ReplyReceivedOn     *string
	SuspendedOn         *string
	SuspendGround       string
	ExtensionDays       int
	ExtendedBy          string
	ClosedOn            *string
	ServedOn            *string
	ArchivedOn          *string
	Outcome             string
	OutcomePartial      bool
	OutcomeRedo         bool
	Termination         string
	HearingHeld         bool
	CommitteeConsulted  bool
	CompensationClaimed int64 // fen
	CompensationAwarded int64 // fen
	Note                string
	Imported            bool
	AllowedActions      []string
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// Get returns case id as p sees it; another organ's case is not found. Its
// few indexed look-ups are not tied to ctx's cancellation: the SQLite driver
// watches a cancellable context with a goroutine per row, which costs more
// than these reads.
func (s *Service) Get(ctx context.Context, p *auth.Principal, id int64) (*CaseView, error) {
	ctx = context.WithoutCancel(ctx)
	c, err := loadCase(ctx, s.db.Read, p, id)
	if err != nil {
		return nil, err
	}
	vs, err := s.views(ctx, s.db.Read, p, []models.Case{*c}, true)
	if err != nil {
		return nil, err
	}
	return &vs[0], nil
}

// views turns cases into views with batched look-ups of parties, organ,
// agency and handler names. allowPersonal=false masks personal data whatever
// the role (exports).
func (s *Service) views(ctx context.Context, q *gorm.DB, p *auth.Principal, cs []models.Case, allowPersonal bool) ([]CaseView, error) {
	if len(cs) == 0 {
		return []CaseView{}, nil
	}
	ids := make([]int64, 0, len(cs))
	organIDs, agencyIDs, userIDs := map[int64]bool{}, map[int64]bool{}, map[int64]bool{}
	for _, c := range cs {
		ids = append(ids, c.ID)
		organIDs[c.OrganID] = true
		agencyIDs[c.RespondentID] = true
		if c.HandlerID != nil {
			userIDs[*c.HandlerID] = true
		}
	}
	q = q.WithContext(ctx)
	var parties []models.CaseParty
	if err := q.Where("case_id IN ?", ids).Order("case_id, role, position, id").Find(&parties).Error; err != nil {
		return nil, errs.Internal(err)
	}
	organs, err := names(q, "organs", "name", organIDs)
	if err != nil {
		return nil, err
	}
	agencies, err := names(q, "agencies", "name", agencyIDs)
	if err != nil {
		return nil, err
	}
	users, err := names(q, "users", "CASE WHEN display_name <> '' THEN display_name ELSE username END", userIDs)
	if err != nil {
		return nil, err
	}
	unmasked := allowPersonal && p.CanSeePersonalData()
	byCase := map[int64][]models.CaseParty{}
	for _, pt := range parties {
		byCase[pt.CaseID] = append(byCase[pt.CaseID], pt)
	}
	out := make([]CaseView, len(cs))
	for i := range cs {
		c := &cs[i]
		v := viewOf(c)
		v.OrganName = organs[c.OrganID]
		v.RespondentName = agencies[c.RespondentID]
		if c.HandlerID != nil {
			v.HandlerName = users[*c.HandlerID]
		}
		for _, pt := range byCase[c.ID] {
			idNumber, err := s.openIDNumber(pt.IDNumber)
			if err != nil {
				return nil, err
			}
			party := Party{Name: pt.Name, Type: pt.PartyType, IDNumber: idNumber, Phone: pt.Phone, Address: pt.Address}
			if !unmasked {
				party.IDNumber, party.Phone = MaskIDNumber(idNumber), MaskPhone(pt.Phone)
				party.Address = MaskAddress(pt.Address)
			}
			switch pt.Role {
			case PartyApplicant:
				v.Applicants = append(v.Applicants, party)
			case PartyThirdParty:
				v.ThirdParties = append(v.ThirdParties, party)
			}
		}
		v.AllowedActions = AllowedActions(c, p)
		out[i] = v
	}
	return out, nil
}

func viewOf(c *models.Case) CaseView {
	v := CaseView{
		ID: c.ID, OrganID: c.OrganID, CaseNo: c.CaseNo, Status: c.Status, Version: c.Version, Regime: c.Regime,
		Applicant: c.Applicant, ApplicantType: c.ApplicantType, Agent: c.Agent, RespondentID: c.RespondentID,
		ActType: c.ActType, Area: c.Area, ActDocumentNo: c.ActDocumentNo, ActDate: c.ActDate,
		Request: c.Request, Channel: c.Channel, Procedure: c.Procedure, HandlerID: c.HandlerID,
		ReceivedOn: c.ReceivedOn, CorrectionNoticeOn: c.CorrectionNoticeOn, CorrectionDueDays: c.CorrectionDueDays,
		CorrectionReceivedOn: c.CorrectionReceivedOn, AcceptedOn: c.AcceptedOn, DeemedAccepted: c.DeemedAccepted,
		IntakeOn: c.IntakeOn, IntakeReason: c.IntakeReason, CopySentOn: c.CopySentOn, ReplyReceivedOn: c.ReplyReceivedOn,
		SuspendedOn: c.SuspendedOn, SuspendGround: c.SuspendGround, ExtensionDays: c.ExtensionDays, ExtendedBy: c.ExtendedBy,
		ClosedOn: c.ClosedOn, ServedOn: c.ServedOn, ArchivedOn: c.ArchivedOn, Outcome: c.Outcome,
		OutcomePartial: c.OutcomePartial, OutcomeRedo: c.OutcomeRedo, Termination: c.Termination,
		HearingHeld: c.HearingHeld, CommitteeConsulted: c.CommitteeConsulted,
		CompensationClaimed: c.CompensationClaimed, CompensationAwarded: c.CompensationAwarded,
		Note: c.Note, Imported: c.Imported, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
		Applicants: []Party{}, ThirdParties: []Party{},
	}
	if c.Status == StatusNotAccepted {
		v.NotAcceptedOn = c.IntakeOn
	}
	return v
}

// names maps ids to one text column of a table.
func names(q *gorm.DB, table, expr string, ids map[int64]bool) (map[int64]string, error) {
	out, err := models.NamesByID(q, table, expr, ids)
	if err != nil {
		return nil, errs.Internal(err)
	}
	return out, nil
}

// openIDNumber returns the plain ID number of a stored one (see Options.PII).
// A sealed number that the key cannot open is an internal error: the key is
// wrong or the row was altered — never shown as if it were the number.
func (s *Service) openIDNumber(stored string) (string, error) {
	v, err := s.pii.Open(stored)
	if err != nil {
		return "", errs.Internal(err)
	}
	return v, nil
}

// MaskIDNumber keeps the first 4 and last 4 characters of an ID number
// (1101**********1234); shorter numbers keep only their last 2.
func MaskIDNumber(s string) string {
	r := []rune(strings.TrimSpace(s))
	switch {
	case len(r) == 0:
		return ""
	case len(r) > 8:
		return string(r[:4]) + strings.Repeat("*", len(r)-8) + string(r[len(r)-4:])
	case len(r) > 2:
		return strings.Repeat("*", len(r)-2) + string(r[len(r)-2:])
	default:
		return strings.Repeat("*", len(r))
	}
}

// MaskPhone keeps the first 3 and last 4 digits of a phone number (138****5678).
func MaskPhone(s string) string {
	r := []rune(strings.TrimSpace(s))
	switch {
	case len(r) == 0:
		return ""
	case len(r) >= 8:
		return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
	case len(r) > 2:
		return strings.Repeat("*", len(r)-2) + string(r[len(r)-2:])
	default:
		return strings.Repeat("*", len(r))
	}
}

// MaskAddress keeps the first 6 characters of an address (the district), the
// rest is personal data.
func MaskAddress(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= 6 {
		return string(r)
	}
	return string(r[:6]) + "****"
}
