package ledger

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestPrinter(t *testing.T) {
	var b bytes.Buffer
	p := NewPrinter(&b, false)
	clock := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	p.now = func() time.Time { return clock }
	p.PlainEvery = 1000
	p.Phase(PhaseWriting)
	for i := 1; i <= 2500; i++ {
		clock = clock.Add(time.Millisecond)
		p.Progress(i, 2500)
	}
	p.Done()
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[2], "2500/2500 rows (1000 rows/s)") {
		t.Fatalf("plain progress:\n%s", b.String())
	}
	b.Reset()
	p = NewPrinter(&b, true)
	p.now = func() time.Time { return clock }
	p.Phase(PhaseWriting)
	clock = clock.Add(time.Second)
	p.Progress(500, 1000)
	p.Done()
	if !strings.Contains(b.String(), "\r写入 writing [") || !strings.Contains(b.String(), "50%") || !strings.Contains(b.String(), "ETA 1s") {
		t.Fatalf("bar: %q", b.String())
	}
}
