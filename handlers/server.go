// Package handlers translates HTTP to store calls and back: routes, request
// decoding, problem answers, and the middleware every request goes through.
package handlers

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"ruggedlab/i18n"
	"ruggedlab/store"
)

// Server holds what the handlers need; main fills it in.
type Server struct {
	Store *store.Store
	Log   *slog.Logger
	// Now is the clock; tests may fix it.
	Now func() time.Time
	// MaxJSON and MaxUpload bound request bodies (api.md §11).
	MaxJSON   int64
	MaxUpload int64
	// MaxAttachment bounds one attachment (DefaultMaxAttachment if 0).
	MaxAttachment int64
	// Registry receives the service's Prometheus metrics; nil makes a
	// fresh one, so tests and several servers in one process don't clash.
	Registry *prometheus.Registry
	// ImportProgressEvery spaces the progress lines of a streamed import;
	// 0 means DefaultImportProgressEvery.
	ImportProgressEvery time.Duration
	// Auth turns on accounts (api.md §9): every API call and page needs a
	// token or a session, and requiredRole decides what each role may do.
	// nil serves without authentication — for tests of other concerns
	// only; cmd/ruggedlab always sets it.
	Auth *Auth
	// BlindEvaluators forces blind mode (api.md §8) on every page and
	// export an evaluator sees, until an admin unmasks the profile
	// (POST /profiles/{id}/unmask); needs Auth.
	BlindEvaluators bool
	// Lab is the laboratory named on test reports (report.go); an empty
	// name prints DefaultLabName.
	Lab Lab
	// I18n is the pages' message catalogue (i18n.Load); nil loads the
	// embedded one.
	I18n *i18n.Catalog
	// Zone is the lab's time zone for pages (zone.go); nil is DefaultZone.
	Zone *time.Location
	// NoAnswerCache turns the answer cache and ETags off (cache.go): for
	// benchmarks that measure what answers cost to compute.
	NoAnswerCache bool

	metrics *httpMetrics
	answers *answerCache // cache.go
	// html renders error pages for browsers (errorpage.go); set by
	// pageRoutes.
	html *pages
}

// Default body limits.
const (
	DefaultMaxJSON   = 10 << 20
	DefaultMaxUpload = 1 << 30
)

// anonymous records writes when the server runs without accounts
// (api.md §11 "Who"); handlers use s.author(c).
const anonymous = "anonymous"

// Routes builds the HTTP handler with every route of the service.
func (s *Server) Routes() http.Handler {
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.MaxJSON == 0 {
		s.MaxJSON = DefaultMaxJSON
	}
	if s.MaxUpload == 0 {
		s.MaxUpload = DefaultMaxUpload
	}
	if s.MaxAttachment == 0 {
		s.MaxAttachment = DefaultMaxAttachment
	}
	if s.Registry == nil {
		s.Registry = prometheus.NewRegistry()
	}
	s.metrics = newHTTPMetrics(s.Registry)

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true // c.Done()/c.Value reach the request context
	_ = r.SetTrustedProxies(nil)
	r.Use(securityHeaders) // first: every answer carries them
	r.Use(s.withRequestID, s.recoverPanic, s.logRequest)
	r.Use(s.recordWrites, s.refuseCrossSite(), s.authenticate) // before any route or group
	r.Use(s.blindMask)                                         // blind mode on every route (blind_mask.go)
	r.Use(s.withLang)                                          // the pages' language, in the context (i18n.go); before the cache, whose key holds it
	if !s.NoAnswerCache {
		s.answers = newAnswerCache()
	}
	r.Use(s.cacheAnswers) // ETag, 304 and cached answers by data version (cache.go)
	r.NoRoute(s.noRoute)
	r.NoMethod(s.noMethod)

	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	r.GET("/metrics", s.serveMetrics)
	r.GET("/problems/:slug", s.problemDoc)

	api := r.Group("/api/v1")
	js := []gin.HandlerFunc{s.requireJSON, s.idempotent}
	api.POST("/handsets", append(js, s.createHandset)...)
	api.GET("/handsets", s.listHandsets)
	api.GET("/handsets/:code", s.getHandset)
	api.PATCH("/handsets/:code", append(js, s.patchHandset)...)
	api.POST("/handsets/:code/units", append(js, s.createUnit)...)
	api.GET("/handsets/:code/units", s.listUnits)
	api.GET("/handsets/:code/units/:serial", s.getUnit)

	api.POST("/runs", append(js, s.createRun)...)
	api.GET("/runs", s.listRuns)
	api.GET("/runs/:id", s.getRun)
	api.POST("/runs/:id/amendments", append(js, s.amendRun)...)
	api.POST("/runs/:id/retraction", append(js, s.retractRun)...)
	api.GET("/runs/:id/revisions", s.listRevisions)
	api.POST("/runs/:id/review", append(js, s.reviewRun)...) // second-person review (review.go)
	// Attachments (attachments.go): multipart, read whole under their own limit.
	api.POST("/runs/:id/attachments", s.uploadAttachment)
	api.GET("/runs/:id/attachments", s.listAttachments)
	api.GET("/attachments/:id", s.downloadAttachment)
	api.GET("/attachments/:id/thumbnail", s.attachmentThumbnail)
	api.POST("/attachments/:id/retraction", append(js, s.retractAttachment)...)
	api.GET("/signing-key", s.signingKey) // evidence_pack.go
	// Series uploads stream into the store: no requireJSON or idempotent,
	// which both need the whole body in memory.
	api.POST("/runs/:id/series", s.uploadSeries)
	api.GET("/runs/:id/series", s.getSeries)
	api.GET("/fields/:kind", s.describeFields)
	api.GET("/openapi.json", s.openAPIDocument) // the contract, public (apidocs.go)
	s.verdictRoutes(api, js)
	s.awardRoutes(api, js)
	s.accountRoutes(r, api)
	// Imports stream: no requireJSON (it buffers); the handler honours
	// Idempotency-Key itself by hashing the file as it streams.
	api.POST("/imports/:kind", s.createImport)
	api.POST("/trials", append(js, s.createTrial)...) // field pilots (trials.go)
	api.GET("/trials", s.listTrials)
	api.GET("/trials/:id", s.getTrial)
	api.GET("/trials/:id/summary", s.trialSummary)
	api.POST("/trials/:id/incidents", append(js, s.createIncident)...)
	api.GET("/trials/:id/incidents", s.listIncidents)
	api.POST("/trials/:id/incidents/:incident/retraction", append(js, s.retractIncident)...)
	api.POST("/trials/:id/incidents/:incident/review", append(js, s.reviewIncident)...) // review.go
	api.POST("/trials/:id/shifts", append(js, s.createShift)...)
	api.POST("/trials/:id/questionnaires", append(js, s.createQuestionnaire)...)
	api.GET("/imports/:id", s.getImport)
	api.GET("/imports", s.listImports)
	// :kind is the import's id here: gin wants one wildcard name per place
	// under POST /imports.
	api.POST("/imports/:kind/retract", append(js, s.retractImport)...)
	// Evaluator pages and their assets (api.md §8).
	s.pageRoutes(r)
	return r
}
