package audit

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"fuyi/models"
	"fuyi/models/modelstest"
	"fuyi/services/auth"
	"fuyi/services/errs"
)

func record(t *testing.T, s *Service, n int) {
	t.Helper()
	for i := range n {
		err := s.Record(context.Background(), Entry{Actor: Actor{ID: 1, Name: "officer", IP: "10.0.0.1"}, Action: "POST /api/v1/cases",
			Subject: fmt.Sprintf("case:%d", i+1), OrganID: 1, After: `{"status":201}`})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestChainVerifiesAndLinks(t *testing.T) {
	db := modelstest.Open(t)
	s := New(db, nil)
	record(t, s, 5)
	res, err := s.Verify(context.Background())
	if err != nil || res.Break != nil || res.Rows != 5 {
		t.Fatalf("verify: %+v %v", res, err)
	}
	var rows []models.AuditEntry
	db.Read.Order("id").Find(&rows)
	if rows[0].PrevHash != GenesisHash {
		t.Fatalf("first prev hash %q", rows[0].PrevHash)
	}
	for i := 1; i < len(rows); i++ {
		if rows[i].PrevHash != rows[i-1].Hash || rows[i].Hash != HashOf(&rows[i]) {
			t.Fatalf("row %d not chained", rows[i].ID)
		}
	}
	if res.HeadID != rows[4].ID || res.HeadHash != rows[4].Hash {
		t.Fatalf("head %d %s", res.HeadID, res.HeadHash)
	}
}

// TestVerifyDetectsAlteredAndDeletedRows edits rows behind the service's
// back, in SQL, as an intruder with database access would.
func TestVerifyDetectsAlteredAndDeletedRows(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		sql    string
		id     int64
		reason string
	}{
		{"altered subject", "UPDATE audit_entries SET subject = 'case:999' WHERE id = 3", 3, "altered"},
		{"altered actor", "UPDATE audit_entries SET actor_name = 'someone' WHERE id = 2", 2, "altered"},
		{"rewritten hash", "UPDATE audit_entries SET hash = 'ab' WHERE id = 4", 4, "altered"},
		{"deleted row", "DELETE FROM audit_entries WHERE id = 3", 4, "missing"},
		{"deleted first row", "DELETE FROM audit_entries WHERE id = 1", 2, "missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := modelstest.Open(t)
			s := New(db, nil)
			record(t, s, 6)
			if err := db.Write.Exec(tc.sql).Error; err != nil {
				t.Fatal(err)
			}
			res, err := s.Verify(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if res.Break == nil || res.Break.ID != tc.id || res.Break.Reason != tc.reason {
				t.Fatalf("want break at %d (%s), got %+v", tc.id, tc.reason, res.Break)
			}
		})
	}
}

// TestVerifyDetectsARowRehashedByAnIntruder: altering a row and recomputing
// its own hash still breaks the link from the next row.
func TestVerifyDetectsARowRehashedByAnIntruder(t *testing.T) {
	db := modelstest.Open(t)
	s := New(db, nil)
	record(t, s, 4)
	var r models.AuditEntry
	db.Read.Where("id = 2").Take(&r)
	r.Subject = "case:42"
	r.Hash = HashOf(&r)
	if err := db.Write.Exec("UPDATE audit_entries SET subject = ?, hash = ? WHERE id = 2", r.Subject, r.Hash).Error; err != nil {
		t.Fatal(err)
	}
	res, err := s.Verify(context.Background())
	if err != nil || res.Break == nil || res.Break.ID != 3 || res.Break.Reason != "missing" {
		t.Fatalf("got %+v %v", res, err)
	}
}

// TestConcurrentAppendsKeepOneChain appends from many goroutines; the
// chain must stay linear (no two rows with the same PrevHash).
func TestConcurrentAppendsKeepOneChain(t *testing.T) {
	db := modelstest.Open(t)
	s := New(db, nil)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				if err := s.Record(context.Background(), Entry{Action: "test", Subject: fmt.Sprintf("g%d:%d", g, i)}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	res, err := s.Verify(context.Background())
	if err != nil || res.Break != nil || res.Rows != 80 {
		t.Fatalf("verify: %+v %v", res, err)
	}
}

func TestSearchIsAdminOnlyAndFilters(t *testing.T) {
	ctx := context.Background()
	db := modelstest.Open(t)
	s := New(db, nil)
	record(t, s, 3)
	if err := s.Record(ctx, Entry{Actor: Actor{ID: 7, Name: "admin"}, Action: ActionLogin, Subject: "user:admin"}); err != nil {
		t.Fatal(err)
	}
	for _, role := range []string{auth.RoleManager, auth.RoleOfficer, auth.RoleReporter} {
		if _, err := s.Search(ctx, &auth.Principal{Role: role}, Query{}); !errs.IsKind(err, errs.KindForbidden) {
			t.Fatalf("%s: %v", role, err)
		}
	}
	admin := &auth.Principal{Role: auth.RoleAdmin, UserID: 7}
	for _, tc := range []struct {
		q    Query
		want int64
	}{
		{Query{}, 4}, {Query{Actor: "officer"}, 3}, {Query{Actor: "7"}, 1}, {Query{Action: "auth.*"}, 1},
		{Query{Action: "POST /api/v1/cases"}, 3}, {Query{Subject: "case:2"}, 1}, {Query{From: "2000-01-01", To: "2000-12-31"}, 0},
		{Query{From: "2000-01-01"}, 4},
	} {
		p, err := s.Search(ctx, admin, tc.q)
		if err != nil || p.Total != tc.want {
			t.Fatalf("%+v: %v %v", tc.q, p, err)
		}
	}
	if _, err := s.Search(ctx, admin, Query{From: "yesterday"}); !errs.IsKind(err, errs.KindInvalid) {
		t.Fatalf("bad date: %v", err)
	}
}
