package workflow

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/auth"
	"fuyi/services/errs"
	"fuyi/services/lifecycle"
)

// AttachmentKinds are the kinds of a case file's documents.
var AttachmentKinds = []string{"application", "evidence", "reply", "decision", "other"}

// AttachmentInput is one uploaded file. ContentType is the sniffed type
// (the api package sniffs; services never trust the client's header).
type AttachmentInput struct {
	Kind        string
	FileName    string
	ContentType string
	DocDate     string // optional YYYY-MM-DD: the document's own date
	Note        string
	Body        io.Reader
}

// AttachmentView is an attachment's metadata.
type AttachmentView struct {
	ID            int64
	CaseID        int64
	Kind          string
	FileName      string
	ContentType   string
	Size          int64
	SHA256        string
	DocDate       *string
	Note          string
	CreatedBy     int64
	CreatedByName string
	CreatedAt     time.Time
}

func attachmentView(a *models.Attachment) AttachmentView {
	return AttachmentView{ID: a.ID, CaseID: a.CaseID, Kind: a.Kind, FileName: a.FileName, ContentType: a.ContentType, Size: a.Size,
		SHA256: a.SHA256, DocDate: a.DocDate, Note: a.Note, CreatedBy: a.CreatedBy, CreatedByName: a.CreatedByName, CreatedAt: a.CreatedAt}
}

// AddAttachment stores a file with case caseID: written under a random name
// in the attachments directory (never the client's name), then recorded;
// a file larger than the cap is a 413 and leaves nothing behind.
func (s *Service) AddAttachment(ctx context.Context, p *auth.Principal, caseID int64, in AttachmentInput) (*AttachmentView, error) {
	c, err := lifecycle.LoadCase(ctx, s.db.Read, p, caseID)
	if err != nil {
		return nil, err
	}
	if !p.CanWriteCases() {
		return nil, forbidden()
	}
	bad := errs.Invalid("输入有误", "invalid input")
	if !slices.Contains(AttachmentKinds, in.Kind) {
		bad.Field("kind", "材料类型只能是 "+strings.Join(AttachmentKinds, "、"), "kind is one of "+strings.Join(AttachmentKinds, ", "))
	}
	name := cleanFileName(in.FileName)
	if name == "" {
		bad.Field("file", "请选择文件", "a file is required")
	}
	var docDate *string
	if in.DocDate != "" {
		if _, err := time.Parse(time.DateOnly, in.DocDate); err != nil {
			bad.Field("doc_date", "日期格式应为 YYYY-MM-DD", "must be a YYYY-MM-DD date")
		}
		docDate = ptr(in.DocDate)
	}
	if len([]rune(in.Note)) > 2000 {
		bad.Field("note", "备注不超过2000字", "note: at most 2000 characters")
	}
	if len(bad.Fields) > 0 {
		return nil, bad
	}
	dir := s.attachmentDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, errs.Internal(err)
	}
	var rnd [16]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, errs.Internal(err)
	}
	storage := hex.EncodeToString(rnd[:])
	path := filepath.Join(dir, storage)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, errs.Internal(err)
	}
	keep := false
	defer func() {
		if !keep {
			os.Remove(path)
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(in.Body, s.maxAttach+1))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err // the api maps a MaxBytesError to 413
	}
	if n > s.maxAttach {
		return nil, errs.New(errs.KindTooLarge, "too_large", "文件过大", "the file is too large").With("max_bytes", s.maxAttach)
	}
	if n == 0 {
		return nil, errs.InvalidField("file", "文件为空", "the file is empty")
	}
	ct := in.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	a := models.Attachment{CaseID: c.ID, OrganID: c.OrganID, Kind: in.Kind, FileName: name, ContentType: ct, Size: n,
		SHA256: hex.EncodeToString(h.Sum(nil)), StorageName: storage, DocDate: docDate, Note: strings.TrimSpace(in.Note),
		CreatedBy: p.UserID, CreatedByName: principalName(p), CreatedAt: s.now().UTC()}
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		cur, err := lifecycle.LoadCase(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		if err := tx.Create(&a).Error; err != nil {
			return errs.Internal(err)
		}
		return s.cases.AppendEvent(ctx, tx, p, cur, "attachment", docDate,
			map[string]any{"attachment_id": a.ID, "kind": a.Kind, "file_name": a.FileName, "size": a.Size}, a.Note)
	})
	if err != nil {
		return nil, err
	}
	keep = true
	v := attachmentView(&a)
	return &v, nil
}

// cleanFileName keeps the base name of a client's file name, without
// control or path characters, at most 200 characters.
func cleanFileName(n string) string {
	n = strings.ReplaceAll(n, `\`, "/")
	n = filepath.Base("/" + n)
	n = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`/\:*?"<>|`, r) {
			return -1
		}
		return r
	}, n)
	n = strings.TrimSpace(n)
	if n == "." || n == "/" {
		return ""
	}
	if r := []rune(n); len(r) > 200 {
		n = string(r[len(r)-200:])
	}
	return n
}

// Attachments lists the case file, oldest first.
func (s *Service) Attachments(ctx context.Context, p *auth.Principal, caseID int64) ([]AttachmentView, error) {
	if _, err := lifecycle.LoadCase(ctx, s.db.Read, p, caseID); err != nil {
		return nil, err
	}
	var rows []models.Attachment
	if err := s.db.Read.WithContext(ctx).Where("case_id = ?", caseID).Order("id").Find(&rows).Error; err != nil {
		return nil, errs.Internal(err)
	}
	out := make([]AttachmentView, 0, len(rows))
	for i := range rows {
		out = append(out, attachmentView(&rows[i]))
	}
	return out, nil
}

// OpenAttachment returns attachment id of case caseID and its content; the
// caller closes it.
func (s *Service) OpenAttachment(ctx context.Context, p *auth.Principal, caseID, id int64) (*AttachmentView, *os.File, error) {
	if _, err := lifecycle.LoadCase(ctx, s.db.Read, p, caseID); err != nil {
		return nil, nil, err
	}
	var a models.Attachment
	if err := s.db.Read.WithContext(ctx).Where("id = ? AND case_id = ?", id, caseID).Take(&a).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, nil, errs.NotFound("attachment", "附件")
		}
		return nil, nil, errs.Internal(err)
	}
	if !isStorageName(a.StorageName) {
		return nil, nil, errs.Internal(errors.New("bad storage name"))
	}
	f, err := os.Open(filepath.Join(s.attachmentDir(), a.StorageName))
	if err != nil {
		return nil, nil, errs.Internal(err)
	}
	v := attachmentView(&a)
	return &v, f, nil
}

func isStorageName(s string) bool {
	if len(s) != 32 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// CheckCaseWrite answers whether p may add to case caseID's file: not found
// for another organ's case, forbidden for a read-only role.
func (s *Service) CheckCaseWrite(ctx context.Context, p *auth.Principal, caseID int64) error {
	if _, err := lifecycle.LoadCase(ctx, s.db.Read, p, caseID); err != nil {
		return err
	}
	if !p.CanWriteCases() {
		return forbidden()
	}
	return nil
}
