package ledger

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Printer renders import progress for the command line: on a terminal a bar
// redrawn in place with rows/s and ETA, otherwise a plain line every
// PlainEvery rows. Use Progress and Phase as the ImportOptions callbacks and
// call Done when the import returns.
type Printer struct {
	w        io.Writer
	terminal bool
	// PlainEvery is the row interval of plain lines (default 100,000).
	PlainEvery int
	now        func() time.Time

	mu        sync.Mutex
	phase     string
	start     time.Time
	lastDraw  time.Time
	lastPlain int
	drawn     bool
}

// NewPrinter returns a progress printer writing to w; terminal selects the
// redrawn bar (e.g. term.IsTerminal(int(os.Stderr.Fd()))).
func NewPrinter(w io.Writer, terminal bool) *Printer {
	return &Printer{w: w, terminal: terminal, PlainEvery: 100_000, now: time.Now}
}

// Phase starts a phase (validating, writing).
func (p *Printer) Phase(phase string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn && p.terminal {
		fmt.Fprintln(p.w)
	}
	p.phase, p.start, p.lastPlain, p.drawn = phase, p.now(), 0, false
	p.lastDraw = time.Time{}
}

func phaseLabel(phase string) string {
	switch phase {
	case PhaseValidating:
		return "校验 validating"
	case PhaseWriting:
		return "写入 writing"
	}
	return phase
}

// Progress is the ProgressFunc.
func (p *Printer) Progress(processed, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if p.start.IsZero() {
		p.start = now
	}
	elapsed := now.Sub(p.start).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(processed) / elapsed
	}
	if !p.terminal {
		if processed-p.lastPlain < p.PlainEvery && (total == 0 || processed < total) {
			return
		}
		p.lastPlain = processed
		if total > 0 {
			fmt.Fprintf(p.w, "%s: %d/%d rows (%.0f rows/s)\n", phaseLabel(p.phase), processed, total, rate)
		} else {
			fmt.Fprintf(p.w, "%s: %d rows (%.0f rows/s)\n", phaseLabel(p.phase), processed, rate)
		}
		return
	}
	if now.Sub(p.lastDraw) < 100*time.Millisecond && (total == 0 || processed < total) {
		return
	}
	p.lastDraw, p.drawn = now, true
	if total <= 0 {
		fmt.Fprintf(p.w, "\r%s %d 行 rows  %.0f 行/秒 rows/s   ", phaseLabel(p.phase), processed, rate)
		return
	}
	const width = 30
	frac := float64(processed) / float64(total)
	if frac > 1 {
		frac = 1
	}
	filled := int(frac * width)
	eta := "--"
	if rate > 0 {
		eta = (time.Duration(float64(total-processed)/rate) * time.Second).Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "\r%s [%s%s] %3.0f%% %d/%d  %.0f rows/s  ETA %s   ", phaseLabel(p.phase),
		strings.Repeat("█", filled), strings.Repeat("░", width-filled), frac*100, processed, total, rate, eta)
}

// Done ends the bar's line.
func (p *Printer) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn && p.terminal {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}
