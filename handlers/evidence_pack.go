package handlers

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"ruggedlab/award"
	"ruggedlab/models"
	"ruggedlab/pack"
	"ruggedlab/report"
	"ruggedlab/store"
	"ruggedlab/verdict"
)

// Evidence packs (issue #13 item 4, api.md §14.3): a zip for the tender
// file with the test report, every counted run, its revisions, series and
// attachments, the matrix and award exports, and manifest.json signed with
// the instance's Ed25519 key.

// signingKey is GET /api/v1/signing-key: the public key that verifies
// packs, as "ruggedlab signing-key" prints it.
func (s *Server) signingKey(c *gin.Context) {
	k, err := s.Store.SigningKey(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	pub := k.Public().(ed25519.PublicKey)
	c.JSON(http.StatusOK, gin.H{"algorithm": "ed25519", "public_key": base64.StdEncoding.EncodeToString(pub), "fingerprint": pack.Fingerprint(pub)})
}

// evidencePack is GET /profiles/{id}/evidence-pack.zip.
func (p *pages) evidencePack(c *gin.Context) {
	if blindRequest(c) || isBlind(c) {
		// Every file names candidates and units: no blind pack exists.
		p.fail(c, models.Errorf(models.Forbidden, "evidence packs are not made in blind mode: their runs, series and photos name the candidates"))
		return
	}
	z, name, err := p.s.buildPack(c.Request.Context(), c.Param("id"))
	if err != nil {
		p.fail(c, err)
		return
	}
	c.Header("Content-Disposition", contentDisposition(name))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/zip", z)
}

// buildPack gathers the files of profile id's latest version and signs
// them. A profile without evidence gives a pack whose matrix says so.
func (s *Server) buildPack(ctx context.Context, id string) ([]byte, string, error) {
	prof, err := s.Store.Profile(ctx, id, 0)
	if err != nil {
		return nil, "", err
	}
	key, err := s.Store.SigningKey(ctx)
	if err != nil {
		return nil, "", err
	}
	ev, err := s.Store.Evidence(ctx, store.EvidenceFilter{Kinds: profileKinds(prof)})
	if err != nil {
		return nil, "", err
	}
	field, err := s.fieldEvidence(ctx, prof)
	if err != nil {
		return nil, "", err
	}
	m := evaluate(prof, ev, field)
	var files []pack.File
	add := func(p string, b []byte) { files = append(files, pack.File{Path: p, Content: b}) }
	js := func(v any) []byte { b, _ := json.MarshalIndent(v, "", "  "); return append(b, '\n') }
	add("profile.json", js(prof))
	add("matrix.json", js(m))
	add("matrix.csv", csvBytes(matrixCSV(m)))

	// The test report (issue #13 item 3), from the same matrix page view.
	var reportID string
	if s.html != nil {
		cs, err := newCast(ctx, s.Store, false)
		if err != nil {
			return nil, "", err
		}
		r, _, err := s.html.profileReportDoc(ctx, matrixQuery{id: prof.ID, version: prof.Version, cast: cs})
		if err != nil {
			return nil, "", err
		}
		pdf, err := report.Render(r)
		if err != nil {
			return nil, "", err
		}
		reportID = r.ID
		add("report.pdf", pdf)
	}
	// The field trials a field requirement counts (issue #13): each trial
	// with every incident, retracted and rejected ones included, and who
	// reviewed each, so the pack shows what the matrix did and did not count.
	trialNote := ""
	if hasField(prof) {
		trials, err := s.Store.Trials(ctx)
		if err != nil {
			return nil, "", err
		}
		for _, t := range trials {
			incs, err := s.Store.Incidents(ctx, t.ID)
			if err != nil {
				return nil, "", err
			}
			add("trials/"+t.ID+".json", js(map[string]any{"trial": t, "incidents": nonNilIncidents(incs)}))
			add("trials/"+t.ID+".incidents.csv", csvBytes(incidentsCSV(incs)))
		}
		trialNote = fmt.Sprintf("Field trials: %d (trials/{id}.json, trials/{id}.incidents.csv with each incident's review).\n", len(trials))
	}
	// The award export (api.md §6.4), when the profile has a scoring scheme:
	// the API's JSON and CSV at the default draws and seed, so anyone can
	// recompute it.
	awardNote := ""
	schemes, err := s.Store.Schemes(ctx, prof.ID)
	if err != nil {
		return nil, "", err
	}
	if len(schemes) > 0 {
		rep, err := s.awardReport(ctx, prof.ID, awardQuery{Draws: award.DefaultDraws, Seed: award.DefaultSeed})
		switch {
		case err == nil:
			add("award.json", js(rep))
			add("award.csv", csvBytes(awardCSV(rep, nil)))
			awardNote = fmt.Sprintf("Award: scheme %q version %d, %d draws, seed %d (award.json, award.csv).\n", rep.Scheme.Name, rep.Scheme.Version, rep.Draws, rep.Seed)
		case models.ErrorCode(err) == models.Invalid || models.ErrorCode(err) == models.NotFound:
			// The pack is still made; it says why the award is missing.
			awardNote = "Award: not computed: " + err.Error() + "\n"
		default:
			return nil, "", err
		}
	}

	var ids []string
	seen := map[string]bool{}
	for _, row := range m.Rows {
		for _, cell := range row.Cells {
			for _, r := range cell.Runs {
				if !seen[r] {
					seen[r] = true
					ids = append(ids, r)
				}
			}
		}
	}
	more, err := s.runsBeyondListed(ctx, prof, m, seen)
	if err != nil {
		return nil, "", err
	}
	ids = append(ids, more...)
	slices.Sort(ids)
	byKind := map[models.Kind][]models.Run{}
	for _, rid := range ids {
		r, err := s.Store.Run(ctx, rid)
		if err != nil {
			return nil, "", err
		}
		byKind[r.Kind] = append(byKind[r.Kind], r)
		revs, err := s.Store.Revisions(ctx, rid)
		if err != nil {
			return nil, "", err
		}
		add("runs/"+rid+".json", js(map[string]any{"run": r, "revisions": revs}))
		add("runs/"+rid+".revisions.csv", csvBytes(revisionsCSV(revs)))
		if r.HasSeries {
			if b, err := s.seriesCSV(ctx, rid); err == nil {
				add("series/"+rid+".csv", b)
			} else if models.ErrorCode(err) != models.NotFound {
				return nil, "", err
			}
		}
	}
	for _, k := range models.Kinds {
		if runs := byKind[k]; len(runs) > 0 {
			add("runs/"+string(k)+".csv", csvBytes(runsCSV(k, runs)))
		}
	}
	atts, err := s.Store.AttachmentsOfRuns(ctx, ids)
	if err != nil {
		return nil, "", err
	}
	add("attachments.json", js(nonNilAtt(atts)))
	for _, a := range atts {
		_, b, err := s.Store.AttachmentContent(ctx, a.ID, false)
		if err != nil {
			return nil, "", err
		}
		add("attachments/"+a.Run+"/"+a.ID+"-"+path.Base(strings.ReplaceAll(a.Name, " ", "_")), b)
	}
	readme := fmt.Sprintf("Evidence pack of profile %s (%s, version %d): %d counted run(s), %d attachment(s).\n"+
		"Evidence rule: %s. Check it offline: ruggedlab verify-pack FILE.zip --key KEY (GET /api/v1/signing-key).\n",
		prof.ID, prof.Name, prof.Version, len(ids), len(atts), m.Evidence)
	if len(ids) == 0 {
		readme += "This profile has no evidence yet: no run matches any requirement, so every verdict is inconclusive.\n"
	}
	if reportID != "" {
		readme += "Test report: report.pdf, report id " + reportID + ".\n"
	}
	readme += trialNote + awardNote
	add("README.txt", []byte(readme))
	now := s.Now()
	z, err := pack.Build("evidence pack of profile "+prof.ID+" version "+strconv.Itoa(prof.Version), now, files, key)
	if err != nil {
		return nil, "", err
	}
	return z, fmt.Sprintf("evidence-pack-%s-v%d.zip", prof.ID, prof.Version), nil
}

func nonNilAtt(a []models.Attachment) []models.Attachment {
	if a == nil {
		return []models.Attachment{}
	}
	return a
}

func csvBytes(rows [][]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.WriteAll(rows)
	return b.Bytes()
}

// runsCSV writes runs of kind k with the import's columns plus the record
// fields, so a pack's CSV reads like the lab's own files.
func runsCSV(k models.Kind, runs []models.Run) [][]string {
	cols := append([]string{"id"}, models.CSVColumns(k)...)
	cols = append(cols, "revision", "status", "recorded_by", "recorded_at", "review_state", "review_by")
	out := [][]string{cols}
	for _, r := range runs {
		v := runValues(r)
		v["review_state"], v["review_by"] = string(r.ReviewOf().State), r.Review.By
		row := make([]string, len(cols))
		for i, c := range cols {
			row[i] = safeCell(v[c])
		}
		out = append(out, row)
	}
	return out
}

func revisionsCSV(revs []store.Revision) [][]string {
	out := [][]string{{"revision", "recorded_by", "recorded_at", "reason", "changes"}}
	for _, r := range revs {
		ch, _ := json.Marshal(r.Changes)
		out = append(out, []string{strconv.Itoa(r.Revision), safeCell(r.RecordedBy), r.RecordedAt.UTC().Format("2006-01-02T15:04:05.999999Z"),
			safeCell(r.Reason), safeCell(string(ch))})
	}
	return out
}

func nonNilIncidents(in []models.Incident) []models.Incident {
	if in == nil {
		return []models.Incident{}
	}
	return in
}

// incidentsCSV is a trial's incidents with their status and review: a
// pending or rejected incident is listed, and says so.
func incidentsCSV(incs []models.Incident) [][]string {
	out := [][]string{{"id", "handset", "unit", "date", "category", "severity", "out_of_service_h", "outcome", "notes",
		"status", "retraction_reason", "recorded_by", "recorded_at", "review_state", "review_by", "review_at", "review_reason"}}
	stamp := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	for _, in := range incs {
		status := string(models.Active)
		if in.Retracted {
			status = string(models.Retracted)
		}
		out = append(out, []string{in.ID, in.Handset, in.Unit, in.Date, in.Category, strconv.Itoa(in.Severity),
			strconv.FormatFloat(in.OutOfServiceH, 'g', -1, 64), in.Outcome, safeCell(in.Notes), status, safeCell(in.RetractionReason),
			safeCell(in.RecordedBy), in.RecordedAt.UTC().Format(time.RFC3339Nano), string(in.Review.State), safeCell(in.Review.By),
			stamp(in.Review.At), safeCell(in.Review.Reason)})
	}
	return out
}

func (s *Server) seriesCSV(ctx context.Context, runID string) ([]byte, error) {
	info, err := s.Store.SeriesInfo(ctx, runID, 0)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(info.Columns)
	row := make([]string, len(info.Columns))
	err = s.Store.StreamSeries(ctx, info, func(vals []float64) error {
		for i, v := range vals {
			row[i] = strconv.FormatFloat(v, 'g', -1, 64)
		}
		return w.Write(row)
	})
	w.Flush()
	return b.Bytes(), err
}

// runsBeyondListed returns the counted runs a matrix cell counts but does
// not list: cells list each unit's latest 50 runs (api.md §13.1), and a pack
// must carry every one. Only when some cell is cut are all runs read, and
// the cell's own rule picks them: the requirement's where, and verified
// runs only when the profile asks for verified evidence. seen holds the ids
// already in the pack.
func (s *Server) runsBeyondListed(ctx context.Context, prof models.Profile, m verdict.Matrix, seen map[string]bool) ([]string, error) {
	cut := map[string]bool{} // requirement key → some cell is cut
	for _, row := range m.Rows {
		for _, cell := range row.Cells {
			if cell.RunsTotal > len(cell.Runs) {
				cut[row.Key] = true
			}
		}
	}
	if len(cut) == 0 {
		return nil, nil
	}
	raw, err := s.Store.EvidenceFromRuns(ctx, store.EvidenceFilter{Kinds: profileKinds(prof), Handsets: m.Handsets})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, q := range prof.Requirements {
		if !cut[q.Key] {
			continue
		}
		for _, r := range raw.Runs {
			if seen[r.ID] || !verdict.Matches(q, r) || (prof.Evidence == models.EvidenceVerified && r.Review.State != models.Verified) {
				continue
			}
			seen[r.ID] = true
			ids = append(ids, r.ID)
		}
	}
	return ids, nil
}
