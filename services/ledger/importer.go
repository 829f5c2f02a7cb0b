package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fuyi/models"
	"fuyi/services/bulk"
	"fuyi/services/errs"
	"fuyi/services/lifecycle"
	"fuyi/services/organs"
)

// KindCases is the import kind of the reconsideration ledger.
const KindCases = "cases"

// Change is one case written by an import: Before is nil for a new case.
type Change struct {
	Before, After *models.Case
	// Deadlines are the deadline rows the import wrote with a new case
	// (ImportOptions.Deadlines); nil when the hooks are to compute them.
	Deadlines []models.Deadline
}

// BatchHook is the batch form of the lifecycle hooks: it gets the cases of
// one write batch (up to ImportOptions.BatchSize) inside the transaction.
// When set, it replaces the per-case Hooks for imports.
type BatchHook func(ctx context.Context, tx *gorm.DB, changes []Change) error

// PlanFunc returns the deadline rows of a new case (SubjectID c.ID) exactly
// as the deadline hook writes them for it. The import calls it from its
// reading goroutine, concurrently with its writes.
type PlanFunc func(c *models.Case) ([]models.Deadline, error)

// ProgressFunc reports rows processed. While validating, total is 0 (not yet
// known); while writing, total is the number of data rows.
type ProgressFunc func(processed, total int)

// The phases an import reports through ImportOptions.Phase.
const (
	PhaseValidating = "validating"
	PhaseWriting    = "writing"
)

// ImportOptions configures Import.
type ImportOptions struct {
	// Path is the ledger file (CSV or XLSX).
	Path string
	Read ReadOptions
	// OrganID selects the organ; otherwise OrganName (created when missing
	// and CreateOrgan is set); otherwise the only organ of the database.
	OrganID     int64
	OrganName   string
	CreateOrgan bool
	// DryRun validates and classifies every row and writes nothing.
	DryRun bool
	// SkipConflicts imports the other rows and leaves the cases edited in the
	// app since their last import alone; without it any conflict refuses the
	// whole import.
	SkipConflicts bool
	// ActorID / ActorName are recorded on the events (0 / "" for the CLI).
	ActorID   int64
	ActorName string
	// Hooks run for every case written, as lifecycle runs them for a hand
	// entry (deadlines, statistics rollup); BatchHook replaces them when set.
	Hooks     []lifecycle.Hook
	BatchHook BatchHook
	// Deadlines, used with BatchHook, returns the planner of new cases'
	// deadlines as of tx (called once, at the start of the writing): the
	// import then plans them while it writes the batches before, writes
	// them with the cases and hands them to BatchHook in Change.Deadlines.
	Deadlines func(ctx context.Context, tx *gorm.DB) (PlanFunc, error)
	// PrepareBatch, used with BatchHook, runs on the reading goroutine for
	// each batch of new cases (ids given, deadlines planned, while the
	// transaction writes the batches before) and may return the hook that
	// then runs for that batch instead of BatchHook, having done ahead the
	// part of BatchHook's work that needs no database. nil: BatchHook.
	PrepareBatch func(changes []Change) (BatchHook, error)
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// BatchSize is the number of new cases written per batch (default
	// defaultBatchSize).
	BatchSize int
	// Phase, when set, is told when validation and writing start.
	Phase func(phase string)
}

// chinaTime is the offices' clock: "today" is the civil date in China.
var chinaTime = time.FixedZone("CST", 8*3600)

// progressEvery is how often (rows) progress is reported.
const progressEvery = 2000

// Import reads the reconsideration ledger at opts.Path into an organ:
// it validates every row first (all problems reported, nothing written on
// any), then, unless DryRun, writes every new and changed case in one
// transaction. Re-importing the same ledger changes nothing. The returned
// error is for failures of the system (I/O, database); a refused ledger is
// a Result that is not OK.
func Import(ctx context.Context, db *models.DB, opts ImportOptions, progress ProgressFunc) (*Result, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = defaultBatchSize
	}
	if progress == nil {
		progress = func(int, int) {}
	}
	res := newResult(KindCases, opts.DryRun)
	organ, err := resolveOrgan(ctx, db.Read, &opts, res)
	if err != nil {
		return nil, err
	}
	if opts.Phase != nil {
		opts.Phase(PhaseValidating)
	}
	v, err := validate(ctx, db.Read, organ, &opts, res, progress)
	if err != nil {
		return nil, err
	}
	if v == nil || !res.OK() {
		sortProblems(res.Errors)
		return res, nil
	}
	if len(res.Conflicts) > 0 && !opts.SkipConflicts {
		res.Refused = &Problem{ZH: fmt.Sprintf("%d 个案件在上次导入后已在系统中修改，为免覆盖，本次导入未写入任何数据；确认以系统为准后可选择“跳过冲突”（skip_conflicts）再导入", len(res.Conflicts)),
			EN: fmt.Sprintf("%d cases were edited in the app since their last import; nothing was written. Re-run with skip_conflicts to import the other rows and keep the app's version of those cases", len(res.Conflicts))}
		return res, nil
	}
	if opts.DryRun {
		return res, nil
	}
	if opts.Phase != nil {
		opts.Phase(PhaseWriting)
	}
	if err := write(ctx, db, organ, &opts, v, res, progress); err != nil {
		var refused *refusal
		if errors.As(err, &refused) {
			res.Written = false
			return res, nil
		}
		return nil, err
	}
	res.Written = true
	return res, nil
}

// resolveOrgan finds the organ to import into (nil with OrganCreated when it
// is to be created).
func resolveOrgan(ctx context.Context, q *gorm.DB, opts *ImportOptions, res *Result) (*models.Organ, error) {
	q = q.WithContext(ctx)
	var o models.Organ
	switch {
	case opts.OrganID != 0:
		if err := q.Where("id = ?", opts.OrganID).Take(&o).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return nil, errs.NotFound("organ", "复议机关")
			}
			return nil, errs.Internal(err)
		}
	case strings.TrimSpace(opts.OrganName) != "":
		name := strings.TrimSpace(opts.OrganName)
		err := q.Where("name = ?", name).Take(&o).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			if !opts.CreateOrgan {
				return nil, errs.NotFound("organ", "复议机关").Field("organ", "没有名为“"+name+"”的复议机关", "no organ named "+name)
			}
			res.OrganName, res.OrganCreated = name, true
			return nil, nil
		}
		if err != nil {
			return nil, errs.Internal(err)
		}
	default:
		var all []models.Organ
		if err := q.Limit(2).Order("id").Find(&all).Error; err != nil {
			return nil, errs.Internal(err)
		}
		if len(all) != 1 {
			return nil, errs.Invalid("请指定要导入的复议机关（--organ 名称）", "name the organ to import into (--organ NAME)").
				Field("organ", "必填", "required")
		}
		o = all[0]
	}
	res.OrganID, res.OrganName = o.ID, o.Name
	return &o, nil
}

// existingCase is what the import needs to know of a case already in the
// organ: kept small, since a re-imported ledger of a million rows holds a
// million of them.
type existingCase struct {
	ID     int64
	CaseNo string
	// ImportHash is the hash of the ledger row last imported (when
	// HasImportHash); ProjHash the hash of the case as its ledger row would
	// read now.
	ImportHash, ProjHash rowHash
	HasImportHash        bool
	// AppEdited: the last write of the case was made in the app.
	AppEdited bool
}

// caseIndex finds the cases of an organ by case number and by import key.
type caseIndex struct {
	cases    []existingCase
	byCaseNo map[string]int32 // index into cases
	byKey    map[string]int32
}

// loadIndex streams the organ's cases (with the columns of a ledger row)
// into an index. organ nil (to be created) gives an empty index.
func loadIndex(ctx context.Context, q *gorm.DB, organ *models.Organ) (*caseIndex, error) {
	ix := &caseIndex{byCaseNo: map[string]int32{}, byKey: map[string]int32{}}
	if organ == nil {
		return ix, nil
	}
	var n int64
	if err := q.WithContext(ctx).Model(&models.Case{}).Where("organ_id = ?", organ.ID).Count(&n).Error; err != nil {
		return nil, err
	}
	ix.cases, ix.byCaseNo = make([]existingCase, 0, n), make(map[string]int32, n)
	rows, err := q.WithContext(ctx).Table("cases").
		Select("cases.id, cases.case_no, cases.status, cases.import_key, cases.import_hash, cases.edited_in_app_at, cases.updated_at, "+
			"cases.applicant, cases.applicant_type, COALESCE(agencies.name, ''), cases.act_type, cases.area, cases.received_on, cases.accepted_on, "+
			"cases.procedure, cases.closed_on, cases.outcome, cases.outcome_partial, cases.outcome_redo, cases.termination, cases.note").
		Joins("LEFT JOIN agencies ON agencies.id = cases.respondent_id").
		Where("cases.organ_id = ?", organ.ID).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			e                      existingCase
			status, key, imported  string
			edited                 *time.Time
			updated                time.Time
			cr                     caseRow
			accepted, closed       *string
			partial, redo          bool
			applicantType, actType string
		)
		if err := rows.Scan(&e.ID, &e.CaseNo, &status, &key, &imported, &edited, &updated,
			&cr.Applicant, &applicantType, &cr.Respondent, &actType, &cr.Area, &cr.ReceivedOn, &accepted,
			&cr.Procedure, &closed, &cr.Outcome, &partial, &redo, &cr.Termination, &cr.Note); err != nil {
			return nil, err
		}
		cr.ApplicantType, cr.ActType = applicantType, actType
		projectCase(&cr, status, accepted, closed, partial, redo)
		e.ProjHash = cr.sum()
		e.ImportHash, e.HasImportHash = parseRowHash(imported)
		e.AppEdited = edited != nil && !edited.Before(updated)
		i := int32(len(ix.cases))
		ix.cases = append(ix.cases, e)
		ix.byCaseNo[e.CaseNo] = i
		if strings.HasPrefix(key, "k:") {
			ix.byKey[key] = i
		}
	}
	return ix, rows.Err()
}

// projectCase completes the ledger view of a case from its status and dates.
func projectCase(cr *caseRow, status string, accepted, closed *string, partial, redo bool) {
	cr.Intake = intakeOf(status, accepted)
	if accepted != nil {
		cr.AcceptedOn = *accepted
		if cr.Procedure == "" {
			cr.Procedure = "ordinary"
		}
	} else {
		cr.Procedure = ""
	}
	if closed != nil {
		cr.ClosedOn = *closed
	}
	if cr.Outcome == "revoked" {
		cr.Partial, cr.Redo = partial, redo
	}
}

// match finds the existing case of a row and its import key.
func (ix *caseIndex) match(cr *caseRow, occurrence int) (*existingCase, string) {
	i, key := ix.find(cr, occurrence)
	if i < 0 {
		return nil, key
	}
	return &ix.cases[i], key
}

// find is match with the case's position in ix.cases (-1: none).
func (ix *caseIndex) find(cr *caseRow, occurrence int) (int, string) {
	var (
		i   int32
		ok  bool
		key string
	)
	if cr.CaseNo != "" {
		i, ok = ix.byCaseNo[cr.CaseNo]
		key = caseNoKey(cr.CaseNo)
	} else {
		key = compositeKey(cr.Applicant, cr.Respondent, cr.ReceivedOn, occurrence)
		i, ok = ix.byKey[key]
	}
	if !ok {
		return -1, key
	}
	return int(i), key
}

type action int

const (
	actCreate action = iota
	actUnchanged
	actUpdate
	actConflict
)

func classify(hash rowHash, ex *existingCase) action {
	switch {
	case ex == nil:
		return actCreate
	case ex.HasImportHash && hash == ex.ImportHash || hash == ex.ProjHash:
		return actUnchanged
	case ex.AppEdited:
		return actConflict
	}
	return actUpdate
}

// validation is what the first pass learned and the second pass reuses.
type validation struct {
	total int
	// fileCaseNos holds the case numbers written in the file (hashed), which
	// generated numbers must avoid.
	fileCaseNos map[uint64]int32
	seed        maphash.Seed
	agencies    map[string]bool
}

func (v *validation) caseNoTaken(no string) bool {
	_, ok := v.fileCaseNos[maphash.String(v.seed, no)]
	return ok
}

// rowScanner iterates the data rows of a ledger file.
type rowScanner struct {
	src    Source
	header *Header
}

// openRows opens the file and reads its header; header problems go to res.
func openRows(path string, ro ReadOptions, layout Layout, res *Result) (*rowScanner, error) {
	src, err := Open(path, ro)
	if err != nil {
		var le *LimitError
		if errors.As(err, &le) {
			res.AddError(Problem{ZH: le.ZH, EN: le.EN})
			return nil, nil
		}
		return nil, err
	}
	res.Sheet = src.Sheet()
	h, problems, warnings, err := ReadHeader(src, layout)
	if err != nil {
		src.Close()
		var le *LimitError
		if errors.As(err, &le) {
			res.AddError(Problem{ZH: le.ZH, EN: le.EN})
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
		src.Close()
		return nil, nil
	}
	return &rowScanner{src: src, header: h}, nil
}

// each calls fn for every non-blank data row. A read error that is the
// file's fault becomes a problem of res.
func (s *rowScanner) each(ctx context.Context, res *Result, fn func(Row) error) error {
	defer s.src.Close()
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		num, cells, err := s.src.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var le *LimitError
			if errors.As(err, &le) {
				res.AddError(Problem{Row: num, ZH: le.ZH, EN: le.EN})
				return nil
			}
			return err
		}
		r := Row{Num: num, Cells: cells, Header: s.header}
		if r.Blank() {
			continue
		}
		if err := fn(r); err != nil {
			return err
		}
	}
}

// validate is the first pass: every row parsed and checked, duplicates
// found, rows classified against the organ's cases. It returns nil when the
// file could not be read as a ledger (the problems are in res).
func validate(ctx context.Context, q *gorm.DB, organ *models.Organ, opts *ImportOptions, res *Result, progress ProgressFunc) (*validation, error) {
	ix, err := loadIndex(ctx, q, organ)
	if err != nil {
		return nil, errs.Internal(err)
	}
	agencies, err := agencyNames(ctx, q, organ)
	if err != nil {
		return nil, errs.Internal(err)
	}
	sc, err := openRows(opts.Path, opts.Read, CaseLayout, res)
	if err != nil || sc == nil {
		return nil, err
	}
	v := &validation{fileCaseNos: map[uint64]int32{}, seed: maphash.MakeSeed(), agencies: map[string]bool{}}
	occurrences := map[uint64]int{}
	matched := make([]int32, len(ix.cases)) // the first row matching each existing case
	today := opts.Now().In(chinaTime).Format(time.DateOnly)
	err = parseAll(ctx, sc, res, today, func(pr *parsedRow) error {
		r, cr, problems := pr.Row, &pr.cr, pr.problems
		v.total++
		if v.total%progressEvery == 0 {
			progress(v.total, 0)
		}
		for _, p := range problems {
			res.AddError(p)
		}
		occurrence := 0
		if cr.CaseNo != "" {
			h := maphash.String(v.seed, cr.CaseNo)
			if first, dup := v.fileCaseNos[h]; dup {
				res.AddError(r.Problem("case_no", fmt.Sprintf("案号“%s”与第%d行重复", cr.CaseNo, first), fmt.Sprintf("case number %q repeats row %d", cr.CaseNo, first)))
				return nil
			}
			v.fileCaseNos[h] = int32(r.Num)
		} else if cr.Applicant != "" && cr.Respondent != "" && cr.ReceivedOn != "" {
			h := maphash.String(v.seed, cr.Applicant+"\x00"+cr.Respondent+"\x00"+cr.ReceivedOn)
			occurrences[h]++
			occurrence = occurrences[h]
		}
		if len(problems) > 0 {
			return nil
		}
		if !agencies[cr.Respondent] && !v.agencies[cr.Respondent] {
			v.agencies[cr.Respondent] = true
			res.AgenciesCreated = append(res.AgenciesCreated, cr.Respondent)
		}
		var ex *existingCase
		if i, _ := ix.find(cr, occurrence); i >= 0 {
			ex = &ix.cases[i]
			if first := matched[i]; first != 0 {
				res.AddError(r.Problem("case_no", fmt.Sprintf("与第%d行是同一案件（%s）", first, ex.CaseNo), fmt.Sprintf("the same case (%s) as row %d", ex.CaseNo, first)))
				return nil
			}
			matched[i] = int32(r.Num)
		}
		switch classify(pr.sum, ex) {
		case actCreate:
			res.Created++
		case actUnchanged:
			res.Unchanged++
		case actUpdate:
			res.Updated++
		case actConflict:
			res.addConflict(r.Num, ex)
		}
		return nil
	})
	res.Rows = v.total
	progress(v.total, 0)
	if err != nil {
		return nil, err
	}
	return v, nil
}

func (r *Result) addConflict(row int, ex *existingCase) {
	if len(r.Conflicts) >= MaxReportedProblems {
		r.Skipped++
		return
	}
	r.Conflicts = append(r.Conflicts, Conflict{Row: row, CaseID: ex.ID, CaseNo: ex.CaseNo,
		ZH: "该案件在上次导入后已在系统中修改，台账中的变化未导入", EN: "the case was edited in the app since its last import; the ledger's changes were not imported"})
	r.Skipped++
}

func agencyNames(ctx context.Context, q *gorm.DB, organ *models.Organ) (map[string]bool, error) {
	out := map[string]bool{}
	if organ == nil {
		return out, nil
	}
	var names []string
	if err := q.WithContext(ctx).Model(&models.Agency{}).Where("organ_id = ?", organ.ID).Pluck("name", &names).Error; err != nil {
		return nil, err
	}
	for _, n := range names {
		out[n] = true
	}
	return out, nil
}

// refusal aborts the write transaction for a reason already recorded in the result.
type refusal struct{}

func (*refusal) Error() string { return "import refused" }

// writer is the second pass, in one transaction: a reading goroutine
// (produce) parses and classifies the rows again, gives the new cases ids,
// plans their deadlines and takes the values of their rows, batch by
// batch, while the transaction's goroutine (consume) numbers the keyless
// cases and writes the batches in file order. The reading goroutine does
// not use the transaction (a connection serves one statement at a time).
type writer struct {
	ctx      context.Context
	tx       *gorm.DB
	opts     *ImportOptions
	organ    *models.Organ
	v        *validation
	res      *Result
	now      time.Time
	caseNoRe *regexp.Regexp
	agencies map[string]int64
	// The reading goroutine reads ix (and alone writes its cases' fields)
	// and owns the fields after it until it is done; block is the
	// transaction goroutine's.
	ix *caseIndex
	// block holds allocated but unused sequence numbers per year.
	block map[int][]int
	// maxSeq is the highest sequence per year among the file's own numbers.
	maxSeq  map[int]int
	ids     *bulk.IDs
	plan    PlanFunc
	pending []models.Case
	rows    []caseRow
	nums    []int // the file rows of pending
	// payloads memoises the synthesised events' payloads (reading goroutine).
	payloads map[payloadKey]string
}

// item is what the reading goroutine hands to the writing one: a batch of
// new cases or one changed case.
type item struct {
	batch  *newCases
	update *changedCase
}

// newCases is a batch of new cases with ids and numbers, and the values of
// the rows to insert: cases, events, parties, deadlines (when planned).
type newCases struct {
	cases   []models.Case
	changes []Change
	// values are the cases' values when every case had its number on
	// the reading goroutine (nil: writeNew takes them after numbering).
	values  *bulk.Rows
	inserts []*bulk.Rows
	// hook replaces opts.BatchHook for the batch (ImportOptions.PrepareBatch).
	hook BatchHook
}

type changedCase struct {
	row       int
	id        int64
	cr        caseRow
	key, hash string
}

// defaultBatchSize is the new cases per write batch: the statistics
// rollup's fixed cost per batch (the month and year cells of its slices)
// wants large batches (a million-row ledger spent 27 s of CPU in the
// rollup with batches of 1,000, 9 s with 5,000), the memory of the
// batches in flight (up to pipelineDepth+2 of them) small ones (5,000
// raised the peak RSS of that import from 250 MB to 586 MB).
const defaultBatchSize = 2500

// pipelineDepth is how many batches the reading goroutine may be ahead.
const pipelineDepth = 2

func write(ctx context.Context, db *models.DB, organ *models.Organ, opts *ImportOptions, v *validation, res *Result, progress ProgressFunc) error {
	return db.Tx(models.Alone(ctx), func(tx *gorm.DB) error { // a long transaction: not in a group commit
		tx = bulkSession(tx, opts.BatchSize)
		if db.Dialect == models.SQLite {
			restore, err := largeCache(tx)
			if err != nil {
				return err
			}
			defer restore()
		}
		if organ == nil {
			id, created, err := organs.FindOrCreateOrgan(tx, res.OrganName)
			if err != nil {
				return errs.Internal(err)
			}
			res.OrganCreated = created
			organ = &models.Organ{}
			if err := tx.Where("id = ?", id).Take(organ).Error; err != nil {
				return errs.Internal(err)
			}
			res.OrganID = organ.ID
		}
		w := &writer{ctx: bulk.WholeTransaction(ctx, tx), tx: tx, opts: opts, organ: organ, v: v, res: res, now: opts.Now().UTC(),
			agencies: map[string]int64{}, maxSeq: map[int]int{}, block: map[int][]int{}}
		w.caseNoRe = caseNoPattern(organ)
		var err error
		if w.ix, err = loadIndex(ctx, tx, organ); err != nil {
			return errs.Internal(err)
		}
		if err := w.loadAgencies(); err != nil {
			return err
		}
		if w.ids, err = bulk.NewIDs(ctx, tx, "cases"); err != nil {
			return errs.Internal(err)
		}
		w.ids.Outside(db.Write) // PostgreSQL: the reading goroutine draws ids outside the transaction
		if opts.Deadlines != nil && opts.BatchHook != nil {
			if w.plan, err = opts.Deadlines(ctx, tx); err != nil {
				return err
			}
		}
		// The counts are recomputed from what this transaction sees.
		res.Created, res.Updated, res.Unchanged, res.Skipped = 0, 0, 0, 0
		res.Conflicts = res.Conflicts[:0]
		res.Warnings, res.WarningCount = res.Warnings[:0], 0 // the header is read again
		sc, err := openRows(opts.Path, opts.Read, CaseLayout, res)
		if err != nil {
			return err
		}
		if sc == nil || !res.OK() {
			return &refusal{}
		}
		pctx, cancel := context.WithCancel(w.ctx)
		defer cancel()
		items := make(chan item, pipelineDepth)
		produced := make(chan error, 1)
		go func() {
			defer close(items)
			produced <- w.produce(pctx, sc, items, progress)
		}()
		if err := w.consume(items, cancel); err != nil {
			<-produced
			return err
		}
		if err := <-produced; err != nil {
			return err
		}
		return w.advanceCounters()
	})
}

// consume writes the items in order; after a failure it stops the reading
// goroutine and drains what it had sent.
func (w *writer) consume(items <-chan item, stop func()) error {
	var failed error
	for it := range items {
		if failed != nil {
			continue
		}
		switch {
		case it.batch != nil:
			failed = w.writeNew(it.batch)
		case it.update != nil:
			u := it.update
			failed = w.update(u.row, u.id, &u.cr, u.key, u.hash)
		}
		if failed != nil {
			stop()
		}
	}
	return failed
}

// produce is the reading goroutine: it parses and classifies every row,
// counts them in the result, and sends the changed cases one by one and
// the new ones batch by batch.
func (w *writer) produce(ctx context.Context, sc *rowScanner, items chan<- item, progress ProgressFunc) error {
	send := func(it item) error {
		select {
		case items <- it:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	res, v := w.res, w.v
	occurrences := map[uint64]int{}
	today := w.opts.Now().In(chinaTime).Format(time.DateOnly)
	processed := 0
	err := parseAll(ctx, sc, res, today, func(pr *parsedRow) error {
		r, cr, problems := pr.Row, pr.cr, pr.problems
		processed++
		if processed%progressEvery == 0 {
			progress(processed, v.total)
		}
		if len(problems) > 0 {
			// The file changed between the passes.
			for _, p := range problems {
				res.AddError(p)
			}
			return &refusal{}
		}
		occurrence := 0
		if cr.CaseNo == "" {
			t := maphash.String(v.seed, cr.Applicant+"\x00"+cr.Respondent+"\x00"+cr.ReceivedOn)
			occurrences[t]++
			occurrence = occurrences[t]
		}
		ex, key := w.ix.match(&cr, occurrence)
		hash := pr.sum
		switch classify(hash, ex) {
		case actUnchanged:
			res.Unchanged++
		case actConflict:
			res.addConflict(r.Num, ex)
		case actUpdate:
			res.Updated++
			ex.ImportHash, ex.HasImportHash = hash, true
			return send(item{update: &changedCase{row: r.Num, id: ex.ID, cr: cr, key: key, hash: hash.String()}})
		case actCreate:
			res.Created++
			w.add(r.Num, &cr, key, hash.String())
			if len(w.pending) >= w.opts.BatchSize {
				return w.flush(ctx, send)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !res.OK() {
		return &refusal{}
	}
	if len(res.Conflicts) > 0 && !w.opts.SkipConflicts {
		res.Refused = &Problem{ZH: "导入期间出现新的冲突，未写入任何数据", EN: "new conflicts appeared during the import; nothing was written"}
		return &refusal{}
	}
	if err := w.flush(ctx, send); err != nil {
		return err
	}
	res.Rows = processed
	progress(processed, v.total)
	return nil
}

// importCacheKiB is the SQLite page cache of the import's connection while
// it writes. A ledger's transaction writes far more pages than the default
// 2 MB cache holds: SQLite then spills dirty pages to the WAL and writes the
// hot ones (the growing ends of the tables and indexes) again and again,
// and reads evicted index pages back. A million-row import measured ~12 %
// less time in SQLite with 128 MiB (and more memory); 64 MiB keeps the
// import's peak memory bounded.
const importCacheKiB = 64 << 10

// largeCache sets the write connection's page cache to importCacheKiB for
// the import's transaction; restore sets back what it was (also when the
// import fails: the setting is not transactional).
func largeCache(tx *gorm.DB) (restore func(), err error) {
	var was int64
	if err := tx.Raw("PRAGMA cache_size").Scan(&was).Error; err != nil {
		return nil, errs.Internal(err)
	}
	if err := tx.Exec("PRAGMA cache_size = " + strconv.Itoa(-importCacheKiB)).Error; err != nil {
		return nil, errs.Internal(err)
	}
	return func() { tx.Exec("PRAGMA cache_size = " + strconv.FormatInt(was, 10)) }, nil
}

// bulkSession is tx for large multi-row statements: no savepoint per batch
// and no prepared-statement cache (each batch would be prepared again on the
// transaction's connection, which costs more than it saves).
func bulkSession(tx *gorm.DB, batch int) *gorm.DB {
	s := tx.Session(&gorm.Session{SkipDefaultTransaction: true, CreateBatchSize: batch})
	if p, ok := s.Statement.ConnPool.(*gorm.PreparedStmtTX); ok {
		s.Statement.ConnPool = p.Tx
	}
	return s
}

func (w *writer) loadAgencies() error {
	var as []models.Agency
	if err := w.tx.Where("organ_id = ?", w.organ.ID).Find(&as).Error; err != nil {
		return errs.Internal(err)
	}
	for _, a := range as {
		w.agencies[a.Name] = a.ID
	}
	created := []string{}
	for _, name := range w.res.AgenciesCreated {
		if _, ok := w.agencies[name]; ok {
			continue
		}
		id, isNew, err := organs.FindOrCreateAgency(w.tx, w.organ.ID, name)
		if err != nil {
			return errs.Internal(err)
		}
		w.agencies[name] = id
		if isNew {
			created = append(created, name)
		}
	}
	w.res.AgenciesCreated = created
	return nil
}

// caseNoPattern matches the organ's own case numbers, capturing year and sequence.
func caseNoPattern(o *models.Organ) *regexp.Regexp {
	p := o.CaseNoPattern
	if p == "" {
		p = organs.DefaultCaseNoPattern
	}
	q := regexp.QuoteMeta(p)
	q = strings.ReplaceAll(q, regexp.QuoteMeta("{short}"), regexp.QuoteMeta(o.ShortName))
	q = strings.ReplaceAll(q, regexp.QuoteMeta("{year}"), `(?P<year>\d{4})`)
	q = strings.ReplaceAll(q, regexp.QuoteMeta("{seq4}"), `(?P<seq>\d+)`)
	q = strings.ReplaceAll(q, regexp.QuoteMeta("{seq}"), `(?P<seq>\d+)`)
	re, err := regexp.Compile("^" + q + "$")
	if err != nil || re.SubexpIndex("seq") < 0 {
		return nil
	}
	return re
}

// numberOf reads year and sequence from a case number of the organ's pattern.
func (w *writer) numberOf(no string) (year, seq int, ok bool) {
	if w.caseNoRe == nil {
		return 0, 0, false
	}
	m := w.caseNoRe.FindStringSubmatch(no)
	if m == nil {
		return 0, 0, false
	}
	if i := w.caseNoRe.SubexpIndex("year"); i >= 0 {
		year, _ = strconv.Atoi(m[i])
	}
	seq, err := strconv.Atoi(m[w.caseNoRe.SubexpIndex("seq")])
	return year, seq, err == nil && seq > 0 && seq < 1<<30
}

func yearOf(date string) int {
	y, _ := strconv.Atoi(date[:4])
	return y
}

// regimeFor: the 2023 law applies to applications received from 2024-01-01 (RL2023 Art. 90).
func regimeFor(receivedOn string) string {
	if receivedOn < simplifiedFrom {
		return lifecycle.RegimeRL2017
	}
	return lifecycle.RegimeRL2023
}

// apply sets the ledger fields of a case from a row.
func (w *writer) apply(c *models.Case, cr *caseRow) {
	c.Applicant = cr.Applicant
	c.ApplicantType = cr.ApplicantType
	c.RespondentID = w.agencies[cr.Respondent]
	c.ActType = cr.ActType
	c.Area = cr.Area
	c.ReceivedOn = cr.ReceivedOn
	c.Regime = regimeFor(cr.ReceivedOn)
	c.Status = cr.statusOf()
	c.Procedure = cr.Procedure
	c.AcceptedOn = optional(cr.AcceptedOn)
	c.ClosedOn = optional(cr.ClosedOn)
	c.Outcome = cr.Outcome
	c.OutcomePartial, c.OutcomeRedo = cr.Partial, cr.Redo
	c.Termination = cr.Termination
	c.Note = cr.Note
	switch cr.Intake {
	case intakeNotAccepted, intakeAbandoned, intakeWithdrawn, intakeReferred:
		// The ledger has no date for a pre-acceptance disposition: keep the
		// one recorded, else take the receipt date.
		if c.IntakeOn == nil || *c.IntakeOn < cr.ReceivedOn {
			c.IntakeOn = optional(cr.ReceivedOn)
		}
	default:
		c.IntakeOn = nil
	}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// add queues a new case; flush hands the queue over.
func (w *writer) add(row int, cr *caseRow, key, hash string) {
	c := models.Case{OrganID: w.organ.ID, CaseNo: cr.CaseNo, Version: 1, Imported: true, ImportKey: key, ImportHash: hash,
		CreatedBy: w.opts.ActorID, CreatedAt: w.now, UpdatedAt: w.now}
	w.apply(&c, cr)
	c.Year = yearOf(cr.ReceivedOn)
	if cr.CaseNo != "" {
		if y, seq, ok := w.numberOf(cr.CaseNo); ok {
			if y == 0 {
				y = c.Year
			}
			c.Year, c.Seq = y, seq
			if seq > w.maxSeq[y] {
				w.maxSeq[y] = seq
			}
		}
	}
	if w.pending == nil { // a batch's slices are allocated once, at their full size
		w.pending = make([]models.Case, 0, w.opts.BatchSize)
		w.rows = make([]caseRow, 0, w.opts.BatchSize)
		w.nums = make([]int, 0, w.opts.BatchSize)
	}
	w.pending = append(w.pending, c)
	w.rows = append(w.rows, *cr)
	w.nums = append(w.nums, row)
}

// flush gives the queued new cases ids, synthesises their events and
// parties, plans their deadlines and sends the batch with the values of
// those rows. The cases themselves are numbered (in the transaction) and
// their values taken by writeNew.
func (w *writer) flush(ctx context.Context, send func(item) error) error {
	if len(w.pending) == 0 {
		return nil
	}
	ids, err := w.ids.Take(ctx, len(w.pending))
	if err != nil {
		return errs.Internal(err)
	}
	b := &newCases{cases: w.pending, changes: make([]Change, len(w.pending))}
	events := make([]models.CaseEvent, 0, 3*len(b.cases))
	parties := make([]models.CaseParty, 0, len(b.cases))
	var deadlines []models.Deadline
	if w.plan != nil {
		deadlines = make([]models.Deadline, 0, 4*len(b.cases)) // ~3.9 a case
	}
	for i := range b.cases {
		c, cr := &b.cases[i], &w.rows[i]
		c.ID = ids[i]
		events = append(events, w.synthesise(c, cr)...)
		for pos, name := range splitApplicants(c.Applicant) {
			parties = append(parties, models.CaseParty{CaseID: c.ID, Role: lifecycle.PartyApplicant, Position: pos, Name: name, PartyType: c.ApplicantType})
		}
		b.changes[i].After = c
		if w.plan != nil {
			rows, err := w.plan(c)
			if err != nil {
				return hookErr(fmt.Errorf("row %d (%s %s): %w", w.nums[i], c.Applicant, c.ReceivedOn, err))
			}
			deadlines = append(deadlines, rows...)
			b.changes[i].Deadlines = rows
		}
	}
	for _, rows := range []func() (*bulk.Rows, error){
		func() (*bulk.Rows, error) { return bulk.Values(ctx, w.tx, events) },
		func() (*bulk.Rows, error) { return bulk.Values(ctx, w.tx, parties) },
		func() (*bulk.Rows, error) { return bulk.Values(ctx, w.tx, deadlines) },
	} {
		r, err := rows()
		if err != nil {
			return errs.Internal(err)
		}
		b.inserts = append(b.inserts, r)
	}
	numbered := true
	for i := range b.cases {
		if b.cases[i].CaseNo == "" {
			numbered = false
			break
		}
	}
	if numbered {
		// Taken here, off the transaction's goroutine (they also set the
		// defaults in the structs, before the hooks read them, as in writeNew).
		if b.values, err = bulk.Values(ctx, w.tx, b.cases); err != nil {
			return errs.Internal(err)
		}
		if w.opts.PrepareBatch != nil && w.opts.BatchHook != nil {
			if b.hook, err = w.opts.PrepareBatch(b.changes); err != nil {
				return hookErr(err)
			}
		}
	}
	w.pending, w.rows, w.nums = nil, nil, nil
	return send(item{batch: b})
}

// writeNew numbers the batch's keyless cases, inserts the cases and their
// rows and runs the hooks.
func (w *writer) writeNew(b *newCases) error {
	for i := range b.cases {
		c := &b.cases[i]
		if c.CaseNo != "" {
			continue
		}
		seq, no, err := w.nextNumber(c.Year, b.cases)
		if err != nil {
			return err
		}
		c.Seq, c.CaseNo = seq, no
	}
	cases := b.values
	if cases == nil {
		var err error
		if cases, err = bulk.Values(w.ctx, w.tx, b.cases); err != nil {
			return errs.Internal(err)
		}
	}
	if err := cases.Write(w.ctx, w.tx); err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return errs.Conflict("duplicate_case_no", "案号与已有案件重复，导入未写入", "a case number collides with an existing case; nothing was written")
		}
		return errs.Internal(err)
	}
	for _, r := range b.inserts {
		if err := r.Write(w.ctx, w.tx); err != nil {
			return errs.Internal(err)
		}
	}
	return w.runHooks(b.changes, b.hook)
}

// runHooks runs hook (when set) or opts.BatchHook or opts.Hooks for the changes.
func (w *writer) runHooks(changes []Change, hook BatchHook) error {
	if hook == nil {
		hook = w.opts.BatchHook
	}
	if hook != nil {
		if err := hook(w.ctx, w.tx, changes); err != nil {
			return hookErr(err)
		}
		return nil
	}
	for _, ch := range changes {
		for _, h := range w.opts.Hooks {
			if err := h(w.ctx, w.tx, ch.Before, ch.After); err != nil {
				return hookErr(err)
			}
		}
	}
	return nil
}

func hookErr(err error) error {
	var e *errs.Error
	if errors.As(err, &e) {
		return err
	}
	return errs.Internal(err)
}

// splitApplicants splits "张三、李四" into its names.
func splitApplicants(s string) []string {
	var out []string
	for _, n := range strings.Split(s, "、") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		out = []string{s}
	}
	return out
}

// importPayload marks an event as synthesised from a ledger row.
func importPayload(extra map[string]any) string {
	m := map[string]any{"imported": true}
	for k, v := range extra {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// synthesise builds the history of a new case from its dates: received, then
// the intake step, then the closing step, each dated by its ledger date.
func (w *writer) synthesise(c *models.Case, cr *caseRow) []models.CaseEvent {
	ev := func(action, from, to, on string, payload payloadKey) models.CaseEvent {
		return models.CaseEvent{CaseID: c.ID, OrganID: c.OrganID, Action: action, FromStatus: from, ToStatus: to,
			EffectiveOn: optional(on), ActorID: w.opts.ActorID, ActorName: w.opts.ActorName, Payload: w.payload(payload),
			Note: "台账导入 / ledger import", Imported: true, CreatedAt: w.now}
	}
	out := make([]models.CaseEvent, 0, 3)
	out = append(out, ev("create", "", lifecycle.StatusReceived, cr.ReceivedOn, payloadKey{}))
	intakeOn := cr.ReceivedOn
	if c.IntakeOn != nil {
		intakeOn = *c.IntakeOn
	}
	switch cr.Intake {
	case intakeNotAccepted:
		out = append(out, ev(lifecycle.ActNotAccept, lifecycle.StatusReceived, c.Status, intakeOn, payloadKey{}))
	case intakeAbandoned:
		out = append(out, ev(lifecycle.ActAbandon, lifecycle.StatusReceived, c.Status, intakeOn, payloadKey{}))
	case intakeWithdrawn:
		out = append(out, ev(lifecycle.ActWithdraw, lifecycle.StatusReceived, c.Status, intakeOn, payloadKey{}))
	case intakeReferred:
		out = append(out, ev(lifecycle.ActRefer, lifecycle.StatusReceived, c.Status, intakeOn, payloadKey{}))
	case intakeAccepted:
		out = append(out, ev(lifecycle.ActAccept, lifecycle.StatusReceived, lifecycle.StatusAccepted, cr.AcceptedOn, payloadKey{shape: payloadAccept, a: cr.Procedure}))
		if cr.ClosedOn != "" {
			switch cr.Outcome {
			case "mediated":
				out = append(out, ev(lifecycle.ActMediate, lifecycle.StatusAccepted, c.Status, cr.ClosedOn, payloadKey{}))
			case "terminated":
				out = append(out, ev(lifecycle.ActTerminate, lifecycle.StatusAccepted, c.Status, cr.ClosedOn, payloadKey{shape: payloadTerminate, a: cr.Termination}))
			default:
				out = append(out, ev(lifecycle.ActDecide, lifecycle.StatusAccepted, c.Status, cr.ClosedOn,
					payloadKey{shape: payloadDecide, a: cr.Outcome, partial: cr.Partial, redo: cr.Redo}))
			}
		}
	}
	return out
}

// payloadKey is what a synthesised event's payload says besides "imported":
// a few values, repeated across a ledger's rows.
type payloadKey struct {
	shape         int // payloadPlain, payloadAccept, …
	a             string
	partial, redo bool
}

const (
	payloadPlain     = iota // {"imported":true}
	payloadAccept           // + procedure a
	payloadTerminate        // + termination a
	payloadDecide           // + outcome a, partial, redo
)

// payload is importPayload of k, rendered once per distinct k (the reading
// goroutine's memo: a map and a JSON encoding per event were a good part of
// its allocations).
func (w *writer) payload(k payloadKey) string {
	if p, ok := w.payloads[k]; ok {
		return p
	}
	var extra map[string]any
	switch k.shape {
	case payloadAccept:
		extra = map[string]any{"procedure": k.a}
	case payloadTerminate:
		extra = map[string]any{"termination": k.a}
	case payloadDecide:
		extra = map[string]any{"outcome": k.a, "partial": k.partial, "redo": k.redo}
	}
	p := importPayload(extra)
	if w.payloads == nil {
		w.payloads = map[payloadKey]string{}
	}
	if len(w.payloads) < 1024 {
		w.payloads[k] = p
	}
	return p
}

// nextNumber hands out the next free sequence number of the organ's year.
// Numbers are taken from case_counters in blocks (one UPDATE … RETURNING per
// block, the same counter row lifecycle.AllocateCaseNo bumps), skipping any
// number the file or the organ already uses.
func (w *writer) nextNumber(year int, batch []models.Case) (int, string, error) {
	for {
		if len(w.block[year]) == 0 {
			n := 0
			for i := range batch {
				if batch[i].CaseNo == "" && batch[i].Year == year {
					n++
				}
			}
			if n < 1 {
				n = 1
			}
			seqs, err := w.allocate(year, n)
			if err != nil {
				return 0, "", err
			}
			w.block[year] = seqs
		}
		seq := w.block[year][0]
		w.block[year] = w.block[year][1:]
		no := lifecycle.RenderCaseNo(w.organ.CaseNoPattern, w.organ.ShortName, year, seq)
		if _, taken := w.ix.byCaseNo[no]; taken || w.v.caseNoTaken(no) {
			continue
		}
		return seq, no, nil
	}
}

// allocate reserves n sequence numbers of year in case_counters.
func (w *writer) allocate(year, n int) ([]int, error) {
	tx := w.tx
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).
		Create(&models.CaseCounter{OrganID: w.organ.ID, Year: year, Kind: "case"}).Error; err != nil {
		return nil, errs.Internal(err)
	}
	var last int
	if err := tx.Raw("UPDATE case_counters SET last_seq = last_seq + ? WHERE organ_id = ? AND year = ? AND kind = ? RETURNING last_seq",
		n, w.organ.ID, year, "case").Scan(&last).Error; err != nil {
		return nil, errs.Internal(err)
	}
	if last < n {
		return nil, errs.Internal(fmt.Errorf("case counter for organ %d year %d not found", w.organ.ID, year))
	}
	out := make([]int, n)
	for i := range out {
		out[i] = last - n + 1 + i
	}
	return out, nil
}

// advanceCounters moves each year's counter past the numbers the file
// brought, so cases registered later in the app do not collide with them.
func (w *writer) advanceCounters() error {
	for year, seq := range w.maxSeq {
		if err := w.tx.Clauses(clause.OnConflict{DoNothing: true}).
			Create(&models.CaseCounter{OrganID: w.organ.ID, Year: year, Kind: "case"}).Error; err != nil {
			return errs.Internal(err)
		}
		if err := w.tx.Exec("UPDATE case_counters SET last_seq = ? WHERE organ_id = ? AND year = ? AND kind = ? AND last_seq < ?",
			seq, w.organ.ID, year, "case", seq).Error; err != nil {
			return errs.Internal(err)
		}
	}
	return nil
}

// update rewrites a changed case from its row: a guarded update, an
// import_update event, a version snapshot and the hooks.
func (w *writer) update(rowNum int, id int64, cr *caseRow, key, hash string) error {
	var before models.Case
	if err := w.tx.Where("id = ?", id).Take(&before).Error; err != nil {
		return errs.Internal(err)
	}
	after := before
	w.apply(&after, cr)
	after.Version = before.Version + 1
	after.UpdatedAt = w.now
	after.ImportHash = hash
	if after.ImportKey == "" {
		after.ImportKey = key
	}
	res := w.tx.Model(&models.Case{}).Where("id = ? AND version = ?", before.ID, before.Version).Updates(map[string]any{
		"status": after.Status, "version": after.Version, "regime": after.Regime,
		"applicant": after.Applicant, "applicant_type": after.ApplicantType, "respondent_id": after.RespondentID,
		"act_type": after.ActType, "area": after.Area, "procedure": after.Procedure,
		"received_on": after.ReceivedOn, "accepted_on": after.AcceptedOn, "intake_on": after.IntakeOn,
		"closed_on": after.ClosedOn, "outcome": after.Outcome, "outcome_partial": after.OutcomePartial,
		"outcome_redo": after.OutcomeRedo, "termination": after.Termination, "note": after.Note,
		"import_key": after.ImportKey, "import_hash": after.ImportHash, "updated_at": after.UpdatedAt,
	})
	if res.Error != nil {
		return errs.Internal(res.Error)
	}
	if res.RowsAffected == 0 {
		return errs.Stale(before.Version)
	}
	if before.Applicant != after.Applicant || before.ApplicantType != after.ApplicantType {
		if err := w.tx.Where("case_id = ? AND role = ?", before.ID, lifecycle.PartyApplicant).Delete(&models.CaseParty{}).Error; err != nil {
			return errs.Internal(err)
		}
		var parties []models.CaseParty
		for pos, name := range splitApplicants(after.Applicant) {
			parties = append(parties, models.CaseParty{CaseID: before.ID, Role: lifecycle.PartyApplicant, Position: pos, Name: name, PartyType: after.ApplicantType})
		}
		if err := w.tx.Create(&parties).Error; err != nil {
			return errs.Internal(err)
		}
	}
	changed := changedFields(&before, &after)
	latest := after.ReceivedOn
	for _, d := range []*string{after.AcceptedOn, after.IntakeOn, after.ClosedOn} {
		if d != nil && *d > latest {
			latest = *d
		}
	}
	ev := models.CaseEvent{CaseID: before.ID, OrganID: before.OrganID, Action: "import_update", FromStatus: before.Status, ToStatus: after.Status,
		EffectiveOn: &latest, ActorID: w.opts.ActorID, ActorName: w.opts.ActorName,
		Payload: importPayload(map[string]any{"row": rowNum, "changed": changed}), Note: "台账导入更新 / ledger import update", Imported: true, CreatedAt: w.now}
	if err := w.tx.Create(&ev).Error; err != nil {
		return errs.Internal(err)
	}
	if err := w.snapshot(&after); err != nil {
		return err
	}
	return w.runHooks([]Change{{Before: &before, After: &after}}, nil)
}

// snapshot writes the CaseVersion of c's current version (case and parties as JSON).
func (w *writer) snapshot(c *models.Case) error {
	var parties []models.CaseParty
	if err := w.tx.Where("case_id = ?", c.ID).Order("role, position, id").Find(&parties).Error; err != nil {
		return errs.Internal(err)
	}
	b, err := json.Marshal(struct {
		Case    *models.Case       `json:"case"`
		Parties []models.CaseParty `json:"parties"`
	}{c, parties})
	if err != nil {
		return errs.Internal(err)
	}
	if err := w.tx.Create(&models.CaseVersion{CaseID: c.ID, Version: c.Version, Snapshot: string(b), ActorID: w.opts.ActorID, CreatedAt: w.now}).Error; err != nil {
		return errs.Internal(err)
	}
	return nil
}

// changedFields names the ledger fields that differ between two versions.
func changedFields(a, b *models.Case) []string {
	s := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	var out []string
	for _, f := range []struct {
		name string
		x, y string
	}{
		{"applicant", a.Applicant, b.Applicant}, {"applicant_type", a.ApplicantType, b.ApplicantType},
		{"respondent", fmt.Sprint(a.RespondentID), fmt.Sprint(b.RespondentID)}, {"act_type", a.ActType, b.ActType},
		{"area", a.Area, b.Area}, {"received_on", a.ReceivedOn, b.ReceivedOn}, {"status", a.Status, b.Status},
		{"accepted_on", s(a.AcceptedOn), s(b.AcceptedOn)}, {"procedure", a.Procedure, b.Procedure},
		{"closed_on", s(a.ClosedOn), s(b.ClosedOn)}, {"outcome", a.Outcome, b.Outcome},
		{"outcome_flags", fmt.Sprint(a.OutcomePartial, a.OutcomeRedo), fmt.Sprint(b.OutcomePartial, b.OutcomeRedo)},
		{"termination", a.Termination, b.Termination}, {"note", a.Note, b.Note},
	} {
		if f.x != f.y {
			out = append(out, f.name)
		}
	}
	return out
}
