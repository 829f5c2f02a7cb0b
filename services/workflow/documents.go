package workflow

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"
	"text/template"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/codes"
	"fuyi/services/errs"
	"fuyi/services/lifecycle"
)

// Document kinds.
const (
	DocAcceptanceNotice  = "acceptance_notice"   // 受理通知书 (RL2023 Art. 30)
	DocCorrectionNotice  = "correction_notice"   // 补正通知书 (Art. 31)
	DocNotAcceptDecision = "not_accept_decision" // 不予受理决定书 (Art. 30(2))
	DocExtensionNotice   = "extension_notice"    // 延期审理通知书 (Art. 62(1))
	DocSuspensionNotice  = "suspension_notice"   // 中止审理通知书 (Art. 39)
	DocResumptionNotice  = "resumption_notice"   // 恢复审理通知书 (Art. 39(2))
	DocDecision          = "decision"            // 行政复议决定书 (draft; Art. 61–75)
	DocOpinionLetter     = "opinion_letter"      // 行政复议意见书 (Art. 76)
)

// builtinTemplate is the shipped template of a kind.
type builtinTemplate struct {
	Kind, Title, NumberPattern, Body string
}

// Template bodies are text/template over DocData, one paragraph per line:
// "# " a centred title, "^ " a centred line, "> " a right-aligned line
// (signature, date), "- " a line without first-line indent; other lines are
// indented paragraphs. Empty lines are dropped.
var builtinTemplates = []builtinTemplate{
	{DocAcceptanceNotice, "行政复议受理通知书", "{short}复受字〔{year}〕{seq}号", `# {{.OrganName}}
# 行政复议受理通知书
^ {{.Number}}
- {{.Applicant}}：
你（单位）不服{{.Respondent}}{{.ActDesc}}，于{{.ReceivedOn}}向本机关提出的行政复议申请收悉。经审查，该申请符合《中华人民共和国行政复议法》第三十条规定的受理条件，本机关决定自{{.AcceptedOn}}起予以受理，适用{{.Procedure}}审理。
本案案号为{{.CaseNo}}，承办人{{.Handler}}。
特此通知。
> {{.SealText}}
> {{.Today}}`},
	{DocCorrectionNotice, "行政复议申请补正通知书", "{short}复补字〔{year}〕{seq}号", `# {{.OrganName}}
# 行政复议申请补正通知书
^ {{.Number}}
- {{.Applicant}}：
你（单位）不服{{.Respondent}}{{.ActDesc}}，于{{.ReceivedOn}}向本机关提出的行政复议申请收悉。经审查，申请材料不齐全或者表述不清楚，无法判断是否符合受理条件。根据《中华人民共和国行政复议法》第三十一条的规定，请你（单位）自收到本通知书之日起{{.CorrectionDays}}日内补正下列材料：
（需要补正的事项和合理的补正期限）
无正当理由逾期不补正的，视为放弃行政复议申请，并记录在案。
> {{.SealText}}
> {{.Today}}`},
	{DocNotAcceptDecision, "不予受理行政复议申请决定书", "{short}复不受字〔{year}〕{seq}号", `# {{.OrganName}}
# 不予受理行政复议申请决定书
^ {{.Number}}
- 申请人：{{.Applicant}}
- 被申请人：{{.Respondent}}
申请人不服被申请人{{.ActDesc}}，于{{.ReceivedOn}}向本机关提出行政复议申请。经审查，{{.IntakeReason}}。根据《中华人民共和国行政复议法》第三十条第二款的规定，本机关决定不予受理。
申请人如不服本决定，可以自收到本决定书之日起十五日内依法向人民法院提起行政诉讼。
> {{.SealText}}
> {{.IntakeOn}}`},
	{DocExtensionNotice, "行政复议延期审理通知书", "{short}复延字〔{year}〕{seq}号", `# {{.OrganName}}
# 行政复议延期审理通知书
^ {{.Number}}
- {{.Applicant}}、{{.Respondent}}：
{{.Applicant}}不服{{.Respondent}}{{.ActDesc}}申请行政复议一案（{{.CaseNo}}），因案情复杂，不能在规定期限内作出行政复议决定。根据《中华人民共和国行政复议法》第六十二条第一款的规定，经批准，本案审理期限延长{{.ExtensionDays}}日，至{{.DecisionDue}}。
特此通知。
> {{.SealText}}
> {{.Today}}`},
	{DocSuspensionNotice, "行政复议中止审理通知书", "{short}复中字〔{year}〕{seq}号", `# {{.OrganName}}
# 行政复议中止审理通知书
^ {{.Number}}
- {{.Applicant}}、{{.Respondent}}：
{{.Applicant}}不服{{.Respondent}}{{.ActDesc}}申请行政复议一案（{{.CaseNo}}），因{{.SuspendGround}}，根据《中华人民共和国行政复议法》第三十九条的规定，本案自{{.SuspendedOn}}起中止审理。中止审理的原因消除后，本机关将及时恢复审理并书面告知。
特此通知。
> {{.SealText}}
> {{.Today}}`},
	{DocResumptionNotice, "行政复议恢复审理通知书", "{short}复恢字〔{year}〕{seq}号", `# {{.OrganName}}
# 行政复议恢复审理通知书
^ {{.Number}}
- {{.Applicant}}、{{.Respondent}}：
{{.Applicant}}不服{{.Respondent}}{{.ActDesc}}申请行政复议一案（{{.CaseNo}}），中止审理的原因已经消除。根据《中华人民共和国行政复议法》第三十九条第二款的规定，本案恢复审理。
特此通知。
> {{.SealText}}
> {{.Today}}`},
	{DocDecision, "行政复议决定书", "{case_no}", `# {{.OrganName}}
# 行政复议决定书
^ {{.Number}}
- 申请人：{{.Applicant}}
{{if .Agent}}- 委托代理人：{{.Agent}}
{{end}}- 被申请人：{{.Respondent}}
{{if .ThirdParties}}- 第三人：{{.ThirdParties}}
{{end}}申请人不服被申请人{{.ActDesc}}，于{{.ReceivedOn}}向本机关申请行政复议，本机关于{{.AcceptedOn}}依法受理，适用{{.Procedure}}审理。本案现已审理终结。
申请人请求：{{.Request}}
被申请人称：（被申请人答复意见）
经审理查明：（认定的事实和证据）
本机关认为：（理由）
根据《中华人民共和国行政复议法》{{.Article}}的规定，本机关决定：
{{.OutcomeText}}
申请人如不服本决定，可以自收到本决定书之日起十五日内依法向人民法院提起行政诉讼。
> {{.SealText}}
> {{.DecidedOn}}`},
	{DocOpinionLetter, "行政复议意见书", "{short}复意字〔{year}〕{seq}号", `# {{.OrganName}}
# 行政复议意见书
^ {{.Number}}
- {{.Respondent}}：
本机关在办理{{.Applicant}}不服你单位{{.ActDesc}}一案（{{.CaseNo}}）中，发现你单位存在下列问题：（违法或者不当之处）
根据《中华人民共和国行政复议法》第七十六条的规定，现提出如下意见：（意见和建议）
请你单位自收到本意见书之日起六十日内，将纠正相关违法或者不当行政行为的情况报送本机关。
> {{.SealText}}
> {{.Today}}`},
}

// DocumentKinds lists the document kinds in display order.
func DocumentKinds() []string {
	out := make([]string, len(builtinTemplates))
	for i, t := range builtinTemplates {
		out[i] = t.Kind
	}
	return out
}

func builtin(kind string) (builtinTemplate, bool) {
	for _, t := range builtinTemplates {
		if t.Kind == kind {
			return t, true
		}
	}
	return builtinTemplate{}, false
}

// DocData are the fields a template may use. Dates are written 2024年6月25日;
// a missing one is a blank to fill in by hand.
type DocData struct {
	OrganName, SealText, Number, CaseNo   string
	Applicant, ApplicantType, Agent       string
	ThirdParties, Respondent              string
	ActType, ActDocumentNo, ActDate       string
	ActDesc, Request                      string
	ReceivedOn, AcceptedOn, Procedure     string
	CorrectionDays                        int
	IntakeOn, IntakeReason                string
	SuspendGround, SuspendedOn            string
	ExtensionDays                         int
	DecisionDue, Outcome, OutcomeText     string
	Article, DecidedOn, ClosedOn, Handler string
	Today                                 string
}

// TemplateView is the template of one kind in force for an organ.
type TemplateView struct {
	OrganID       int64
	Kind          string
	Title         string
	Body          string
	NumberPattern string
	OrganName     string
	SealText      string
	// Customised is false for the built-in template.
	Customised bool
	Version    int64
}

// DocumentTemplates lists the templates in force for an organ.
func (s *Service) DocumentTemplates(ctx context.Context, p *auth.Principal, organID int64) ([]TemplateView, error) {
	organ, err := organFor(p, organID)
	if err != nil {
		return nil, err
	}
	var rows []models.DocumentTemplate
	if err := s.db.Read.WithContext(ctx).Where("organ_id = ?", organ).Find(&rows).Error; err != nil {
		return nil, errs.Internal(err)
	}
	out := []TemplateView{}
	for _, b := range builtinTemplates {
		v := TemplateView{OrganID: organ, Kind: b.Kind, Title: b.Title, Body: b.Body, NumberPattern: b.NumberPattern}
		for _, r := range rows {
			if r.Kind == b.Kind {
				v = TemplateView{OrganID: organ, Kind: r.Kind, Title: r.Title, Body: r.Body, NumberPattern: r.NumberPattern,
					OrganName: r.OrganName, SealText: r.SealText, Customised: true, Version: r.Version}
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// TemplateInput edits an organ's template of one kind. Empty OrganName /
// SealText use the organ's name; an empty Body or Title keeps the built-in.
type TemplateInput struct {
	Title, Body, NumberPattern, OrganName, SealText string
	// Version is the current version (0 when the kind is not yet customised).
	Version int64
}

// PutDocumentTemplate stores an organ's template of kind (admins only). The
// body must parse and render with sample data.
func (s *Service) PutDocumentTemplate(ctx context.Context, p *auth.Principal, organID int64, kind string, in TemplateInput) (*TemplateView, error) {
	if !p.IsAdmin() {
		return nil, forbidden()
	}
	organ, err := organFor(p, organID)
	if err != nil {
		return nil, err
	}
	b, ok := builtin(kind)
	if !ok {
		return nil, errs.NotFound("document kind", "文书种类")
	}
	if strings.TrimSpace(in.Body) == "" {
		in.Body = b.Body
	}
	if strings.TrimSpace(in.Title) == "" {
		in.Title = b.Title
	}
	if strings.TrimSpace(in.NumberPattern) == "" {
		in.NumberPattern = b.NumberPattern
	}
	bad := errs.Invalid("输入有误", "invalid input")
	if _, err := renderLines(in.Body, DocData{}); err != nil {
		bad.Field("body", "模板有误："+err.Error(), "the template does not render: "+err.Error())
	}
	if !strings.Contains(in.NumberPattern, "{seq") && !strings.Contains(in.NumberPattern, "{case_no}") {
		bad.Field("number_pattern", "文号格式须包含 {seq} 或 {case_no}", "number_pattern needs {seq} or {case_no}")
	}
	if len([]rune(in.Body)) > 20000 || len([]rune(in.Title)) > 200 || len([]rune(in.NumberPattern)) > 100 || len([]rune(in.OrganName)) > 200 || len([]rune(in.SealText)) > 200 {
		bad.Field("body", "内容过长", "too long")
	}
	if len(bad.Fields) > 0 {
		return nil, bad
	}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		var cur models.DocumentTemplate
		err := tx.Where("organ_id = ? AND kind = ?", organ, kind).Take(&cur).Error
		exists := err == nil
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return errs.Internal(err)
		}
		if exists && in.Version != cur.Version || !exists && in.Version != 0 {
			return errs.Stale(cur.Version)
		}
		now := s.now().UTC()
		row := map[string]any{"title": in.Title, "body": in.Body, "number_pattern": in.NumberPattern,
			"organ_name": strings.TrimSpace(in.OrganName), "seal_text": strings.TrimSpace(in.SealText), "updated_by": p.UserID, "updated_at": now}
		if exists {
			row["version"] = cur.Version + 1
			res := tx.Model(&models.DocumentTemplate{}).Where("id = ? AND version = ?", cur.ID, cur.Version).Updates(row)
			if res.Error != nil {
				return errs.Internal(res.Error)
			}
			if res.RowsAffected == 0 {
				return errs.Stale(cur.Version)
			}
			return nil
		}
		t := models.DocumentTemplate{OrganID: organ, Kind: kind, Title: in.Title, Body: in.Body, NumberPattern: in.NumberPattern,
			OrganName: strings.TrimSpace(in.OrganName), SealText: strings.TrimSpace(in.SealText), Version: 1, UpdatedBy: p.UserID, UpdatedAt: now}
		if err := tx.Create(&t).Error; err != nil {
			return errs.Conflict("duplicate", "模板已被他人修改，请刷新", "the template was just changed by someone else; reload")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	all, err := s.DocumentTemplates(ctx, p, organ)
	if err != nil {
		return nil, err
	}
	for _, v := range all {
		if v.Kind == kind {
			return &v, nil
		}
	}
	return nil, errs.Internal(errors.New("template vanished"))
}

// DocumentView is a generated document (HTML and Text only when asked for).
type DocumentView struct {
	ID            int64
	CaseID        int64
	OrganID       int64
	Kind          string
	Number        string
	Title         string
	HTML          string
	Text          string
	CreatedBy     int64
	CreatedByName string
	CreatedAt     time.Time
}

// GenerateDocument renders the organ's template of kind with the case's
// data, numbers it (per organ, year and kind) and stores it with the case;
// the document is on the timeline ("document").
func (s *Service) GenerateDocument(ctx context.Context, p *auth.Principal, caseID int64, kind string) (*DocumentView, error) {
	if err := s.CheckCaseWrite(ctx, p, caseID); err != nil {
		return nil, err
	}
	b, ok := builtin(kind)
	if !ok {
		return nil, errs.InvalidField("kind", "未知的文书种类："+kind, "unknown document kind: "+kind).With("kinds", DocumentKinds())
	}
	var out models.CaseDocument
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		c, err := lifecycle.LoadCase(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		if !p.CanWriteCases() {
			return forbidden()
		}
		var organ models.Organ
		if err := tx.Where("id = ?", c.OrganID).Take(&organ).Error; err != nil {
			return errs.Internal(err)
		}
		tpl := models.DocumentTemplate{Title: b.Title, Body: b.Body, NumberPattern: b.NumberPattern}
		if err := tx.Where("organ_id = ? AND kind = ?", c.OrganID, kind).Take(&tpl).Error; err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return errs.Internal(err)
		}
		year, _ := strconv.Atoi(s.today()[:4])
		seq, err := allocateDocSeq(tx, c.OrganID, year, kind)
		if err != nil {
			return err
		}
		number := strings.NewReplacer("{short}", organ.ShortName, "{year}", strconv.Itoa(year), "{seq3}", fmt.Sprintf("%03d", seq),
			"{seq}", strconv.Itoa(seq), "{case_no}", c.CaseNo).Replace(tpl.NumberPattern)
		data, err := s.docData(ctx, tx, c, &organ, &tpl, number)
		if err != nil {
			return err
		}
		lines, err := renderLines(tpl.Body, *data)
		if err != nil {
			return errs.Rule("template_error", "文书模板有误："+err.Error(), "the document template fails: "+err.Error())
		}
		out = models.CaseDocument{CaseID: c.ID, OrganID: c.OrganID, Kind: kind, Year: year, Seq: seq, Number: number, Title: tpl.Title,
			HTML: linesHTML(tpl.Title, lines), Text: strings.Join(lines, "\n"), CreatedBy: p.UserID, CreatedByName: principalName(p), CreatedAt: s.now().UTC()}
		if err := tx.Create(&out).Error; err != nil {
			return errs.Internal(err)
		}
		return s.cases.AppendEvent(ctx, tx, p, c, "document", nil, map[string]any{"document_id": out.ID, "kind": kind, "number": number, "title": tpl.Title}, "")
	})
	if err != nil {
		return nil, err
	}
	return docView(&out, true), nil
}

func docView(d *models.CaseDocument, content bool) *DocumentView {
	v := &DocumentView{ID: d.ID, CaseID: d.CaseID, OrganID: d.OrganID, Kind: d.Kind, Number: d.Number, Title: d.Title,
		CreatedBy: d.CreatedBy, CreatedByName: d.CreatedByName, CreatedAt: d.CreatedAt}
	if content {
		v.HTML, v.Text = d.HTML, d.Text
	}
	return v
}

// allocateDocSeq hands out the next number of (organ, year, kind) inside tx
// (the UPDATE's row lock serialises concurrent writers on PostgreSQL).
func allocateDocSeq(tx *gorm.DB, organ int64, year int, kind string) (int, error) {
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&models.DocumentCounter{OrganID: organ, Year: year, Kind: kind}).Error; err != nil {
		return 0, errs.Internal(err)
	}
	var seq int
	if err := tx.Raw("UPDATE document_counters SET last_seq = last_seq + 1 WHERE organ_id = ? AND year = ? AND kind = ? RETURNING last_seq",
		organ, year, kind).Scan(&seq).Error; err != nil {
		return 0, errs.Internal(err)
	}
	if seq == 0 {
		return 0, errs.Internal(fmt.Errorf("document counter %d/%d/%s missing", organ, year, kind))
	}
	return seq, nil
}

// CaseDocuments lists the documents of a case (without their content).
func (s *Service) CaseDocuments(ctx context.Context, p *auth.Principal, caseID int64) ([]DocumentView, error) {
	if _, err := lifecycle.LoadCase(ctx, s.db.Read, p, caseID); err != nil {
		return nil, err
	}
	var rows []models.CaseDocument
	if err := s.db.Read.WithContext(ctx).Omit("html", "text").Where("case_id = ?", caseID).Order("id").Find(&rows).Error; err != nil {
		return nil, errs.Internal(err)
	}
	out := make([]DocumentView, 0, len(rows))
	for i := range rows {
		out = append(out, *docView(&rows[i], false))
	}
	return out, nil
}

// Document returns one stored document with its content.
func (s *Service) Document(ctx context.Context, p *auth.Principal, id int64) (*DocumentView, error) {
	var d models.CaseDocument
	if err := s.db.Read.WithContext(ctx).Where("id = ?", id).Take(&d).Error; err != nil || !p.CanSeeOrgan(d.OrganID) {
		if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, errs.Internal(err)
		}
		return nil, errs.NotFound("document", "文书")
	}
	return docView(&d, true), nil
}

const blankDate = "    年  月  日"

func cnDateOr(s *string) string {
	if s == nil || *s == "" {
		return blankDate
	}
	return cnDate(*s)
}

var decisionArticles = map[string]string{"upheld": "第六十八条", "varied": "第六十三条", "revoked": "第六十四条",
	"confirmed_unlawful": "第六十五条", "confirmed_void": "第六十七条", "ordered_to_perform": "第六十六条",
	"request_rejected": "第六十九条", "application_dismissed": "第三十三条"}

func outcomeText(c *models.Case) string {
	switch c.Outcome {
	case "upheld":
		return "维持被申请人作出的上述行政行为。"
	case "varied":
		return "变更被申请人作出的上述行政行为：（变更后的内容）。"
	case "revoked":
		t := "撤销被申请人作出的上述行政行为"
		if c.OutcomePartial {
			t = "撤销被申请人作出的上述行政行为中的（部分内容）"
		}
		if c.OutcomeRedo {
			t += "，责令被申请人在法定期限内重新作出行政行为"
		}
		return t + "。"
	case "confirmed_unlawful":
		return "确认被申请人作出的上述行政行为违法。"
	case "confirmed_void":
		return "确认被申请人作出的上述行政行为无效。"
	case "ordered_to_perform":
		return "责令被申请人在（期限）内履行（法定职责）。"
	case "request_rejected":
		return "驳回申请人的行政复议请求。"
	case "application_dismissed":
		return "驳回申请人的行政复议申请。"
	}
	return "（决定事项）"
}

// docData gathers the fields of a case for the templates.
func (s *Service) docData(ctx context.Context, tx *gorm.DB, c *models.Case, organ *models.Organ, tpl *models.DocumentTemplate, number string) (*DocData, error) {
	d := &DocData{OrganName: organ.Name, SealText: organ.Name, Number: number, CaseNo: c.CaseNo, Applicant: c.Applicant,
		ApplicantType: codes.ApplicantTypes.Label(c.ApplicantType, "zh"), Agent: c.Agent, ActType: codes.ActTypes.Label(c.ActType, "zh"),
		ActDocumentNo: c.ActDocumentNo, ActDate: cnDateOr(c.ActDate), Request: c.Request, ReceivedOn: cnDate(c.ReceivedOn),
		AcceptedOn: cnDateOr(c.AcceptedOn), Procedure: codes.Procedures.Label(c.Procedure, "zh"), CorrectionDays: c.CorrectionDueDays,
		IntakeOn: cnDateOr(c.IntakeOn), IntakeReason: c.IntakeReason, SuspendGround: codes.SuspensionGrounds.Label(c.SuspendGround, "zh"),
		SuspendedOn: cnDateOr(c.SuspendedOn), ExtensionDays: c.ExtensionDays, Outcome: codes.Outcomes.Label(c.Outcome, "zh"),
		OutcomeText: outcomeText(c), ClosedOn: cnDateOr(c.ClosedOn), DecidedOn: cnDateOr(c.ClosedOn), Today: cnDate(s.today()), Handler: "（承办人）"}
	if tpl.OrganName != "" {
		d.OrganName = tpl.OrganName
	}
	if tpl.SealText != "" {
		d.SealText = tpl.SealText
	} else if tpl.OrganName != "" {
		d.SealText = tpl.OrganName
	}
	if d.CorrectionDays == 0 {
		d.CorrectionDays = 10
	}
	if d.Procedure == "" {
		d.Procedure = "普通程序"
	} else if !strings.HasSuffix(d.Procedure, "程序") {
		d.Procedure += "程序"
	}
	if d.SuspendGround == "" {
		d.SuspendGround = "（中止事由）"
	}
	if d.IntakeReason == "" {
		d.IntakeReason = "（不予受理的理由）"
	}
	if a, ok := decisionArticles[c.Outcome]; ok && c.Regime == lifecycle.RegimeRL2023 {
		d.Article = a
	} else if ok {
		d.Article = "（条款）"
	} else {
		d.Article = "（条款）"
	}
	var ag models.Agency
	if err := tx.WithContext(ctx).Select("name").Where("id = ?", c.RespondentID).Take(&ag).Error; err != nil {
		return nil, errs.Internal(err)
	}
	d.Respondent = ag.Name
	desc := ""
	if c.ActDate != nil {
		desc += "于" + cnDate(*c.ActDate)
	}
	desc += "作出的"
	if c.ActDocumentNo != "" {
		desc += "《" + c.ActDocumentNo + "》"
	}
	d.ActDesc = desc + d.ActType + "行为"
	if c.HandlerID != nil {
		nm, err := userNames(ctx, tx, []int64{*c.HandlerID})
		if err != nil {
			return nil, err
		}
		d.Handler = nm[*c.HandlerID]
	}
	var third []models.CaseParty
	if err := tx.WithContext(ctx).Where("case_id = ? AND role = ?", c.ID, lifecycle.PartyThirdParty).Order("position, id").Find(&third).Error; err != nil {
		return nil, errs.Internal(err)
	}
	var names []string
	for _, t := range third {
		names = append(names, t.Name)
	}
	d.ThirdParties = strings.Join(names, "、")
	var dl models.Deadline
	if err := tx.WithContext(ctx).Where("subject_type = 'case' AND subject_id = ? AND kind = ?", c.ID, "decision").Take(&dl).Error; err == nil {
		d.DecisionDue = cnDateOr(dl.DueOn)
	} else {
		d.DecisionDue = blankDate
	}
	return d, nil
}

// renderLines executes a template body and splits it into paragraphs.
func renderLines(body string, data DocData) ([]string, error) {
	t, err := template.New("doc").Option("missingkey=error").Parse(body)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return nil, err
	}
	var out []string
	for _, l := range strings.Split(buf.String(), "\n") {
		if l = strings.TrimRight(l, " \t\r"); strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out, nil
}

// lineStyle splits a paragraph's marker from its text.
func lineStyle(l string) (style, text string) {
	for _, m := range []string{"# ", "^ ", "> ", "- "} {
		if strings.HasPrefix(l, m) {
			return m[:1], strings.TrimSpace(l[2:])
		}
	}
	return "", strings.TrimSpace(l)
}

// printCSS lays a document out on A4 with the system's Chinese fonts (no
// web fonts: the offices are offline).
const printCSS = `@page{size:A4;margin:37mm 26mm 35mm 28mm}
body{margin:0;background:#fff;color:#000}
.doc{max-width:156mm;margin:0 auto;font-family:"FangSong","仿宋","FangSong_GB2312","STFangsong","Noto Serif CJK SC","Source Han Serif SC","SimSun","Songti SC",serif;font-size:16pt;line-height:28pt}
.doc h1{font-family:"SimHei","黑体","Noto Sans CJK SC","Source Han Sans SC","Heiti SC",sans-serif;font-size:22pt;font-weight:normal;text-align:center;line-height:34pt;margin:0 0 8pt}
.doc h2{font-family:"SimHei","黑体","Noto Sans CJK SC","Source Han Sans SC",sans-serif;font-size:16pt;font-weight:normal;margin:16pt 0 4pt}
.doc p{margin:0;text-indent:2em;text-align:justify}
.doc p.c{text-indent:0;text-align:center}
.doc p.r,.doc p.sign{text-indent:0;text-align:right}
.doc p.n{text-indent:0}
.doc table{border-collapse:collapse;width:100%;font-size:12pt;line-height:18pt;margin:6pt 0}
.doc th,.doc td{border:1px solid #000;padding:2pt 4pt;vertical-align:top}
@media screen{.doc{padding:20mm 0}}`

// linesHTML renders paragraphs as a printable HTML page (every text escaped).
func linesHTML(title string, lines []string) string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>`)
	b.WriteString(html.EscapeString(title))
	b.WriteString(`</title><style>` + printCSS + `</style></head><body><article class="doc">` + "\n")
	for _, l := range lines {
		st, text := lineStyle(l)
		t := html.EscapeString(text)
		switch st {
		case "#":
			b.WriteString("<h1>" + t + "</h1>\n")
		case "^":
			b.WriteString(`<p class="c">` + t + "</p>\n")
		case ">":
			b.WriteString(`<p class="r">` + t + "</p>\n")
		case "-":
			b.WriteString(`<p class="n">` + t + "</p>\n")
		default:
			b.WriteString("<p>" + t + "</p>\n")
		}
	}
	b.WriteString("</article></body></html>\n")
	return b.String()
}

// WriteDOCX writes a document as a minimal WordprocessingML package (A4,
// 仿宋 三号 body, 黑体 二号 titles), which Word and LibreOffice open.
func WriteDOCX(d *DocumentView, w io.Writer) error {
	var body strings.Builder
	for _, l := range strings.Split(d.Text, "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		st, text := lineStyle(l)
		ppr, font, size := `<w:ind w:firstLine="640"/><w:jc w:val="both"/>`, "仿宋", 32
		switch st {
		case "#":
			ppr, font, size = `<w:jc w:val="center"/>`, "黑体", 44
		case "^":
			ppr = `<w:jc w:val="center"/>`
		case ">":
			ppr = `<w:jc w:val="right"/>`
		case "-":
			ppr = `<w:jc w:val="both"/>`
		}
		fmt.Fprintf(&body, `<w:p><w:pPr><w:spacing w:line="560" w:lineRule="exact"/>%s</w:pPr><w:r><w:rPr><w:rFonts w:ascii="%[2]s" w:hAnsi="%[2]s" w:eastAsia="%[2]s"/><w:sz w:val="%[3]d"/><w:szCs w:val="%[3]d"/></w:rPr><w:t xml:space="preserve">%[4]s</w:t></w:r></w:p>`,
			ppr, font, size, xmlEscape(text))
	}
	doc := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() +
		`<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1588" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>`
	files := []struct{ name, content string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/document.xml", doc},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		fw, err := zw.Create(f.name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(fw, f.content); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// xmlEscape escapes text for XML and drops characters XML 1.0 forbids.
func xmlEscape(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r != 0xFFFE && r != 0xFFFF {
			return r
		}
		return -1
	}, s)
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s)
}
