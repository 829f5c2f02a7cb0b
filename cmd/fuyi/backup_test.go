package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"fuyi/models"
	"fuyi/services/lifecycle"
)

// TestBackupUnderLoadRestoresAConsistentSnapshot writes cases from several
// goroutines, takes `fuyi backup` in the middle, keeps writing, restores the
// backup into a new data directory and checks that the restored database is
// exactly the source as of one commit: the first N cases, each identical to
// its source row, and the case counter (bumped in the same transactions) at N.
func TestBackupUnderLoadRestoresAConsistentSnapshot(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	ctx := context.Background()
	root := t.TempDir()
	srcDir, dstDir := filepath.Join(root, "src"), filepath.Join(root, "restored")
	backupFile := filepath.Join(root, "fuyi-backup.db")
	runOK(t, envOf(map[string]string{"FUYI_DATA_DIR": srcDir}), nil, "migrate")

	db, err := models.Open(ctx, models.OpenOptions{DataDir: srcDir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	organ := models.Organ{Name: "测试区人民政府", ShortName: "测", CaseNoPattern: "{short}复〔{year}〕{seq}号"}
	agency := models.Agency{Name: "区市场监督管理局"}
	if err := db.Tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&organ).Error; err != nil {
			return err
		}
		agency.OrganID = organ.ID
		return tx.Create(&agency).Error
	}); err != nil {
		t.Fatal(err)
	}

	var stop atomic.Bool
	var written atomic.Int64
	var wg sync.WaitGroup
	errc := make(chan error, 8)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				err := db.Tx(ctx, func(tx *gorm.DB) error {
					seq, no, err := lifecycle.AllocateCaseNo(tx, &organ, 2024)
					if err != nil {
						return err
					}
					note := strings.Repeat(fmt.Sprintf("writer %d row %d; ", w, i), 20)
					return tx.Create(&models.Case{OrganID: organ.ID, CaseNo: no, Year: 2024, Seq: seq, Status: "received",
						Regime: "rl2023", Applicant: fmt.Sprintf("申请人%d-%d", w, i), ApplicantType: "citizen",
						RespondentID: agency.ID, ActType: "penalty", ReceivedOn: "2024-03-01", Note: note}).Error
				})
				if err != nil {
					errc <- err
					return
				}
				written.Add(1)
			}
		}()
	}
	waitFor(t, 10*time.Second, func() bool { return written.Load() >= 150 })
	runOK(t, envOf(map[string]string{"FUYI_DATA_DIR": srcDir}), nil, "backup", backupFile)
	atBackup := written.Load()
	waitFor(t, 10*time.Second, func() bool { return written.Load() >= atBackup+150 })
	stop.Store(true)
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatalf("writer: %v", err)
	}

	out := runOK(t, envOf(map[string]string{"FUYI_DATA_DIR": dstDir}), nil, "restore", backupFile)
	if !strings.Contains(out, "restored") {
		t.Fatalf("restore said %q", out)
	}
	rdb, err := models.Open(ctx, models.OpenOptions{DataDir: dstDir})
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	var restored, source []models.Case
	if err := rdb.Read.Order("id").Find(&restored).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Read.Order("id").Find(&source).Error; err != nil {
		t.Fatal(err)
	}
	var counter models.CaseCounter
	if err := rdb.Read.Where("organ_id = ? AND year = ?", organ.ID, 2024).First(&counter).Error; err != nil {
		t.Fatal(err)
	}
	n := len(restored)
	t.Logf("source %d cases, backup %d cases (writers had acknowledged %d when backup returned)", len(source), n, atBackup)
	if n < 150 || n >= len(source) || int64(n) > atBackup {
		t.Fatalf("backup has %d cases: want ≥150, ≤%d acknowledged at backup, < %d in source now", n, atBackup, len(source))
	}
	if counter.LastSeq != n {
		t.Fatalf("restored counter %d but %d cases: the copy is not one transaction's snapshot", counter.LastSeq, n)
	}
	for i := range restored {
		a, _ := json.Marshal(restored[i])
		b, _ := json.Marshal(source[i])
		if !bytes.Equal(a, b) {
			t.Fatalf("case %d differs:\nrestored %s\nsource   %s", i, a, b)
		}
	}
	var seqs int64
	if err := rdb.Read.Model(&models.Case{}).Distinct("seq").Count(&seqs).Error; err != nil || seqs != int64(n) {
		t.Fatalf("distinct seqs %d of %d (%v)", seqs, n, err)
	}
	info, err := models.InspectSQLite(ctx, filepath.Join(dstDir, "fuyi.db"))
	if err != nil || info.Integrity != "ok" || info.SchemaVersion != models.LatestVersion() {
		t.Fatalf("restored db: %+v %v", info, err)
	}

	// Refusals: a data directory that has a database, a file that is not one.
	if code, _, errOut := runCode(envOf(map[string]string{"FUYI_DATA_DIR": dstDir}), nil, "restore", backupFile); code == 0 || !strings.Contains(errOut, "empty data directory") {
		t.Fatalf("restore over a database: exit %d %s", code, errOut)
	}
	junk := filepath.Join(root, "junk.db")
	os.WriteFile(junk, []byte("not a database at all, not even close....."), 0o600)
	if code, _, errOut := runCode(envOf(map[string]string{"FUYI_DATA_DIR": filepath.Join(root, "e1")}), nil, "restore", junk); code == 0 || !strings.Contains(errOut, "not a SQLite database") {
		t.Fatalf("restore of junk: exit %d %s", code, errOut)
	}
	if code, _, errOut := runCode(envOf(map[string]string{"FUYI_DATA_DIR": srcDir}), nil, "backup", backupFile); code == 0 || !strings.Contains(errOut, "exists") {
		t.Fatalf("backup over an existing file: exit %d %s", code, errOut)
	}
	if code, _, errOut := runCode(envOf(map[string]string{"FUYI_DATA_DIR": filepath.Join(root, "none")}), nil, "backup", filepath.Join(root, "x.db")); code == 0 || !strings.Contains(errOut, "no database") {
		t.Fatalf("backup of nothing: exit %d %s", code, errOut)
	}
}

// runCode runs one fuyi invocation in-process.
func runCode(env func(string) string, stdin *strings.Reader, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	code := run(context.Background(), args, stdin, &out, &errb, env)
	return code, out.String(), errb.String()
}

// runOK runs one fuyi invocation in-process and fails the test unless it exits 0.
func runOK(t *testing.T, env func(string) string, stdin *strings.Reader, args ...string) string {
	t.Helper()
	code, out, errOut := runCode(env, stdin, args...)
	if code != 0 {
		t.Fatalf("fuyi %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
