package lifecycle

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/codes"
	"fuyi/services/errs"
	"fuyi/services/pii"
)

// PartyInput is an applicant or third party on input.
type PartyInput struct {
	Name     string
	Type     string // citizen | legal_person | other_org, or its Chinese name
	IDNumber string
	Phone    string
	Address  string
}

// CreateInput registers an application, with the ledger's field names
// (DESIGN §6–7). Field errors are keyed by those JSON names.
type CreateInput struct {
	// OrganID is required only when the caller is granted several organs.
	OrganID int64
	// Applicant is one applicant's name; Applicants gives several with details.
	Applicant     string
	Applicants    []PartyInput
	ApplicantType string
	Agent         string
	ThirdParties  []PartyInput
	// RespondentID or RespondentName (the exact name of one of the organ's agencies).
	RespondentID        int64
	RespondentName      string
	ActType             string // a code or its Chinese name
	Area                string
	ActDocumentNo       string
	ActDate             string
	Request             string
	Channel             string
	ReceivedOn          string
	HandlerID           *int64
	Note                string
	CompensationClaimed int64 // fen
}

// caseNoKind is the case_counters kind of reconsideration case numbers.
const caseNoKind = "case"

// Create registers a new application as p: it validates every field (all
// field errors at once), allocates the case number and writes the case, its
// parties, the "create" event and version 1 in one transaction, then runs the
// hooks with before = nil.
func (s *Service) Create(ctx context.Context, p *auth.Principal, in CreateInput) (*CaseView, error) {
	if !p.CanWriteCases() {
		return nil, forbiddenWrite()
	}
	f := fieldErrs{}
	organID := in.OrganID
	switch {
	case organID != 0:
		if !p.CanSeeOrgan(organID) {
			f.add("organ_id", "无权在该复议机关登记案件或机关不存在", "unknown organ, or not one of yours")
		}
	case len(p.OrganIDs) == 1:
		organID = p.OrganIDs[0]
	case len(p.OrganIDs) == 0:
		return nil, errs.Forbidden("您没有被授权任何复议机关", "you are not granted any organ")
	default:
		f.add("organ_id", "您被授权多个复议机关，请指定 organ_id", "you have several organs: organ_id is required")
	}
	c := &models.Case{OrganID: organID, Status: StatusReceived, Version: 1, CreatedBy: p.UserID}
	applicants := normaliseParties(in.Applicants)
	if name := strings.TrimSpace(in.Applicant); name != "" && len(applicants) == 0 {
		applicants = []PartyInput{{Name: name, Type: in.ApplicantType}}
	}
	s.validateParties(f, "applicants", applicants)
	if len(applicants) == 0 {
		f.add("applicant", "请填写申请人", "applicant is required")
	}
	thirds := normaliseParties(in.ThirdParties)
	s.validateParties(f, "third_parties", thirds)
	c.Applicant = joinNames(applicants)
	limit(f, "applicant", c.Applicant, 300)
	at := in.ApplicantType
	if at == "" && len(applicants) > 0 {
		at = applicants[0].Type
	}
	c.ApplicantType = parseCode(f, "applicant_type", codes.ApplicantTypes, at, false)
	c.Agent = strings.TrimSpace(in.Agent)
	limit(f, "agent", c.Agent, 200)
	c.ActType = parseCode(f, "act_type", codes.ActTypes, in.ActType, true)
	c.Area = parseCode(f, "area", codes.Areas, in.Area, false)
	c.Channel = parseCode(f, "channel", codes.Channels, in.Channel, false)
	c.ActDocumentNo = strings.TrimSpace(in.ActDocumentNo)
	limit(f, "act_document_no", c.ActDocumentNo, 200)
	c.Request = strings.TrimSpace(in.Request)
	limit(f, "request", c.Request, 5000)
	c.Note = strings.TrimSpace(in.Note)
	limit(f, "note", c.Note, 5000)
	today := s.today()
	if dateCheck(f, "received_on", strings.TrimSpace(in.ReceivedOn), true, today) {
		c.ReceivedOn = strings.TrimSpace(in.ReceivedOn)
		c.Regime = regimeFor(c.ReceivedOn)
		y, _ := strconv.Atoi(c.ReceivedOn[:4])
		c.Year = y
	}
	if ad := strings.TrimSpace(in.ActDate); dateCheck(f, "act_date", ad, false, today) {
		c.ActDate = &ad
		if c.ReceivedOn != "" && ad > c.ReceivedOn {
			f.add("act_date", "行政行为日期不能晚于收件日期", "act_date must not be after received_on")
		}
	}
	if in.CompensationClaimed < 0 {
		f.add("compensation_claimed", "金额不能为负数", "must not be negative")
	}
	c.CompensationClaimed = in.CompensationClaimed
	if in.RespondentID == 0 && strings.TrimSpace(in.RespondentName) == "" {
		f.add("respondent", "请填写被申请人", "respondent is required")
	}
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		var organ models.Organ
		if organID != 0 && f["organ_id"].ZH == "" {
			if err := tx.Where("id = ?", organID).Take(&organ).Error; err != nil {
				if errors.Is(err, gorm.ErrRecordNotFound) {
					f.add("organ_id", "复议机关不存在", "no such organ")
				} else {
					return errs.Internal(err)
				}
			}
		}
		if organ.ID != 0 {
			if _, bad := f["respondent"]; !bad {
				id, err := resolveRespondent(tx, organ.ID, in.RespondentID, in.RespondentName, f)
				if err != nil {
					return err
				}
				c.RespondentID = id
			}
			if in.HandlerID != nil {
				if err := checkHandler(tx, organ.ID, *in.HandlerID, f); err != nil {
					return err
				}
				c.HandlerID = in.HandlerID
			}
		}
		if err := f.err(); err != nil {
			return err
		}
		seq, no, err := AllocateCaseNo(tx, &organ, c.Year)
		if err != nil {
			return err
		}
		c.Seq, c.CaseNo = seq, no
		now := s.now().UTC()
		c.CreatedAt, c.UpdatedAt, c.EditedInAppAt = now, now, &now
		if err := models.InsertCase(tx, c); err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return errs.Conflict("duplicate_case_no", "案号 "+c.CaseNo+" 已存在", "case number "+c.CaseNo+" already exists")
			}
			return errs.Internal(err)
		}
		if err := s.writeParties(tx, c.ID, applicants, thirds); err != nil {
			return err
		}
		ev := &models.CaseEvent{CaseID: c.ID, OrganID: c.OrganID, Action: "create", ToStatus: c.Status,
			EffectiveOn: ptr(c.ReceivedOn), ActorID: p.UserID, ActorName: actorName(p), Payload: `{}`, Note: "", CreatedAt: now}
		if err := models.InsertCaseEvent(tx, ev); err != nil {
			return errs.Internal(err)
		}
		if err := s.snapshot(tx, p, c, now); err != nil {
			return err
		}
		return s.runHooks(ctx, tx, nil, c)
	})
	if err != nil {
		return nil, err
	}
	// The view is built after the commit, off the write transaction (which
	// serialises every writer): the case as written, its parties and names
	// read back through the read pool (short look-ups: see Get).
	vs, err := s.views(context.WithoutCancel(ctx), s.db.Read, p, []models.Case{*c}, true)
	if err != nil {
		return nil, err
	}
	return &vs[0], nil
}

// AllocateCaseNo hands out the next sequence number of organ's year inside tx
// and renders the case number. The counter row is created on first use (ON
// CONFLICT DO NOTHING) and bumped with UPDATE … RETURNING, whose row lock
// serialises concurrent creators on PostgreSQL (SQLite has one writer).
func AllocateCaseNo(tx *gorm.DB, organ *models.Organ, year int) (int, string, error) {
	// Plain SQL: this runs on the single SQLite writer for every new case.
	if err := tx.Exec("INSERT INTO case_counters (organ_id, year, kind, last_seq) VALUES (?, ?, ?, 0) ON CONFLICT DO NOTHING",
		organ.ID, year, caseNoKind).Error; err != nil {
		return 0, "", errs.Internal(err)
	}
	var seq int
	err := tx.Raw("UPDATE case_counters SET last_seq = last_seq + 1 WHERE organ_id = ? AND year = ? AND kind = ? RETURNING last_seq",
		organ.ID, year, caseNoKind).Row().Scan(&seq)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, "", errs.Internal(err)
	}
	if seq == 0 {
		return 0, "", errs.Internal(fmt.Errorf("case counter for organ %d year %d not found", organ.ID, year))
	}
	return seq, RenderCaseNo(organ.CaseNoPattern, organ.ShortName, year, seq), nil
}

// RenderCaseNo renders a case-number pattern: {short} the organ's short name,
// {year}, {seq} the sequence, {seq4} the sequence zero-padded to 4 digits.
// An empty pattern means "{short}复〔{year}〕{seq}号".
func RenderCaseNo(pattern, short string, year, seq int) string {
	if pattern == "" {
		pattern = "{short}复〔{year}〕{seq}号"
	}
	return strings.NewReplacer("{short}", short, "{year}", strconv.Itoa(year),
		"{seq4}", fmt.Sprintf("%04d", seq), "{seq}", strconv.Itoa(seq)).Replace(pattern)
}

// resolveRespondent finds the organ's agency by id or exact name.
func resolveRespondent(tx *gorm.DB, organID, id int64, name string, f fieldErrs) (int64, error) {
	var a models.Agency
	q := tx.Where("organ_id = ?", organID)
	if id != 0 {
		q = q.Where("id = ?", id)
	} else {
		q = q.Where("name = ?", strings.TrimSpace(name))
	}
	if err := q.Take(&a).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			f.add("respondent", "被申请人不是本复议机关的被申请人名录中的机关", "respondent is not one of the organ's agencies")
			return 0, nil
		}
		return 0, errs.Internal(err)
	}
	return a.ID, nil
}

// checkHandler requires an active user granted the organ.
func checkHandler(tx *gorm.DB, organID, userID int64, f fieldErrs) error {
	var n int64
	if err := tx.Table("users").Joins("JOIN user_organs uo ON uo.user_id = users.id AND uo.organ_id = ?", organID).
		Where("users.id = ? AND users.active = ?", userID, true).Count(&n).Error; err != nil {
		return errs.Internal(err)
	}
	if n == 0 {
		f.add("handler_id", "承办人不存在或不属于本复议机关", "handler is not an active user of this organ")
	}
	return nil
}

func normaliseParties(in []PartyInput) []PartyInput {
	out := make([]PartyInput, 0, len(in))
	for _, p := range in {
		p.Name, p.Type = strings.TrimSpace(p.Name), strings.TrimSpace(p.Type)
		p.IDNumber, p.Phone, p.Address = strings.TrimSpace(p.IDNumber), strings.TrimSpace(p.Phone), strings.TrimSpace(p.Address)
		out = append(out, p)
	}
	return out
}

// validateParties checks names, types and lengths; it rewrites type names to codes.
func (s *Service) validateParties(f fieldErrs, field string, ps []PartyInput) {
	for i := range ps {
		key := fmt.Sprintf("%s[%d]", field, i)
		if ps[i].Name == "" {
			f.add(key+".name", "请填写姓名或名称", "name is required")
		}
		limit(f, key+".name", ps[i].Name, 300)
		limit(f, key+".id_number", ps[i].IDNumber, 200)
		if s.pii.Enabled() && pii.SealedLen(len(ps[i].IDNumber)) > idNumberColumn && utf8.RuneCountInString(ps[i].IDNumber) <= 200 {
			// Sealed, the number must still fit case_parties.id_number.
			f.add(key+".id_number", "加密存储的证件号码不能超过116个字节", "an id number encrypted at rest must be at most 116 bytes")
		}
		limit(f, key+".phone", ps[i].Phone, 100)
		limit(f, key+".address", ps[i].Address, 300)
		if ps[i].Type != "" {
			ps[i].Type = parseCode(f, key+".type", codes.ApplicantTypes, ps[i].Type, false)
		}
	}
}

// idNumberColumn is the width of case_parties.id_number.
const idNumberColumn = 200

// writeParties inserts the parties of a case, sealing ID numbers when the
// service has a PII key.
func (s *Service) writeParties(tx *gorm.DB, caseID int64, applicants, thirds []PartyInput) error {
	var rows []models.CaseParty
	for i, a := range applicants {
		rows = append(rows, models.CaseParty{CaseID: caseID, Role: PartyApplicant, Position: i, Name: a.Name, PartyType: a.Type, IDNumber: s.pii.Seal(a.IDNumber), Phone: a.Phone, Address: a.Address})
	}
	for i, a := range thirds {
		rows = append(rows, models.CaseParty{CaseID: caseID, Role: PartyThirdParty, Position: i, Name: a.Name, PartyType: a.Type, IDNumber: s.pii.Seal(a.IDNumber), Phone: a.Phone, Address: a.Address})
	}
	if len(rows) == 0 {
		return nil
	}
	if err := tx.Create(&rows).Error; err != nil {
		return errs.Internal(err)
	}
	return nil
}

func joinNames(ps []PartyInput) string {
	names := make([]string, 0, len(ps))
	for _, p := range ps {
		if p.Name != "" {
			names = append(names, p.Name)
		}
	}
	return strings.Join(names, "、")
}

// parseCode maps a code, label or alias of list to its code; "" stays "".
func parseCode(f fieldErrs, field string, list codes.List, v string, required bool) string {
	v = strings.TrimSpace(v)
	if v == "" {
		if required {
			f.add(field, "必填", "required")
		}
		return ""
	}
	code, ok := list.Parse(v)
	if !ok {
		f.add(field, "无法识别的取值："+v, "unknown value: "+v)
		return ""
	}
	return code
}

func limit(f fieldErrs, field, v string, max int) {
	if utf8.RuneCountInString(v) > max {
		f.add(field, fmt.Sprintf("不能超过%d个字", max), fmt.Sprintf("must be at most %d characters", max))
	}
}
