package litigation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/errs"
	"fuyi/services/ledger"
)

// KindLedger is the import kind of the litigation ledger (ledger.Jobs.Register).
const KindLedger = "litigation"

// LedgerLayout is the litigation ledger of issue 5 (Chinese or English headers).
var LedgerLayout = ledger.Layout{Name: "行政应诉案件台账", Columns: []ledger.Column{
	{Key: "court_case_no", ZH: "法院案号", Required: true, Aliases: []string{"案号", "诉讼案号"}},
	{Key: "kind", ZH: "案件类别", Required: true, Aliases: []string{"案件类型", "类别"}},
	{Key: "instance", ZH: "审级", Aliases: []string{"审理程序"}},
	{Key: "plaintiff", ZH: "原告", Aliases: []string{"原告（上诉人）", "上诉人", "plaintiffs"}},
	{Key: "defendant", ZH: "被告", Aliases: []string{"被告机关"}},
	{Key: "court", ZH: "法院", Aliases: []string{"审理法院", "受理法院"}},
	{Key: "notified_on", ZH: "收到应诉通知日期", Required: true, Aliases: []string{"收到应诉通知书日期", "应诉通知日期", "收案日期"}},
	{Key: "hearing_on", ZH: "开庭日期", Aliases: []string{"庭审日期"}},
	{Key: "head_appeared", ZH: "负责人出庭", Aliases: []string{"负责人是否出庭", "负责人出庭应诉"}},
	{Key: "concluded_on", ZH: "裁判日期", Aliases: []string{"结案日期", "判决日期"}},
	{Key: "outcome", ZH: "裁判结果", Aliases: []string{"判决结果", "结案方式"}},
	{Key: "reconsideration_case_no", ZH: "关联复议案号", Aliases: []string{"复议案号"}},
	{Key: "note", ZH: "备注", Aliases: []string{"notes", "remark"}},
}}

// ledgerRow is one validated row awaiting the write pass.
type ledgerRow struct {
	num       int
	spec      SeedSpec
	defendant string // agency name ("" or the organ's own name = the organ)
	hash      string
	existing  *models.LitigationCase
}

// ImportLedger reads a litigation ledger into an organ with every guarantee
// of the case ledger import (ledger.Import): every row validated first (all
// problems with row, column and reason, nothing written on any), one
// transaction for the write (all or nothing), idempotent by court case
// number (a re-import of the same rows changes nothing; a changed row
// updates a record that has not been edited in the app since its import,
// else it is a conflict), and progress. A row's 开庭日期 becomes one hearing
// whose appearance is 负责人出庭: 是 → head, 否 → staff (the ledger does
// not say who else appeared). Unknown defendants become agencies of the
// organ. It has the ledger.Importer signature.
func ImportLedger(ctx context.Context, db *models.DB, opts ledger.ImportOptions, progress ledger.ProgressFunc) (*ledger.Result, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return New(db, Options{Now: now}).ImportLedger(ctx, opts, progress)
}

// ImportLedger is the package-level ImportLedger with the service's clock and calendar.
func (s *Service) ImportLedger(ctx context.Context, opts ledger.ImportOptions, progress ledger.ProgressFunc) (*ledger.Result, error) {
	if progress == nil {
		progress = func(int, int) {}
	}
	res := &ledger.Result{Kind: KindLedger, DryRun: opts.DryRun, AgenciesCreated: []string{}, Conflicts: []ledger.Conflict{},
		Errors: []ledger.Problem{}, Warnings: []ledger.Problem{}}
	organ, err := s.ledgerOrgan(ctx, opts)
	if err != nil {
		return nil, err
	}
	res.OrganID, res.OrganName = organ.ID, organ.Name
	if opts.Phase != nil {
		opts.Phase(ledger.PhaseValidating)
	}
	rows, err := s.validateLedger(ctx, organ, opts, res, progress)
	if err != nil {
		return nil, err
	}
	if !res.OK() {
		return res, nil
	}
	if len(res.Conflicts) > 0 && !opts.SkipConflicts {
		res.Refused = &ledger.Problem{ZH: fmt.Sprintf("%d 个应诉案件在上次导入后已在系统中修改，本次导入未写入任何数据；可选择“跳过冲突”再导入", len(res.Conflicts)),
			EN: fmt.Sprintf("%d litigation records were edited in the app since their last import; nothing was written. Re-run with skip_conflicts", len(res.Conflicts))}
		return res, nil
	}
	if opts.DryRun {
		return res, nil
	}
	if opts.Phase != nil {
		opts.Phase(ledger.PhaseWriting)
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		agencies := map[string]int64{}
		for i, r := range rows {
			if i%200 == 0 {
				progress(i, len(rows))
			}
			if err := s.writeLedgerRow(ctx, tx, organ, r, agencies); err != nil {
				return fmt.Errorf("row %d: %w", r.num, err)
			}
		}
		progress(len(rows), len(rows))
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.Written = true
	return res, nil
}

func (s *Service) ledgerOrgan(ctx context.Context, opts ledger.ImportOptions) (*models.Organ, error) {
	q := s.db.Read.WithContext(ctx)
	var o models.Organ
	switch {
	case opts.OrganID != 0:
		if err := q.Where("id = ?", opts.OrganID).Take(&o).Error; err != nil {
			return nil, errs.NotFound("organ", "复议机关")
		}
	case strings.TrimSpace(opts.OrganName) != "":
		if err := q.Where("name = ?", strings.TrimSpace(opts.OrganName)).Take(&o).Error; err != nil {
			return nil, errs.NotFound("organ", "复议机关").Field("organ", "没有名为“"+opts.OrganName+"”的机关", "no organ named "+opts.OrganName)
		}
	default:
		var all []models.Organ
		if err := q.Limit(2).Order("id").Find(&all).Error; err != nil {
			return nil, errs.Internal(err)
		}
		if len(all) != 1 {
			return nil, errs.Invalid("请指定要导入的机关（--organ 名称）", "name the organ to import into (--organ NAME)").Field("organ", "必填", "required")
		}
		o = all[0]
	}
	return &o, nil
}

// ledgerFields maps SeedSpec field names (materialise's errors) to columns.
var ledgerFields = map[string]string{
	"kind": "kind", "instance": "instance", "court_case_no": "court_case_no", "plaintiffs": "plaintiff", "court": "court",
	"notified_on": "notified_on", "concluded_on": "concluded_on", "outcome": "outcome", "note": "note",
	"hearings[0].held_on": "hearing_on", "hearings[0].appeared_role": "head_appeared",
	"reconsideration_case_id": "reconsideration_case_no", "co_defendant_role": "reconsideration_case_no",
}

func (s *Service) validateLedger(ctx context.Context, organ *models.Organ, opts ledger.ImportOptions, res *ledger.Result, progress ledger.ProgressFunc) ([]*ledgerRow, error) {
	src, err := ledger.Open(opts.Path, opts.Read)
	if err != nil {
		var le *ledger.LimitError
		if errors.As(err, &le) {
			res.AddError(ledger.Problem{ZH: le.ZH, EN: le.EN})
			return nil, nil
		}
		return nil, err
	}
	defer src.Close()
	res.Sheet = src.Sheet()
	h, problems, warnings, err := ledger.ReadHeader(src, LedgerLayout)
	if err != nil {
		var le *ledger.LimitError
		if errors.As(err, &le) {
			res.AddError(ledger.Problem{ZH: le.ZH, EN: le.EN})
			return nil, nil
		}
		return nil, err
	}
	for _, p := range warnings {
		res.AddWarning(p)
	}
	for _, p := range problems {
		res.AddError(p)
	}
	if len(problems) > 0 {
		return nil, nil
	}
	q := s.db.Read.WithContext(ctx)
	agencyIDs := map[string]int64{}
	var ags []models.Agency
	if err := q.Where("organ_id = ?", organ.ID).Find(&ags).Error; err != nil {
		return nil, errs.Internal(err)
	}
	for _, a := range ags {
		agencyIDs[a.Name] = a.ID
	}
	newAgencies := map[string]bool{}
	seen := map[string]int{}
	var rows []*ledgerRow
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		num, cells, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			var le *ledger.LimitError
			if errors.As(err, &le) {
				res.AddError(ledger.Problem{Row: num, ZH: le.ZH, EN: le.EN})
				break
			}
			return nil, err
		}
		r := ledger.Row{Num: num, Cells: cells, Header: h}
		if r.Blank() {
			continue
		}
		res.Rows++
		if res.Rows%500 == 0 {
			progress(res.Rows, 0)
		}
		lr, bad := s.parseLedgerRow(q, organ, r, res, agencyIDs)
		if lr == nil || bad {
			continue
		}
		if first, dup := seen[lr.spec.CourtCaseNo]; dup {
			res.AddError(r.Problem("court_case_no", fmt.Sprintf("法院案号与第%d行重复", first), fmt.Sprintf("court case number repeats row %d", first)))
			continue
		}
		seen[lr.spec.CourtCaseNo] = num
		if lr.defendant != "" && agencyIDs[lr.defendant] == 0 && !newAgencies[lr.defendant] {
			newAgencies[lr.defendant] = true
			res.AgenciesCreated = append(res.AgenciesCreated, lr.defendant)
		}
		var ex models.LitigationCase
		err = q.Where("organ_id = ? AND court_case_no = ?", organ.ID, lr.spec.CourtCaseNo).Take(&ex).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			res.Created++
		case err != nil:
			return nil, errs.Internal(err)
		case ex.Imported && ex.ImportHash == lr.hash:
			res.Unchanged++
			continue
		default:
			var last models.LitigationEvent
			q.Where("subject_type = ? AND subject_id = ?", SubjectLitigation, ex.ID).Order("id DESC").Limit(1).Take(&last)
			if !ex.Imported || last.Action != "import" {
				res.Conflicts = append(res.Conflicts, ledger.Conflict{Row: num, CaseID: ex.ID, CaseNo: ex.CourtCaseNo,
					ZH: "该应诉案件已在系统中登记或修改，不覆盖", EN: "the record was entered or edited in the app; not overwritten"})
				res.Skipped++
				continue
			}
			res.Updated++
			lr.existing = &ex
		}
		rows = append(rows, lr)
	}
	progress(res.Rows, 0)
	return rows, nil
}

// parseLedgerRow turns one row into a spec; its problems go to res.
func (s *Service) parseLedgerRow(q *gorm.DB, organ *models.Organ, r ledger.Row, res *ledger.Result, agencyIDs map[string]int64) (*ledgerRow, bool) {
	bad := false
	problem := func(key, zh, en string) {
		res.AddError(r.Problem(key, zh, en))
		bad = true
	}
	date := func(key string) string {
		v := r.Get(key)
		if v == "" {
			return ""
		}
		d, err := ledger.ParseDate(v)
		if err != nil {
			var ce *ledger.CellError
			if errors.As(err, &ce) {
				problem(key, ce.ZH, ce.EN)
			} else {
				problem(key, "日期无效："+v, "invalid date: "+v)
			}
			return ""
		}
		return d
	}
	spec := SeedSpec{OrganID: organ.ID, Kind: r.Get("kind"), Instance: r.Get("instance"), Court: r.Get("court"),
		CourtCaseNo: r.Get("court_case_no"), Plaintiffs: []string{r.Get("plaintiff")}, Note: r.Get("note"),
		NotifiedOn: date("notified_on"), ConcludedOn: date("concluded_on"), Outcome: r.Get("outcome")}
	hearingOn := date("hearing_on")
	head := r.Get("head_appeared")
	switch {
	case hearingOn != "":
		role := "staff"
		switch head {
		case "是", "Y", "y", "yes", "true", "1":
			role = "head"
		case "否", "N", "n", "no", "false", "0", "":
		default:
			problem("head_appeared", "应为“是”或“否”："+head, "must be 是 (yes) or 否 (no): "+head)
		}
		spec.Hearings = []SeedHearing{{HeldOn: hearingOn, AppearedRole: role}}
	case head != "" && r.Get("hearing_on") == "":
		problem("head_appeared", "填写了负责人出庭但没有开庭日期", "head_appeared without hearing_on")
	}
	lr := &ledgerRow{num: r.Num}
	if d := r.Get("defendant"); d != "" && d != organ.Name {
		lr.defendant = d
		if id := agencyIDs[d]; id != 0 {
			spec.DefendantAgencyID = &id
		}
	}
	if no := r.Get("reconsideration_case_no"); no != "" {
		var c models.Case
		if err := q.Select("id").Where("organ_id = ? AND case_no = ?", organ.ID, no).Take(&c).Error; err != nil {
			problem("reconsideration_case_no", "没有该复议案号的案件："+no, "no reconsideration case numbered "+no)
		} else {
			spec.ReconsiderationCaseID = &c.ID
		}
	}
	if bad {
		return lr, true
	}
	if _, _, err := s.materialise(q, spec, ""); err != nil {
		for field, msg := range errs.As(err).Fields {
			key, ok := ledgerFields[field]
			if !ok {
				key = field
			}
			problem(key, msg.ZH, msg.EN)
		}
		if !bad {
			problem("", errs.As(err).Message.ZH, errs.As(err).Message.EN)
		}
		return lr, true
	}
	lr.spec = spec
	keys := make([]string, 0, len(LedgerLayout.Columns))
	for _, c := range LedgerLayout.Columns {
		keys = append(keys, c.Key+"="+r.Get(c.Key))
	}
	sum := sha256.Sum256([]byte(strings.Join(keys, "\x00")))
	lr.hash = hex.EncodeToString(sum[:])
	return lr, false
}

// writeLedgerRow creates or updates one record in the import transaction.
func (s *Service) writeLedgerRow(ctx context.Context, tx *gorm.DB, organ *models.Organ, r *ledgerRow, agencies map[string]int64) error {
	spec := r.spec
	if r.defendant != "" && spec.DefendantAgencyID == nil {
		id, ok := agencies[r.defendant]
		if !ok {
			a := models.Agency{OrganID: organ.ID, Name: r.defendant, Active: true}
			if err := tx.Where("organ_id = ? AND name = ?", organ.ID, r.defendant).FirstOrCreate(&a).Error; err != nil {
				return errs.Internal(err)
			}
			id = a.ID
			agencies[r.defendant] = id
		}
		spec.DefendantAgencyID = &id
	}
	c, hs, err := s.materialise(tx, spec, "")
	if err != nil {
		return err
	}
	c.Imported, c.ImportHash = true, r.hash
	payload := map[string]any{"row": r.num, "outcome": c.Outcome}
	if r.existing == nil {
		if err := s.insert(ctx, tx, nil, c, "import", payload); err != nil {
			return err
		}
		return s.writeSeedHearings(tx, c, hs)
	}
	before := r.existing
	c.ID, c.OrganID, c.InternalNo, c.Year, c.Seq, c.CreatedBy, c.CreatedAt = before.ID, before.OrganID, before.InternalNo, before.Year, before.Seq, before.CreatedBy, before.CreatedAt
	c.HandlerID, c.PreviousInstanceID, c.CoDefendantRole = before.HandlerID, before.PreviousInstanceID, before.CoDefendantRole
	if err := s.writeSeedHearings(tx, c, hs); err != nil {
		return err
	}
	if err := s.save(ctx, tx, nil, before, c, "import", ptr(c.NotifiedOn), payload, ""); err != nil {
		return err
	}
	return tx.Model(&models.LitigationCase{}).Where("id = ?", c.ID).Updates(map[string]any{"imported": true, "import_hash": r.hash}).Error
}
