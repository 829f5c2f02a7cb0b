package litigation

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/codes"
	"fuyi/services/errs"
)

// CreateInput registers a suit (one instance). Field errors are keyed by the
// JSON names of the API.
type CreateInput struct {
	// OrganID is required only when the caller is granted several organs.
	OrganID     int64
	Kind        string // administrative | civil | as_respondent, or the Chinese name
	Instance    string // first | second | retrial (default first)
	Court       string
	CourtCaseNo string
	Plaintiffs  []string
	// DefendantAgencyID or DefendantName (the exact name of one of the
	// organ's agencies); neither = the organ itself is the defendant.
	DefendantAgencyID     *int64
	DefendantName         string
	CoDefendantRole       string // none (default) | original_agency | reconsideration_body | sole_defendant
	ReconsiderationCaseID *int64
	PreviousInstanceID    *int64
	HandlerID             *int64
	NotifiedOn            string
	Note                  string
}

// Patch edits the descriptive fields of a record; nil fields stay. Dates and
// outcomes change only through transitions (NotifiedOn excepted: a typo in
// the receipt date must be correctable, and the deadlines follow it).
type Patch struct {
	Version               int64
	Kind                  *string
	Instance              *string
	Court                 *string
	CourtCaseNo           *string
	Plaintiffs            *[]string
	DefendantAgencyID     *int64 // 0 = the organ itself
	DefendantName         *string
	CoDefendantRole       *string
	ReconsiderationCaseID *int64 // 0 = unlink
	PreviousInstanceID    *int64 // 0 = unlink
	HandlerID             *int64 // 0 = none
	NotifiedOn            *string
	Note                  *string
}

// litigationNoKind is the case_counters kind of internal litigation numbers.
const litigationNoKind = "litigation"

// resolveOrgan picks the organ of a new record for p.
func resolveOrgan(p *auth.Principal, organID int64, f fieldErrs) (int64, error) {
	switch {
	case organID != 0:
		if !p.CanSeeOrgan(organID) {
			f.add("organ_id", "无权在该机关登记或机关不存在", "unknown organ, or not one of yours")
		}
		return organID, nil
	case len(p.OrganIDs) == 1:
		return p.OrganIDs[0], nil
	case len(p.OrganIDs) == 0:
		return 0, errs.Forbidden("您没有被授权任何机关", "you are not granted any organ")
	default:
		f.add("organ_id", "您被授权多个机关，请指定 organ_id", "you have several organs: organ_id is required")
		return 0, nil
	}
}

// Create registers a new litigation record as p: it validates every field
// (all field errors at once), allocates the internal number and writes the
// record, the "create" event, version 1 and its deadlines in one transaction.
func (s *Service) Create(ctx context.Context, p *auth.Principal, in CreateInput) (*View, error) {
	if !p.CanWriteCases() {
		return nil, forbiddenWrite()
	}
	var id int64
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		c, err := s.build(ctx, tx, p, in)
		if err != nil {
			return err
		}
		if err := s.insert(ctx, tx, p, c, "create", nil); err != nil {
			return err
		}
		id = c.ID
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, p, id)
}

// build validates in and returns the record to insert.
func (s *Service) build(ctx context.Context, tx *gorm.DB, p *auth.Principal, in CreateInput) (*models.LitigationCase, error) {
	f := fieldErrs{}
	organID, err := resolveOrgan(p, in.OrganID, f)
	if err != nil {
		return nil, err
	}
	c := &models.LitigationCase{OrganID: organID}
	c.Kind = parseCode(f, "kind", codes.LitigationKinds, in.Kind, true)
	c.Instance = InstanceFirst
	if strings.TrimSpace(in.Instance) != "" {
		c.Instance = parseCode(f, "instance", codes.Instances, in.Instance, true)
	}
	c.CoDefendantRole = RoleNone
	if strings.TrimSpace(in.CoDefendantRole) != "" {
		c.CoDefendantRole = parseCode(f, "co_defendant_role", codes.CoDefendantRoles, in.CoDefendantRole, true)
	}
	c.Court = strings.TrimSpace(in.Court)
	limit(f, "court", c.Court, 200)
	c.CourtCaseNo = strings.TrimSpace(in.CourtCaseNo)
	if c.CourtCaseNo == "" {
		f.add("court_case_no", "必填（应诉通知书上的法院案号）", "required (the court's case number on the notice)")
	}
	limit(f, "court_case_no", c.CourtCaseNo, 120)
	c.Plaintiffs = joinNames(in.Plaintiffs)
	limit(f, "plaintiffs", c.Plaintiffs, 500)
	c.Note = strings.TrimSpace(in.Note)
	limit(f, "note", c.Note, 5000)
	if nd := strings.TrimSpace(in.NotifiedOn); dateCheck(f, "notified_on", nd, true, s.today()) {
		c.NotifiedOn = nd
	}
	if organID != 0 {
		c.DefendantAgencyID = s.resolveAgency(tx, f, organID, in.DefendantAgencyID, in.DefendantName)
		c.ReconsiderationCaseID = s.resolveCase(tx, f, organID, in.ReconsiderationCaseID, c.CoDefendantRole)
		c.PreviousInstanceID = s.resolvePrevious(tx, f, organID, 0, in.PreviousInstanceID)
		c.HandlerID = s.resolveHandler(tx, f, organID, in.HandlerID)
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	return c, nil
}

// insert numbers and writes a new record with its event, version 1 and deadlines.
func (s *Service) insert(ctx context.Context, tx *gorm.DB, p *auth.Principal, c *models.LitigationCase, action string, payload map[string]any) error {
	if err := uniqueCourtNo(tx, c.OrganID, c.CourtCaseNo, 0); err != nil {
		return err
	}
	year, _ := strconv.Atoi(c.NotifiedOn[:4])
	seq, no, err := allocateNumber(tx, c.OrganID, year)
	if err != nil {
		return err
	}
	now := s.now().UTC()
	c.Year, c.Seq, c.InternalNo = year, seq, no
	if c.Status == "" {
		c.Status = StatusNotified
	}
	c.Version = 1
	c.CreatedBy = actorID(p)
	c.CreatedAt, c.UpdatedAt = now, now
	ds, err := s.planLitigation(ctx, tx, c)
	if err != nil {
		return err
	}
	if err := tx.Create(c).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return duplicateCourtNo(c.CourtCaseNo)
		}
		return errs.Internal(err)
	}
	if err := rollupCase(tx, nil, c); err != nil {
		return err
	}
	if err := appendEvent(tx, p, SubjectLitigation, c.ID, c.OrganID, action, "", c.Status, ptr(c.NotifiedOn), payload, "", now); err != nil {
		return err
	}
	if err := snapshotLitigation(tx, p, c, now); err != nil {
		return err
	}
	return writeDeadlines(tx, SubjectLitigation, c.ID, c.OrganID, c.HandlerID, ds, now)
}

func duplicateCourtNo(no string) error {
	return errs.Conflict("duplicate_court_case_no", "该法院案号已登记："+no, "this court case number is already registered: "+no).
		Field("court_case_no", "已登记", "already registered")
}

// uniqueCourtNo refuses a court case number already used in the organ (409).
func uniqueCourtNo(tx *gorm.DB, organID int64, no string, except int64) error {
	var n int64
	if err := tx.Model(&models.LitigationCase{}).Where("organ_id = ? AND court_case_no = ? AND id <> ?", organID, no, except).Count(&n).Error; err != nil {
		return errs.Internal(err)
	}
	if n > 0 {
		return duplicateCourtNo(no)
	}
	return nil
}

// allocateNumber hands out the next internal number of the organ and year,
// e.g. 平应诉〔2022〕7号; concurrency-safe through the counter row.
func allocateNumber(tx *gorm.DB, organID int64, year int) (int, string, error) {
	var organ models.Organ
	if err := tx.Select("id", "short_name").Where("id = ?", organID).Take(&organ).Error; err != nil {
		return 0, "", errs.Internal(err)
	}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).
		Create(&models.CaseCounter{OrganID: organID, Year: year, Kind: litigationNoKind}).Error; err != nil {
		return 0, "", errs.Internal(err)
	}
	var seq int
	if err := tx.Raw("UPDATE case_counters SET last_seq = last_seq + 1 WHERE organ_id = ? AND year = ? AND kind = ? RETURNING last_seq",
		organID, year, litigationNoKind).Scan(&seq).Error; err != nil {
		return 0, "", errs.Internal(err)
	}
	return seq, organ.ShortName + "应诉〔" + strconv.Itoa(year) + "〕" + strconv.Itoa(seq) + "号", nil
}

// Update edits a record's descriptive fields (PATCH with version).
func (s *Service) Update(ctx context.Context, p *auth.Principal, id int64, in Patch) (*View, error) {
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		before, err := loadLitigation(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if !p.CanWriteCases() {
			return forbiddenWrite()
		}
		if in.Version == 0 {
			return errs.InvalidField("version", "必须提供版本号", "version is required")
		}
		if in.Version != before.Version {
			return errs.Stale(before.Version)
		}
		c := *before
		f := fieldErrs{}
		changed := map[string]any{}
		if in.Kind != nil {
			c.Kind = parseCode(f, "kind", codes.LitigationKinds, *in.Kind, true)
		}
		if in.Instance != nil {
			c.Instance = parseCode(f, "instance", codes.Instances, *in.Instance, true)
		}
		if in.Court != nil {
			c.Court = strings.TrimSpace(*in.Court)
			limit(f, "court", c.Court, 200)
		}
		if in.CourtCaseNo != nil {
			c.CourtCaseNo = strings.TrimSpace(*in.CourtCaseNo)
			if c.CourtCaseNo == "" {
				f.add("court_case_no", "必填", "required")
			}
			limit(f, "court_case_no", c.CourtCaseNo, 120)
		}
		if in.Plaintiffs != nil {
			c.Plaintiffs = joinNames(*in.Plaintiffs)
			limit(f, "plaintiffs", c.Plaintiffs, 500)
		}
		if in.CoDefendantRole != nil {
			c.CoDefendantRole = parseCode(f, "co_defendant_role", codes.CoDefendantRoles, *in.CoDefendantRole, true)
		}
		if in.DefendantAgencyID != nil || in.DefendantName != nil {
			var name string
			if in.DefendantName != nil {
				name = *in.DefendantName
			}
			var aid *int64
			if in.DefendantAgencyID != nil && *in.DefendantAgencyID != 0 {
				aid = in.DefendantAgencyID
			}
			c.DefendantAgencyID = s.resolveAgency(tx, f, c.OrganID, aid, name)
		}
		if in.ReconsiderationCaseID != nil || in.CoDefendantRole != nil {
			rid := c.ReconsiderationCaseID
			if in.ReconsiderationCaseID != nil {
				rid = nil
				if *in.ReconsiderationCaseID != 0 {
					rid = in.ReconsiderationCaseID
				}
			}
			c.ReconsiderationCaseID = s.resolveCase(tx, f, c.OrganID, rid, c.CoDefendantRole)
		}
		if in.PreviousInstanceID != nil {
			c.PreviousInstanceID = nil
			if *in.PreviousInstanceID != 0 {
				c.PreviousInstanceID = s.resolvePrevious(tx, f, c.OrganID, c.ID, in.PreviousInstanceID)
			}
		}
		if in.HandlerID != nil {
			c.HandlerID = nil
			if *in.HandlerID != 0 {
				c.HandlerID = s.resolveHandler(tx, f, c.OrganID, in.HandlerID)
			}
		}
		if in.NotifiedOn != nil {
			nd := strings.TrimSpace(*in.NotifiedOn)
			if dateCheck(f, "notified_on", nd, true, s.today()) {
				c.NotifiedOn = nd
				if first := firstLaterDate(&c); first != "" && nd > first {
					f.add("notified_on", "收到应诉通知日期不能晚于后续程序日期（"+first+"）", "notified_on must not follow a later step ("+first+")")
				}
			}
		}
		if in.Note != nil {
			c.Note = strings.TrimSpace(*in.Note)
			limit(f, "note", c.Note, 5000)
		}
		if err := f.err(); err != nil {
			return err
		}
		if c.CourtCaseNo != before.CourtCaseNo {
			if err := uniqueCourtNo(tx, c.OrganID, c.CourtCaseNo, c.ID); err != nil {
				return err
			}
		}
		for k, v := range litigationColumns(&c) {
			if old := litigationColumns(before)[k]; !sameValue(old, v) && k != "updated_at" && k != "version" {
				changed[k] = v
			}
		}
		return s.save(ctx, tx, p, before, &c, "edit", nil, map[string]any{"changed": changed}, "")
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, p, id)
}

// firstLaterDate is the earliest step date after notification.
func firstLaterDate(c *models.LitigationCase) string {
	best := ""
	for _, d := range []*string{c.DefenceFiledOn, c.SuspendedOn, c.ConcludedOn, c.ServedOn, c.AppealedOn, c.EffectiveOn, c.ClosedOn} {
		if d != nil && (best == "" || *d < best) {
			best = *d
		}
	}
	return best
}

func sameValue(a, b any) bool {
	deref := func(v any) any {
		switch x := v.(type) {
		case *string:
			if x == nil {
				return nil
			}
			return *x
		case *int64:
			if x == nil {
				return nil
			}
			return *x
		case *bool:
			if x == nil {
				return nil
			}
			return *x
		}
		return v
	}
	return deref(a) == deref(b)
}

// resolveAgency finds the defendant agency of the organ by id or exact name.
func (s *Service) resolveAgency(tx *gorm.DB, f fieldErrs, organID int64, id *int64, name string) *int64 {
	name = strings.TrimSpace(name)
	var a models.Agency
	switch {
	case id != nil && *id != 0:
		if err := tx.Select("id").Where("id = ? AND organ_id = ?", *id, organID).Take(&a).Error; err != nil {
			f.add("defendant_agency_id", "被告机关不存在或不属于本机关", "unknown agency, or not one of this organ's")
			return nil
		}
		return &a.ID
	case name != "":
		var organ models.Organ
		if err := tx.Select("id", "name").Where("id = ?", organID).Take(&organ).Error; err == nil && organ.Name == name {
			return nil
		}
		if err := tx.Select("id").Where("name = ? AND organ_id = ?", name, organID).Take(&a).Error; err != nil {
			f.add("defendant", "被告机关不存在："+name, "unknown agency: "+name)
			return nil
		}
		return &a.ID
	}
	return nil
}

// upheldLike are reconsideration outcomes that count as 维持 for ALL Art.
// 26(2) (ALL-Interp Art. 133): the body becomes a co-defendant.
var upheldLike = []string{"upheld", "request_rejected", "application_dismissed"}

// changedLike are outcomes that change the act: the body alone is defendant.
var changedLike = []string{"varied", "revoked"}

// resolveCase checks the linked reconsideration case (same organ) and that
// the co-defendant role fits its outcome (ALL Art. 26(2); domain §5.2).
func (s *Service) resolveCase(tx *gorm.DB, f fieldErrs, organID int64, id *int64, role string) *int64 {
	if id == nil || *id == 0 {
		return nil
	}
	var c models.Case
	if err := tx.Select("id", "outcome").Where("id = ? AND organ_id = ?", *id, organID).Take(&c).Error; err != nil {
		f.add("reconsideration_case_id", "复议案件不存在或不属于本机关", "unknown reconsideration case, or not this organ's")
		return nil
	}
	switch {
	case (role == RoleOriginalAgency || role == RoleReconsiderationBody) && contains(changedLike, c.Outcome):
		f.add("co_defendant_role", "复议决定改变了原行政行为，复议机关为单独被告（《行政诉讼法》第二十六条第二款）",
			"the decision changed the act: the reconsideration body is the sole defendant (ALL Art. 26(2))")
	case role == RoleSoleDefendant && contains(upheldLike, c.Outcome):
		f.add("co_defendant_role", "复议维持的，原行政机关和复议机关为共同被告（《行政诉讼法》第二十六条第二款）",
			"the decision upheld the act: the agency and the body are co-defendants (ALL Art. 26(2))")
	}
	return &c.ID
}

// resolvePrevious checks the previous-instance link (same organ, not itself).
func (s *Service) resolvePrevious(tx *gorm.DB, f fieldErrs, organID, self int64, id *int64) *int64 {
	if id == nil || *id == 0 {
		return nil
	}
	var c models.LitigationCase
	if *id == self || tx.Select("id").Where("id = ? AND organ_id = ?", *id, organID).Take(&c).Error != nil {
		f.add("previous_instance_id", "前一审级案件不存在或不属于本机关", "unknown previous instance, or not this organ's")
		return nil
	}
	return &c.ID
}

// resolveHandler checks that the handler is an active user granted the organ.
func (s *Service) resolveHandler(tx *gorm.DB, f fieldErrs, organID int64, id *int64) *int64 {
	if id == nil || *id == 0 {
		return nil
	}
	var n int64
	if err := tx.Table("users").Joins("JOIN user_organs ON user_organs.user_id = users.id").
		Where("users.id = ? AND user_organs.organ_id = ? AND users.active = ?", *id, organID, true).Count(&n).Error; err != nil || n == 0 {
		f.add("handler_id", "承办人不存在或未被授权本机关", "unknown handler, or not granted this organ")
		return nil
	}
	return id
}

func parseCode(f fieldErrs, field string, l codes.List, v string, required bool) string {
	v = strings.TrimSpace(v)
	if v == "" {
		if required {
			f.add(field, "必填", "required")
		}
		return ""
	}
	c, ok := l.Parse(v)
	if !ok {
		f.add(field, "无效的取值："+v+"（可选："+strings.Join(l.Codes(), ", ")+"）", "invalid value: "+v+" (one of "+strings.Join(l.Codes(), ", ")+")")
		return ""
	}
	return c
}

func limit(f fieldErrs, field, v string, n int) {
	if len([]rune(v)) > n {
		f.add(field, "过长（最多 "+strconv.Itoa(n)+" 字）", "too long (at most "+strconv.Itoa(n)+" characters)")
	}
}

// joinNames trims names, drops empties and joins them with "、".
func joinNames(ns []string) string {
	out := make([]string, 0, len(ns))
	for _, n := range ns {
		for _, part := range strings.FieldsFunc(n, func(r rune) bool { return r == '、' || r == ';' || r == '；' }) {
			if p := strings.TrimSpace(part); p != "" {
				out = append(out, p)
			}
		}
	}
	return strings.Join(out, "、")
}

func splitNames(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, "、")
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
