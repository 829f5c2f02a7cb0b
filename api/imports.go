package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"fuyi/services/auth"
	"fuyi/services/errs"
	"fuyi/services/ledger"
)

// importProblem is one finding of an import in the request's language.
type importProblem struct {
	Row     int    `json:"row"`
	Column  string `json:"column,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

type importConflict struct {
	Row     int    `json:"row"`
	CaseID  int64  `json:"case_id"`
	CaseNo  string `json:"case_no"`
	Message string `json:"message"`
}

type importResult struct {
	Written         bool             `json:"written"`
	OK              bool             `json:"ok"`
	OrganID         int64            `json:"organ_id"`
	OrganName       string           `json:"organ_name"`
	OrganCreated    bool             `json:"organ_created"`
	Sheet           string           `json:"sheet,omitempty"`
	Rows            int              `json:"rows"`
	Created         int              `json:"created"`
	Updated         int              `json:"updated"`
	Unchanged       int              `json:"unchanged"`
	Skipped         int              `json:"skipped"`
	AgenciesCreated []string         `json:"agencies_created"`
	Conflicts       []importConflict `json:"conflicts"`
	Errors          []importProblem  `json:"errors"`
	Warnings        []importProblem  `json:"warnings"`
	ErrorCount      int              `json:"error_count"`
	WarningCount    int              `json:"warning_count"`
	BadRows         int              `json:"bad_rows"`
	Refused         string           `json:"refused,omitempty"`
}

type importJobResponse struct {
	ID            int64         `json:"id"`
	OrganID       int64         `json:"organ_id"`
	OrganName     string        `json:"organ_name"`
	Kind          string        `json:"kind"`
	DryRun        bool          `json:"dry_run"`
	SkipConflicts bool          `json:"skip_conflicts"`
	Status        string        `json:"status"`
	Phase         string        `json:"phase,omitempty"`
	FileName      string        `json:"file_name"`
	TotalRows     int           `json:"total_rows"`
	ProcessedRows int           `json:"processed_rows"`
	Result        *importResult `json:"result"`
	Error         string        `json:"error,omitempty"`
	CreatedAt     time.Time     `json:"created_at"`
	StartedAt     *time.Time    `json:"started_at"`
	FinishedAt    *time.Time    `json:"finished_at"`
}

// ImportService runs ledger imports as jobs (ledger.Jobs implements it).
type ImportService interface {
	Submit(ctx context.Context, p *auth.Principal, in ledger.SubmitInput) (*ledger.Job, error)
	Get(ctx context.Context, p *auth.Principal, id int64) (*ledger.Job, error)
	Confirm(ctx context.Context, p *auth.Principal, id int64, skipConflicts bool) (*ledger.Job, error)
	ExportFor(ctx context.Context, p *auth.Principal, organ, format string, w io.Writer) error
}

func isMaxBytes(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

func (s *Server) importRoutes(authed *gin.RouterGroup) {
	g := authed.Group("/imports", requireRole(auth.RoleOfficer, auth.RoleManager, auth.RoleAdmin))
	g.POST("", s.createImport)
	g.GET("/:id", s.getImport)
	g.POST("/:id/confirm", s.confirmImport)
	g.GET("/ledger", s.exportLedger)
}

func problemsIn(ps []ledger.Problem, l string) []importProblem {
	out := make([]importProblem, 0, len(ps))
	for _, p := range ps {
		out = append(out, importProblem{Row: p.Row, Column: p.Column, Field: p.Field, Message: errs.Msg{ZH: p.ZH, EN: p.EN}.In(l)})
	}
	return out
}

func importJobOut(j *ledger.Job, l string) importJobResponse {
	out := importJobResponse{ID: j.ID, OrganID: j.OrganID, OrganName: j.OrganName, Kind: j.Kind, DryRun: j.DryRun, SkipConflicts: j.SkipConflicts,
		Status: j.Status, Phase: j.Phase, FileName: j.FileName, TotalRows: j.TotalRows, ProcessedRows: j.ProcessedRows,
		CreatedAt: j.CreatedAt, StartedAt: j.StartedAt, FinishedAt: j.FinishedAt}
	if j.Error != nil {
		out.Error = j.Error.In(l)
	}
	if r := j.Result; r != nil {
		res := &importResult{Written: r.Written, OK: r.OK(), OrganID: r.OrganID, OrganName: r.OrganName, OrganCreated: r.OrganCreated,
			Sheet: r.Sheet, Rows: r.Rows, Created: r.Created, Updated: r.Updated, Unchanged: r.Unchanged, Skipped: r.Skipped,
			AgenciesCreated: r.AgenciesCreated, Errors: problemsIn(r.Errors, l), Warnings: problemsIn(r.Warnings, l),
			ErrorCount: r.ErrorCount, WarningCount: r.WarningCount, BadRows: r.BadRows, Conflicts: []importConflict{}}
		if res.AgenciesCreated == nil {
			res.AgenciesCreated = []string{}
		}
		for _, c := range r.Conflicts {
			res.Conflicts = append(res.Conflicts, importConflict{Row: c.Row, CaseID: c.CaseID, CaseNo: c.CaseNo, Message: errs.Msg{ZH: c.ZH, EN: c.EN}.In(l)})
		}
		if r.Refused != nil {
			res.Refused = errs.Msg{ZH: r.Refused.ZH, EN: r.Refused.EN}.In(l)
		}
		out.Result = res
	}
	return out
}

// boolParam reads a true/false query or form value (default def).
func boolParam(c *gin.Context, name string, def bool) (bool, bool) {
	v := c.Query(name)
	if v == "" {
		v = c.PostForm(name)
	}
	if v == "" {
		return def, true
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		fail(c, errs.InvalidField(name, "只能是 true 或 false", "must be true or false"))
		return false, false
	}
	return b, true
}

// param reads a query value, else a multipart form value.
func param(c *gin.Context, name string) string {
	if v := c.Query(name); v != "" {
		return v
	}
	return c.PostForm(name)
}

// createImport: POST /api/v1/imports?dry_run=true|false, multipart "file",
// optional organ (id or name), sheet, kind, skip_conflicts → 202 with the job.
func (s *Server) createImport(c *gin.Context) {
	dryRun, ok := boolParam(c, "dry_run", true)
	if !ok {
		return
	}
	skip, ok := boolParam(c, "skip_conflicts", false)
	if !ok {
		return
	}
	fh, err := c.FormFile("file")
	if err != nil {
		if errs.IsKind(err, errs.KindTooLarge) || isMaxBytes(err) {
			fail(c, err)
			return
		}
		fail(c, errs.InvalidField("file", "请以 multipart 表单字段 file 上传台账文件", "upload the ledger as the multipart field \"file\""))
		return
	}
	f, err := fh.Open()
	if err != nil {
		fail(c, errs.Internal(err))
		return
	}
	defer f.Close()
	job, err := s.Imports.Submit(c.Request.Context(), principalOf(c), ledger.SubmitInput{
		File: f, FileName: fh.Filename, Organ: param(c, "organ"), Sheet: param(c, "sheet"), Kind: param(c, "kind"),
		DryRun: dryRun, SkipConflicts: skip,
	})
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/imports/"+strconv.FormatInt(job.ID, 10))
	c.JSON(http.StatusAccepted, importJobOut(job, lang(c)))
}

// getImport: GET /api/v1/imports/{id} → the job's progress and result.
func (s *Server) getImport(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	job, err := s.Imports.Get(c.Request.Context(), principalOf(c), id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, importJobOut(job, lang(c)))
}

// confirmImport: POST /api/v1/imports/{id}/confirm[?skip_conflicts=true] runs
// a finished dry run for real on the same file → 202 with the new job.
func (s *Server) confirmImport(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	skip, ok := boolParam(c, "skip_conflicts", false)
	if !ok {
		return
	}
	job, err := s.Imports.Confirm(c.Request.Context(), principalOf(c), id, skip)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, importJobOut(job, lang(c)))
}

// exportLedger: GET /api/v1/imports/ledger?organ=…&format=xlsx|csv streams the
// organ's cases as a ledger that imports back unchanged.
func (s *Server) exportLedger(c *gin.Context) {
	format := c.DefaultQuery("format", "xlsx")
	organ := c.Query("organ")
	ctype := "text/csv; charset=utf-8"
	if format == "xlsx" {
		ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	name := ledger.ExportFileName("ledger", format, s.now())
	// Headers are sent with the first byte; a failure before it is a normal error.
	w := &lazyHeaderWriter{c: c, ctype: ctype, name: name}
	if err := s.Imports.ExportFor(c.Request.Context(), principalOf(c), organ, format, w); err != nil {
		if !w.started {
			fail(c, err)
			return
		}
		s.Logger.Error("ledger export interrupted", "err", err)
		return
	}
}

// lazyHeaderWriter sets the download headers on the first write.
type lazyHeaderWriter struct {
	c       *gin.Context
	ctype   string
	name    string
	started bool
}

func (w *lazyHeaderWriter) Write(p []byte) (int, error) {
	if !w.started {
		w.started = true
		w.c.Header("Content-Type", w.ctype)
		w.c.Header("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(w.name))
		w.c.Status(http.StatusOK)
	}
	return w.c.Writer.Write(p)
}
