package ledger

import (
	"context"
	"runtime"
)

// parsedRow is a data row parsed and hashed by parseAll's workers.
type parsedRow struct {
	Row
	cr       caseRow
	problems []Problem
	sum      rowHash // cr.sum(), when the row has no problems
}

// parseChunk is the unit of parseAll's work: rows in file order.
type parseChunk struct {
	rows []parsedRow
	done chan struct{}
}

// parseRowsPerChunk amortises the hand-over between goroutines.
const parseRowsPerChunk = 256

// parseAll reads sc's rows on one goroutine, parses them (parseCaseRow and
// the row hash: most of a pass's work) on up to four others, and calls fn
// with every row in file order on the caller's goroutine, so that what
// depends on order (duplicates, occurrences, counts) stays sequential. A
// read error that is the file's fault becomes a problem of res after the
// rows read before it; fn's first error stops the reading and is returned.
func parseAll(ctx context.Context, sc *rowScanner, res *Result, today string, fn func(p *parsedRow) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := min(runtime.GOMAXPROCS(0), 4)
	todo := make(chan *parseChunk, workers)
	ordered := make(chan *parseChunk, 2*workers)
	read := newResult("", false) // the reader's problems, merged into res at the end
	var readErr error
	go func() {
		defer close(ordered)
		defer close(todo)
		c := &parseChunk{done: make(chan struct{})}
		send := func() error {
			for _, ch := range []chan *parseChunk{todo, ordered} {
				select {
				case ch <- c:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			c = &parseChunk{done: make(chan struct{})}
			return nil
		}
		readErr = sc.each(ctx, read, func(r Row) error {
			r.Cells = append([]string(nil), r.Cells...) // the source reuses its slice
			c.rows = append(c.rows, parsedRow{Row: r})
			if len(c.rows) == parseRowsPerChunk {
				return send()
			}
			return nil
		})
		if readErr == nil && len(c.rows) > 0 {
			readErr = send()
		}
	}()
	for i := 0; i < workers; i++ {
		go func() {
			for c := range todo {
				for j := range c.rows {
					p := &c.rows[j]
					p.cr, p.problems = parseCaseRow(p.Row, today)
					if len(p.problems) == 0 {
						p.sum = p.cr.sum()
					}
				}
				close(c.done)
			}
		}()
	}
	var err error
	for c := range ordered {
		<-c.done // every chunk sent in order was sent to the workers first
		for j := 0; err == nil && j < len(c.rows); j++ {
			if err = fn(&c.rows[j]); err != nil {
				cancel()
			}
		}
	}
	// ordered is closed: the reader is done and readErr is set.
	if err != nil {
		return err
	}
	for _, p := range read.Errors {
		res.AddError(p)
	}
	return readErr
}
