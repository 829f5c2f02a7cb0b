package ledger

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/errs"
	"fuyi/services/lifecycle"
)

// Job statuses.
const (
	JobQueued  = "queued"
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// Importer runs one kind of ledger import. The reconsideration ledger is
// Import; the litigation ledger registers its own with Jobs.Register.
type Importer func(ctx context.Context, db *models.DB, opts ImportOptions, progress ProgressFunc) (*Result, error)

// JobOptions configures Jobs.
type JobOptions struct {
	// Dir keeps the uploaded files (e.g. FUYI_DATA_DIR/imports).
	Dir string
	// Instance names this process in claimed_by (default host-pid-random).
	Instance string
	// Hooks / BatchHook / Deadlines / PrepareBatch are passed to every import (see ImportOptions).
	Hooks        []lifecycle.Hook
	BatchHook    BatchHook
	Deadlines    func(ctx context.Context, tx *gorm.DB) (PlanFunc, error)
	PrepareBatch func(changes []Change) (BatchHook, error)
	// Read carries the file limits (size, rows, unpacked size).
	Read   ReadOptions
	Now    func() time.Time
	Logger *slog.Logger
	// StaleAfter: a running job not updated for this long belongs to a dead
	// instance and is failed by Sweep (default 15 minutes).
	StaleAfter time.Duration
	// KeepFiles: how long finished jobs keep their file (default 24 hours;
	// a dry run's file serves Confirm until then).
	KeepFiles time.Duration
}

// Jobs runs ledger imports submitted through the API, one goroutine per job
// in the instance that claimed it.
type Jobs struct {
	db        *models.DB
	o         JobOptions
	importers map[string]Importer
	live      sync.Map // job id → *liveProgress
	wg        sync.WaitGroup
}

type liveProgress struct {
	processed, total atomic.Int64
	phase            atomic.Value
	dirty            atomic.Bool
}

// NewJobs returns the import job service; the "cases" kind is registered.
func NewJobs(db *models.DB, o JobOptions) *Jobs {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Instance == "" {
		host, _ := os.Hostname()
		var b [4]byte
		_, _ = rand.Read(b[:])
		o.Instance = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
	}
	if o.StaleAfter == 0 {
		o.StaleAfter = 15 * time.Minute
	}
	if o.KeepFiles == 0 {
		o.KeepFiles = 24 * time.Hour
	}
	if o.Dir == "" {
		o.Dir = filepath.Join(os.TempDir(), "fuyi-imports")
	}
	return &Jobs{db: db, o: o, importers: map[string]Importer{KindCases: Import}}
}

// Register adds an import kind (e.g. "litigation").
func (j *Jobs) Register(kind string, fn Importer) { j.importers[kind] = fn }

// Wait blocks until every job started by this instance has finished (tests, shutdown).
func (j *Jobs) Wait() { j.wg.Wait() }

// SubmitInput is one upload.
type SubmitInput struct {
	File     io.Reader
	FileName string
	// Organ is an organ id or name; empty means the caller's only organ. An
	// admin naming an organ that does not exist creates it.
	Organ         string
	Sheet         string
	Kind          string
	DryRun        bool
	SkipConflicts bool
}

// Job is an import job as callers see it.
type Job struct {
	ID            int64      `json:"id"`
	OrganID       int64      `json:"organ_id"`
	OrganName     string     `json:"organ_name"`
	Kind          string     `json:"kind"`
	DryRun        bool       `json:"dry_run"`
	SkipConflicts bool       `json:"skip_conflicts"`
	Status        string     `json:"status"`
	Phase         string     `json:"phase"`
	FileName      string     `json:"file_name"`
	TotalRows     int        `json:"total_rows"`
	ProcessedRows int        `json:"processed_rows"`
	Result        *Result    `json:"result"`
	Error         *errs.Msg  `json:"error"`
	CreatedAt     time.Time  `json:"created_at"`
	StartedAt     *time.Time `json:"started_at"`
	FinishedAt    *time.Time `json:"finished_at"`
}

func (j *Jobs) view(m *models.ImportJob) *Job {
	out := &Job{ID: m.ID, OrganID: m.OrganID, OrganName: m.OrganName, Kind: m.Kind, DryRun: m.DryRun, SkipConflicts: m.SkipConflicts,
		Status: m.Status, Phase: m.Phase, FileName: m.FileName, TotalRows: m.TotalRows, ProcessedRows: m.ProcessedRows,
		CreatedAt: m.CreatedAt, StartedAt: m.StartedAt, FinishedAt: m.FinishedAt}
	if m.Status == JobRunning {
		if v, ok := j.live.Load(m.ID); ok {
			lp := v.(*liveProgress)
			out.ProcessedRows, out.TotalRows = int(lp.processed.Load()), int(lp.total.Load())
			if ph, ok := lp.phase.Load().(string); ok {
				out.Phase = ph
			}
		}
	}
	if m.Result != "" {
		var r Result
		if json.Unmarshal([]byte(m.Result), &r) == nil {
			out.Result = &r
		}
	}
	if m.Error != "" {
		var e errs.Msg
		if json.Unmarshal([]byte(m.Error), &e) == nil {
			out.Error = &e
		}
	}
	return out
}

func jobNotFound() error { return errs.NotFound("import job", "导入任务") }

// resolveOrgan maps the caller's organ parameter to an organ id, or to a
// name to create (admins only).
func (j *Jobs) resolveOrgan(ctx context.Context, p *auth.Principal, organ string) (int64, string, error) {
	organ = strings.TrimSpace(organ)
	q := j.db.Read.WithContext(ctx)
	if organ == "" {
		if len(p.OrganIDs) == 1 {
			var o models.Organ
			if err := q.Where("id = ?", p.OrganIDs[0]).Take(&o).Error; err != nil {
				return 0, "", errs.Internal(err)
			}
			return o.ID, o.Name, nil
		}
		return 0, "", errs.InvalidField("organ", "您可访问多个复议机关，请指定 organ", "you have several organs (or none): name one with organ")
	}
	var o models.Organ
	var err error
	if id, perr := strconv.ParseInt(organ, 10, 64); perr == nil {
		err = q.Where("id = ?", id).Take(&o).Error
	} else {
		err = q.Where("name = ?", organ).Take(&o).Error
	}
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		if p.IsAdmin() {
			if _, perr := strconv.ParseInt(organ, 10, 64); perr != nil {
				return 0, organ, nil // created by the import
			}
		}
		return 0, "", errs.NotFound("organ", "复议机关")
	case err != nil:
		return 0, "", errs.Internal(err)
	}
	if !p.IsAdmin() && !p.CanSeeOrgan(o.ID) {
		return 0, "", errs.NotFound("organ", "复议机关")
	}
	return o.ID, o.Name, nil
}

// Submit stores the upload, records a queued job, claims it and starts it
// in this instance. The job's result says what the import did.
func (j *Jobs) Submit(ctx context.Context, p *auth.Principal, in SubmitInput) (*Job, error) {
	if !p.CanWriteCases() {
		return nil, errs.Forbidden("当前角色无权导入台账", "your role may not import ledgers")
	}
	kind := in.Kind
	if kind == "" {
		kind = KindCases
	}
	if _, ok := j.importers[kind]; !ok {
		return nil, errs.InvalidField("kind", "未知的台账类型："+kind, "unknown ledger kind: "+kind)
	}
	organID, organName, err := j.resolveOrgan(ctx, p, in.Organ)
	if err != nil {
		return nil, err
	}
	path, size, err := j.store(in.File, in.FileName)
	if err != nil {
		return nil, err
	}
	now := j.o.Now().UTC()
	m := &models.ImportJob{OrganID: organID, OrganName: organName, UserID: p.UserID, Kind: kind, DryRun: in.DryRun,
		SkipConflicts: in.SkipConflicts, Sheet: strings.TrimSpace(in.Sheet), Status: JobQueued, FileName: filepath.Base(in.FileName),
		FilePath: path, FileSize: size, CreatedAt: now, UpdatedAt: now}
	if err := j.db.Tx(ctx, func(tx *gorm.DB) error { return tx.Create(m).Error }); err != nil {
		os.Remove(path)
		return nil, errs.Internal(err)
	}
	if err := j.claimAndStart(ctx, m, p); err != nil {
		return nil, err
	}
	return j.Get(ctx, p, m.ID)
}

// Confirm re-runs a finished dry run for real on the same file.
func (j *Jobs) Confirm(ctx context.Context, p *auth.Principal, id int64, skipConflicts bool) (*Job, error) {
	src, err := j.load(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if !p.CanWriteCases() {
		return nil, errs.Forbidden("当前角色无权导入台账", "your role may not import ledgers")
	}
	if !src.DryRun || src.Status != JobDone {
		return nil, errs.Rule("not_confirmable", "只有已完成的试导入可以确认导入", "only a finished dry run can be confirmed")
	}
	if _, err := os.Stat(src.FilePath); err != nil {
		return nil, errs.Rule("file_gone", "试导入的文件已不在，请重新上传", "the dry run's file is gone; upload it again")
	}
	f, err := os.Open(src.FilePath)
	if err != nil {
		return nil, errs.Internal(err)
	}
	defer f.Close()
	organ := src.OrganName
	if src.OrganID != 0 {
		organ = strconv.FormatInt(src.OrganID, 10)
	}
	return j.Submit(ctx, p, SubmitInput{File: f, FileName: src.FileName, Organ: organ, Sheet: src.Sheet, Kind: src.Kind, SkipConflicts: skipConflicts})
}

// store copies the upload into Dir under a random name.
func (j *Jobs) store(r io.Reader, name string) (string, int64, error) {
	if r == nil {
		return "", 0, errs.InvalidField("file", "请上传台账文件", "a ledger file is required")
	}
	if err := os.MkdirAll(j.o.Dir, 0o750); err != nil {
		return "", 0, errs.Internal(err)
	}
	ext := strings.ToLower(filepath.Ext(name))
	if ext != ".csv" && ext != ".xlsx" {
		ext = ".dat"
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	path := filepath.Join(j.o.Dir, "import-"+hex.EncodeToString(b[:])+ext)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
	if err != nil {
		return "", 0, errs.Internal(err)
	}
	limit := j.o.Read.MaxFileBytes
	if limit <= 0 {
		limit = DefaultMaxFileBytes
	}
	n, err := io.Copy(f, io.LimitReader(r, limit+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return "", 0, err // the API maps a body-size error to 413
	}
	if n > limit {
		os.Remove(path)
		return "", 0, errs.New(errs.KindTooLarge, "too_large", fmt.Sprintf("文件过大（上限 %d 字节）", limit), fmt.Sprintf("file too large (limit %d bytes)", limit))
	}
	if n == 0 {
		os.Remove(path)
		return "", 0, errs.InvalidField("file", "文件为空", "the file is empty")
	}
	return path, n, nil
}

// claimAndStart takes the job with a guarded UPDATE (only one instance can
// move it out of queued) and runs it in a goroutine.
func (j *Jobs) claimAndStart(ctx context.Context, m *models.ImportJob, p *auth.Principal) error {
	now := j.o.Now().UTC()
	var claimed bool
	err := j.db.Tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&models.ImportJob{}).Where("id = ? AND status = ?", m.ID, JobQueued).
			Updates(map[string]any{"status": JobRunning, "phase": PhaseValidating, "claimed_by": j.o.Instance, "claimed_at": now, "started_at": now, "updated_at": now})
		claimed = res.RowsAffected == 1
		return res.Error
	})
	if err != nil {
		return errs.Internal(err)
	}
	if !claimed {
		return nil
	}
	m.Status = JobRunning
	lp := &liveProgress{}
	lp.phase.Store(PhaseValidating)
	j.live.Store(m.ID, lp)
	var actorID int64
	var actorName string
	if p != nil {
		actorID, actorName = p.UserID, p.DisplayName
		if actorName == "" {
			actorName = p.Username
		}
	} else {
		actorID = m.UserID
	}
	j.wg.Add(1)
	go j.run(context.WithoutCancel(ctx), *m, lp, actorID, actorName)
	return nil
}

// run executes a claimed job and records its outcome.
func (j *Jobs) run(ctx context.Context, m models.ImportJob, lp *liveProgress, actorID int64, actorName string) {
	defer j.wg.Done()
	defer j.live.Delete(m.ID)
	stop := make(chan struct{})
	persisted := make(chan struct{})
	go j.persistProgress(ctx, m.ID, lp, stop, persisted)

	opts := ImportOptions{Path: m.FilePath, Read: j.o.Read, OrganID: m.OrganID, DryRun: m.DryRun, SkipConflicts: m.SkipConflicts,
		ActorID: actorID, ActorName: actorName, Hooks: j.o.Hooks, BatchHook: j.o.BatchHook, Deadlines: j.o.Deadlines, PrepareBatch: j.o.PrepareBatch, Now: j.o.Now,
		Phase: func(ph string) { lp.phase.Store(ph); lp.dirty.Store(true) }}
	opts.Read.Sheet = m.Sheet
	if m.OrganID == 0 {
		opts.OrganName, opts.CreateOrgan = m.OrganName, true
	}
	var res *Result
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("import panicked: %v", r)
			}
		}()
		res, err = j.importers[m.Kind](ctx, j.db, opts, func(processed, total int) {
			lp.processed.Store(int64(processed))
			lp.total.Store(int64(total))
			lp.dirty.Store(true)
		})
	}()
	close(stop)
	<-persisted

	now := j.o.Now().UTC()
	upd := map[string]any{"status": JobDone, "phase": "", "finished_at": now, "updated_at": now}
	if err != nil {
		j.o.Logger.Error("ledger import failed", "job", m.ID, "err", err)
		e := errs.As(err)
		b, _ := json.Marshal(e.Message)
		upd["status"], upd["error"] = JobFailed, string(b)
	} else {
		b, _ := json.Marshal(res)
		upd["result"] = string(b)
		upd["processed_rows"], upd["total_rows"] = res.Rows, res.Rows
		if res.OrganID != 0 {
			upd["organ_id"] = res.OrganID
		}
	}
	if err := j.db.Tx(ctx, func(tx *gorm.DB) error {
		return tx.Model(&models.ImportJob{}).Where("id = ?", m.ID).Updates(upd).Error
	}); err != nil {
		j.o.Logger.Error("import job: record result", "job", m.ID, "err", err)
	}
	if !m.DryRun {
		os.Remove(m.FilePath)
	}
}

// persistProgress writes the live progress to the job row about once a
// second, so another instance (or a reload) sees it. On SQLite the write
// waits while the import holds the one write connection; the import never
// waits for it.
func (j *Jobs) persistProgress(ctx context.Context, id int64, lp *liveProgress, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			if !lp.dirty.Swap(false) {
				continue
			}
			ph, _ := lp.phase.Load().(string)
			_ = j.db.Tx(ctx, func(tx *gorm.DB) error {
				return tx.Model(&models.ImportJob{}).Where("id = ? AND status = ?", id, JobRunning).Updates(map[string]any{
					"processed_rows": lp.processed.Load(), "total_rows": lp.total.Load(), "phase": ph, "updated_at": j.o.Now().UTC()}).Error
			})
		}
	}
}

func (j *Jobs) load(ctx context.Context, p *auth.Principal, id int64) (*models.ImportJob, error) {
	var m models.ImportJob
	if err := j.db.Read.WithContext(ctx).Where("id = ?", id).Take(&m).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, jobNotFound()
		}
		return nil, errs.Internal(err)
	}
	visible := p.IsAdmin() || (m.OrganID != 0 && p.CanSeeOrgan(m.OrganID)) || (m.OrganID == 0 && m.UserID == p.UserID)
	if !visible {
		return nil, jobNotFound()
	}
	return &m, nil
}

// Get returns a job with its progress and, once finished, its result.
// Another organ's job is not found.
func (j *Jobs) Get(ctx context.Context, p *auth.Principal, id int64) (*Job, error) {
	m, err := j.load(ctx, p, id)
	if err != nil {
		return nil, err
	}
	return j.view(m), nil
}

// Sweep is the background pass (safe with several instances): it runs
// queued jobs whose file is on this instance and nobody claimed within a
// minute, fails running jobs whose instance stopped updating them, and
// removes the files of jobs finished longer than KeepFiles ago.
func (j *Jobs) Sweep(ctx context.Context) error {
	now := j.o.Now().UTC()
	q := j.db.Read.WithContext(ctx)
	var queued []models.ImportJob
	if err := q.Where("status = ? AND created_at < ?", JobQueued, now.Add(-time.Minute)).Limit(20).Find(&queued).Error; err != nil {
		return err
	}
	for i := range queued {
		if _, err := os.Stat(queued[i].FilePath); err != nil {
			continue // another instance's file
		}
		if err := j.claimAndStart(ctx, &queued[i], nil); err != nil {
			return err
		}
	}
	msg, _ := json.Marshal(errs.Msg{ZH: "处理该任务的服务实例已停止，导入未完成（未写入任何数据），请重新上传", EN: "the instance running this job stopped; the import did not complete (nothing was written); upload the file again"})
	if err := j.db.Tx(ctx, func(tx *gorm.DB) error {
		return tx.Model(&models.ImportJob{}).Where("status = ? AND updated_at < ?", JobRunning, now.Add(-j.o.StaleAfter)).
			Updates(map[string]any{"status": JobFailed, "error": string(msg), "finished_at": now, "updated_at": now}).Error
	}); err != nil {
		return err
	}
	var old []models.ImportJob
	if err := q.Where("status IN ? AND finished_at < ? AND file_path <> ''", []string{JobDone, JobFailed}, now.Add(-j.o.KeepFiles)).
		Limit(100).Find(&old).Error; err != nil {
		return err
	}
	for _, m := range old {
		if _, err := os.Stat(m.FilePath); err == nil {
			os.Remove(m.FilePath)
		}
		_ = j.db.Tx(ctx, func(tx *gorm.DB) error {
			return tx.Model(&models.ImportJob{}).Where("id = ?", m.ID).Update("file_path", "").Error
		})
	}
	return nil
}

// ExportFor writes organ's ledger (see Export) for p: organ is an id or a
// name among p's organs (empty: p's only organ); another organ is not found.
func (j *Jobs) ExportFor(ctx context.Context, p *auth.Principal, organ, format string, w io.Writer) error {
	if format != string(FormatCSV) && format != string(FormatXLSX) {
		return errs.InvalidField("format", "格式只能是 xlsx 或 csv", "format must be xlsx or csv")
	}
	id, _, err := j.resolveOrgan(ctx, p, organ)
	if err != nil {
		return err
	}
	if id == 0 {
		return errs.NotFound("organ", "复议机关")
	}
	return Export(ctx, j.db, id, format, w)
}
