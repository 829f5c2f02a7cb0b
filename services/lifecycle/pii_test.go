package lifecycle

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"fuyi/models"
	"fuyi/services/errs"
	"fuyi/services/pii"
)

func testSealer(t *testing.T, b byte) *pii.Sealer {
	t.Helper()
	s, err := pii.New(bytes.Repeat([]byte{b}, pii.KeySize))
	must(t, err)
	return s
}

// rawIDNumbers reads case_parties.id_number as stored.
func rawIDNumbers(t *testing.T, db *models.DB, caseID int64) []string {
	t.Helper()
	var out []string
	must(t, db.Read.Raw("SELECT id_number FROM case_parties WHERE case_id = ? AND id_number <> '' ORDER BY role, position", caseID).Scan(&out).Error)
	return out
}

func TestPIISealedAtRest(t *testing.T) {
	sealer := testSealer(t, 1)
	fx := newFixture(t, func(o *Options) { o.PII = sealer })
	ctx := context.Background()
	v := fx.create(t, "2024-03-01")
	raw := rawIDNumbers(t, fx.db, v.ID)
	if len(raw) != 1 || !strings.HasPrefix(raw[0], pii.Prefix) || strings.Contains(raw[0], "1234") {
		t.Fatalf("stored id numbers %q", raw)
	}
	// The views open it: in full for the officer, masked for the reporter and in exports.
	if v.Applicants[0].IDNumber != "110117199001011234" {
		t.Fatalf("create view %+v", v.Applicants[0])
	}
	got, err := fx.svc.Get(ctx, fx.officer, v.ID)
	must(t, err)
	if got.Applicants[0].IDNumber != "110117199001011234" {
		t.Fatalf("officer sees %+v", got.Applicants[0])
	}
	rv, err := fx.svc.Get(ctx, fx.report, v.ID)
	must(t, err)
	if rv.Applicants[0].IDNumber != "1101**********1234" {
		t.Fatalf("reporter sees %+v", rv.Applicants[0])
	}
	list, err := fx.svc.List(ctx, fx.officer, ListFilter{})
	must(t, err)
	if len(list.Items) != 1 || list.Items[0].Applicants[0].IDNumber != "110117199001011234" {
		t.Fatalf("list %+v", list.Items)
	}
	// No plaintext number in the version snapshots or events.
	var texts []string
	must(t, fx.db.Read.Raw("SELECT snapshot FROM case_versions WHERE case_id = ?", v.ID).Scan(&texts).Error)
	var payloads []string
	must(t, fx.db.Read.Raw("SELECT payload FROM case_events WHERE case_id = ?", v.ID).Scan(&payloads).Error)
	for _, s := range append(texts, payloads...) {
		if strings.Contains(s, "110117199001011234") {
			t.Fatalf("plaintext id number stored: %s", s)
		}
	}

	// An edit re-seals; unchanged parties are compared opened, not sealed.
	nv, err := fx.svc.Edit(ctx, fx.officer, v.ID, EditInput{Version: got.Version,
		Applicants: &[]PartyInput{{Name: "张三", Type: "citizen", IDNumber: "110117199001011234", Phone: "13812345678", Address: "北京市平谷区某街道某号"}, {Name: "王五", IDNumber: "110117199001015678"}}})
	must(t, err)
	raw = rawIDNumbers(t, fx.db, v.ID)
	if len(raw) != 2 || !strings.HasPrefix(raw[0], pii.Prefix) || !strings.HasPrefix(raw[1], pii.Prefix) {
		t.Fatalf("stored after edit %q", raw)
	}
	if nv.Applicants[1].IDNumber != "110117199001015678" {
		t.Fatalf("edited view %+v", nv.Applicants)
	}
	var ev models.CaseEvent
	must(t, fx.db.Read.Where("case_id = ? AND action = 'edit'", v.ID).Take(&ev).Error)
	if strings.Contains(ev.Payload, "110117199001015678") || strings.Contains(ev.Payload, pii.Prefix) {
		t.Fatalf("edit payload %s", ev.Payload)
	}

	// A service with another key cannot read the number: an internal error, never the ciphertext.
	other := New(fx.db, Options{Now: fx.svc.now, PII: testSealer(t, 2)})
	_, err = other.Get(ctx, fx.officer, v.ID)
	errOf(t, err, errs.KindInternal)
}

func TestPIIPlaintextRowsAndResave(t *testing.T) {
	// Written without a key, then read and re-saved with one.
	fx := newFixture(t)
	ctx := context.Background()
	v := fx.create(t, "2024-03-01")
	if raw := rawIDNumbers(t, fx.db, v.ID); len(raw) != 1 || raw[0] != "110117199001011234" {
		t.Fatalf("without a key stored %q", raw)
	}
	keyed := New(fx.db, Options{Now: fx.svc.now, PII: testSealer(t, 1)})
	got, err := keyed.Get(ctx, fx.officer, v.ID)
	must(t, err)
	if got.Applicants[0].IDNumber != "110117199001011234" {
		t.Fatalf("plaintext row read as %+v", got.Applicants[0])
	}
	// Re-saving the parties unchanged seals the old plaintext.
	_, err = keyed.Edit(ctx, fx.officer, v.ID, EditInput{Version: got.Version, Applicant: &got.Applicant})
	must(t, err)
	if raw := rawIDNumbers(t, fx.db, v.ID); len(raw) != 1 || !strings.HasPrefix(raw[0], pii.Prefix) {
		t.Fatalf("after re-save stored %q", raw)
	}
	got, err = keyed.Get(ctx, fx.officer, v.ID)
	must(t, err)
	if got.Applicants[0].IDNumber != "110117199001011234" {
		t.Fatalf("re-saved row read as %+v", got.Applicants[0])
	}
}

func TestPIIIDNumberLengthFitsColumn(t *testing.T) {
	fx := newFixture(t, func(o *Options) { o.PII = testSealer(t, 1) })
	in := fx.input("2024-03-01")
	in.Applicants[0].IDNumber = strings.Repeat("9", 150)
	_, err := fx.svc.Create(context.Background(), fx.officer, in)
	if e := errOf(t, err, errs.KindInvalid); e.Fields["applicants[0].id_number"].ZH == "" {
		t.Fatalf("fields %v", e.Fields)
	}
}
