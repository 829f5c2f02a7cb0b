// Package telemetry holds Fuyi's Prometheus metrics that belong to the
// domain rather than to HTTP: case transitions by action, overdue deadlines,
// import jobs by status and the database pools. Services increment the
// counters here; api serves them at /metrics. Nothing here touches net/http.
package telemetry

import (
	"context"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"fuyi/models"
)

// TransitionsTotal counts committed case transitions by action. The
// lifecycle service increments it after commit:
//
//	telemetry.TransitionsTotal.WithLabelValues(action).Inc()
//
// It is one process-wide counter (a Prometheus counter is per process by
// nature); Collectors registers it with the registry that /metrics serves.
var TransitionsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "fuyi_case_transitions_total",
	Help: "Committed case transitions by action (create, accept, decide, …).",
}, []string{"action"})

// ImportsTotal counts finished ledger imports by result (ok, failed, dry_run).
var ImportsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "fuyi_imports_total",
	Help: "Finished ledger imports by result.",
}, []string{"result"})

// scrapeTimeout bounds the database queries of one scrape, so that /metrics
// answers quickly (with the query errors logged) when the database is down.
const scrapeTimeout = 3 * time.Second

// chinaTime is UTC+8 without daylight saving: the civil date of deadlines.
var chinaTime = time.FixedZone("CST", 8*3600)

// Collectors returns every domain collector to register for /metrics: the
// counters above, sql.DBStats of each pool of db and the state gauges read
// from the database at scrape time. now is the clock (time.Now in production).
func Collectors(db *models.DB, now func() time.Time) []prometheus.Collector {
	if now == nil {
		now = time.Now
	}
	cs := []prometheus.Collector{TransitionsTotal, ImportsTotal, &stateCollector{db: db, now: now}}
	for name, pool := range db.Pools() {
		cs = append(cs, collectors.NewDBStatsCollector(pool, name))
	}
	return cs
}

var (
	overdueDesc = prometheus.NewDesc("fuyi_deadlines_overdue",
		"Deadlines missed or open and past due, by organ (read from the database at scrape time).",
		[]string{"organ_id"}, nil)
	importJobsDesc = prometheus.NewDesc("fuyi_import_jobs",
		"Ledger import jobs by status (read from the database at scrape time).",
		[]string{"status"}, nil)
	scrapeErrorDesc = prometheus.NewDesc("fuyi_db_scrape_error",
		"1 when the last scrape could not read a gauge from the database, by gauge.",
		[]string{"gauge"}, nil)
)

// stateCollector reads gauges from the database when Prometheus scrapes, so
// every instance reports the same database-wide truth.
type stateCollector struct {
	db  *models.DB
	now func() time.Time
}

func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- overdueDesc
	ch <- importJobsDesc
	ch <- scrapeErrorDesc
}

func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	today := c.now().In(chinaTime).Format(time.DateOnly)
	failed := func(gauge string, err error) {
		v := 0.0
		if err != nil {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(scrapeErrorDesc, prometheus.GaugeValue, v, gauge)
	}
	overdue, err := c.db.CountOverdueDeadlines(ctx, today)
	failed("deadlines_overdue", err)
	for organ, n := range overdue {
		ch <- prometheus.MustNewConstMetric(overdueDesc, prometheus.GaugeValue, float64(n), strconv.FormatInt(organ, 10))
	}
	jobs, err := c.db.CountImportJobsByStatus(ctx)
	failed("import_jobs", err)
	for status, n := range jobs {
		ch <- prometheus.MustNewConstMetric(importJobsDesc, prometheus.GaugeValue, float64(n), status)
	}
}
