package handlers_test

import (
	"io"
	"strings"
	"testing"

	"ruggedlab/handlers"
	"ruggedlab/models"
)

// Units from units.csv, then runs of every kind naming them, each as the
// upload page sends it (multipart) or a script does (text/csv); the summary
// is readable later and the runs are there.
func TestImport201(t *testing.T) {
	eachImportEngine(t, func(t *testing.T, a *importAPI) {
		rec := a.csv(t, "/api/v1/imports/units", example(t, "units"), "Content-Disposition", `attachment; filename="units.csv"`)
		units := decodeAs[importResult](t, rec, 201)
		if units.Kind != "units" || units.Rows != 6 || len(units.Created) != 6 || units.FileName != "units.csv" || units.RecordedBy != "anonymous" {
			t.Errorf("units import = %+v", units)
		}
		for _, kind := range []string{"drop", "temperature", "ingress", "battery"} {
			body, ct := form(t, "file", `C:\lab\exports\`+kind+".csv", example(t, kind))
			rec := a.send(t, "/api/v1/imports/"+kind, body, "Content-Type", ct)
			got := decodeAs[importResult](t, rec, 201)
			if got.Kind != kind || got.Rows != 4 && got.Rows != 5 || len(got.Created) != got.Rows || got.FileName != kind+".csv" {
				t.Errorf("%s import = %+v", kind, got)
			}
			if loc := rec.Header().Get("Location"); loc != "/api/v1/imports/"+got.ImportID {
				t.Errorf("Location = %q", loc)
			}
			again := decodeAs[importResult](t, a.get(t, "/api/v1/imports/"+got.ImportID), 200)
			if strings.Join(again.Created, ",") != strings.Join(got.Created, ",") || again.RecordedAt != got.RecordedAt || again.FileName != got.FileName {
				t.Errorf("GET import = %+v, want %+v", again, got)
			}
			run := decodeAs[map[string]any](t, a.get(t, "/api/v1/runs/"+got.Created[0]), 200)
			if run["kind"] != kind || run["handset"] != "atlas-r1" || run["unit"] != "ATL-0101" || run["recorded_by"] != "anonymous" || run["revision"] != 1.0 {
				t.Errorf("first %s run = %v", kind, run)
			}
		}
		if got, want := a.counts(t), "units=7 runs=17 run_revisions=17 imports=5"; got != want {
			t.Errorf("counts %s, want %s", got, want)
		}
		decodeAs[importProblem](t, a.get(t, "/api/v1/imports/no-such-import"), 404)
	})
}

// One upload with errors on lines 3, 17 and 250 of a 300-row file: one 422
// names all three, with their columns and values, and nothing is written.
func TestImport422EveryRowNothingWritten(t *testing.T) {
	eachImportEngine(t, func(t *testing.T, a *importAPI) {
		before := a.counts(t)
		file := dropFile(300, map[int]string{
			3:   strings.Replace(dropLine(2), ",2.0,", ",2,0,", 1),
			17:  strings.Replace(dropLine(16), "ATL-0001", "ATL-0999", 1),
			250: strings.Replace(dropLine(249), ",26,26,,", ",26,30,,", 1),
		})
		p := decodeAs[importProblem](t, a.csv(t, "/api/v1/imports/drop", file), 422)
		want := []string{
			"3//: this row has 14 values but the header has 13 columns — a decimal comma (2,0) splits a value in two: write 2.0",
			"17/unit/ATL-0999: unit \"ATL-0999\" is not registered for handset \"atlas-r1\": register it first (POST /api/v1/handsets/atlas-r1/units)",
			"250/drops_completed/30: is 30, more than planned_drops (26)",
		}
		if got := where(p); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if p.Type != "/problems/validation" || p.Detail != "the drop runs file has 3 problems: nothing was imported" {
			t.Errorf("problem = %+v", p)
		}
		if after := a.counts(t); after != before {
			t.Errorf("counts %s, want %s", after, before)
		}
	})
}

func TestImportFormats(t *testing.T) {
	crlf := func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }
	semi := func(s string) string { return strings.ReplaceAll(s, ",", ";") }
	tests := []struct {
		name, target, body string
		rows               int
		notes              string // of the first run, when set
	}{
		{"BOM, CRLF and a quoted multi-line note", "drop",
			"\xEF\xBB\xBF" + crlf(dropCSVHeader+",notes\n"+dropLine(1)+",\"cracked at drop 14\n\"\"edge_7\"\", see photo\"\n"+dropLine(2)+",\n"), 2,
			"cracked at drop 14\n\"edge_7\", see photo"},
		{"semicolons, as European spreadsheets write", "drop", semi(dropFile(3, nil)), 3, ""},
		{"semicolons and CRLF in a units file", "units", "\xEF\xBB\xBF" + crlf(semi("handset,serial,notes\natlas-r1,ATL-0201,\"new; boxed\"\n")), 1, ""},
		{"tabs", "drop", strings.ReplaceAll(dropFile(2, nil), ",", "\t"), 2, ""},
		{"blank trailing lines", "drop", dropFile(2, nil) + "\n\n\r\n", 2, ""},
	}
	eachImportEngine(t, func(t *testing.T, a *importAPI) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got := decodeAs[importResult](t, a.csv(t, "/api/v1/imports/"+tt.target, tt.body), 201)
				if got.Rows != tt.rows || len(got.Created) != tt.rows {
					t.Errorf("rows %d created %d, want %d", got.Rows, len(got.Created), tt.rows)
				}
				if tt.notes != "" {
					run := decodeAs[map[string]any](t, a.get(t, "/api/v1/runs/"+got.Created[0]), 200)
					if run["notes"] != tt.notes {
						t.Errorf("notes = %q, want %q", run["notes"], tt.notes)
					}
				}
			})
		}
	})
}

// Each file is refused whole with every problem located; nothing is written.
func TestImport422(t *testing.T) {
	tests := []struct {
		name, target, body string
		errors             []string
	}{
		{"header only", "drop", dropCSVHeader + "\r\n", []string{"1//: no rows: the file has a header but no data lines"}},
		{"empty file", "units", "", []string{"1//: the file is empty: the first line must name the columns, e.g. handset, serial, notes"}},
		{"unknown, repeated and missing columns", "drop",
			"handset,unit,method,started_at,ended_at,height_m,surface,surface,protective_case,planned_drops,drops_completed,colour\n" +
				"atlas-r1,ATL-0001,M,2026-03-02T09:00:00Z,2026-03-02T11:30:00Z,2.0,concrete,concrete,false,26,26,red\n",
			[]string{
				"1/surface/surface: column surface appears twice (columns 7 and 8): keep one",
				`1/colour/colour: unknown column "colour" — drop columns are ` + strings.Join(models.CSVColumns(models.Drop), ", "),
				"1/worst_severity/: the column worst_severity is missing: it is required",
			}},
		{"a decimal comma in a semicolon file, a cross-field rule and an unknown handset", "drop",
			strings.ReplaceAll(dropCSVHeader, ",", ";") + "\n" +
				strings.Replace(strings.ReplaceAll(dropLine(1), ",", ";"), ";2.0;", ";2,0;", 1) + "\n" +
				strings.ReplaceAll(strings.Replace(dropLine(2), "T08:42:00Z", "T07:00:00Z", 1), ",", ";") + "\n" +
				strings.ReplaceAll(strings.Replace(dropLine(3), "atlas-r1", "zeta-z9", 1), ",", ";") + "\n",
			[]string{
				`2/height_m/2,0: "2,0" is not a number — use a dot as decimal separator`,
				"3/ended_at/2026-03-02T07:00:00Z: must not be before started_at",
				`4/handset/zeta-z9: handset "zeta-z9" is not registered`,
			}},
		{"battery power implausible for the declared battery", "battery",
			"handset,unit,method,started_at,ended_at,protocol,runtime_h,start_soc_pct,end_soc_pct,brightness_nits\n" +
				"atlas-r1,ATL-0001,EU 2023/1669 Annex IV,2026-02-16T08:00:00Z,2026-02-17T22:15:00Z,eu_eei_loop,1800,100,0,200\n",
			[]string{"2/runtime_h/1800: implies a mean power of 0.011 W from the declared 5000 mAh at 3.87 V — below 0.05 W, implausible for eu_eei_loop (hours typed as minutes?)",
				"2/runtime_h/1800: implies an energy-efficiency index of 93.02 1/W — above 15, implausible"}},
		{"repair: hinge on a phone, 0 or 2.5 steps, over 24 h, functional_after missing", "repair",
			"handset,unit,method,started_at,ended_at,part,disassembly_steps,fasteners,tools,disassembly_s,reassembly_s,functional_after\n" +
				"atlas-r1,ATL-0001,M,2026-03-02T09:00:00Z,2026-03-02T10:00:00Z,hinge,4,reusable,basic,300,200,true\n" +
				"atlas-r1,ATL-0001,M,2026-03-02T09:00:00Z,2026-03-02T10:00:00Z,display,0,reusable,basic,300,90000,true\n" +
				"atlas-r1,ATL-0001,M,2026-03-02T09:00:00Z,2026-03-02T10:00:00Z,display,2.5,glue,hammer,300,200,true\n" +
				"atlas-r1,ATL-0001,M,2026-03-02T09:00:00Z,2026-03-02T10:00:00Z,display,3,reusable,basic,300,200,\n",
			[]string{
				"2/part/hinge: is hinge but the handset's form factor is phone: only foldables have a hinge assembly",
				"3/disassembly_steps/0: must be between 1 and 500, not 0",
				"3/reassembly_s/90000: must be between 1 and 86400 (s), not 90000",
				`4/disassembly_steps/2.5: "2.5" is not a whole number`,
				`4/fasteners/glue: must be one of reusable, resupplied, removable, non_removable, not "glue"`,
				`4/tools/hammer: must be one of none, basic, supplied_with_part, supplied_with_product, commercial, proprietary, not "hammer"`,
				"5/functional_after/: is required (true or false)",
			}},
		{"units: unknown handset, bad serial, registered serial, twice in the file", "units",
			"handset,serial,notes\nzeta-z9,Z-1,\natlas-r1,ATL 0102,\natlas-r1,ATL-0001,\natlas-r1,ATL-0103,\n,ATL-0104,\natlas-r1,ATL-0103,again\n",
			[]string{
				`2/handset/zeta-z9: handset "zeta-z9" is not registered: create it first (POST /api/v1/handsets)`,
				`3/serial/ATL 0102: "ATL 0102" must be 1–64 letters, digits, '.', '_', '/' or '-', starting with a letter or digit`,
				"4/serial/ATL-0001: ATL-0001 is already registered for handset atlas-r1",
				"6/handset/: is required",
				"7/serial/ATL-0103: ATL-0103 appears twice for handset atlas-r1 in this file (rows 5 and 7)",
			}},
		{"dry run with a problem", "drop?dry_run=true", dropFile(3, map[int]string{4: strings.Replace(dropLine(3), "concrete", "sand", 1)}),
			[]string{"4/surface/sand: must be one of steel_on_concrete, concrete, plywood_on_concrete, plywood_on_steel, tumbler, other, not \"sand\""}},
	}
	eachImportEngine(t, func(t *testing.T, a *importAPI) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := a.counts(t)
				p := decodeAs[importProblem](t, a.csv(t, "/api/v1/imports/"+tt.target, tt.body), 422)
				if got := where(p); strings.Join(got, "\n") != strings.Join(tt.errors, "\n") {
					t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.errors, "\n"))
				}
				if after := a.counts(t); after != before {
					t.Errorf("counts %s, want %s", after, before)
				}
			})
		}
	})
}

func TestImportDryRun200WritesNothing(t *testing.T) {
	eachImportEngine(t, func(t *testing.T, a *importAPI) {
		before := a.counts(t)
		rec := a.csv(t, "/api/v1/imports/drop?dry_run=true", dropFile(120, nil))
		if rec.Code != 200 || rec.Body.String() != `{"dry_run":true,"rows":120}` {
			t.Errorf("%d %s", rec.Code, rec.Body)
		}
		if after := a.counts(t); after != before {
			t.Errorf("counts %s, want %s", after, before)
		}
		body, ct := form(t, "file", "units.csv", example(t, "units"))
		rec = a.send(t, "/api/v1/imports/units?dry_run=1", body, "Content-Type", ct)
		if rec.Code != 200 || rec.Body.String() != `{"dry_run":true,"rows":6}` {
			t.Errorf("%d %s", rec.Code, rec.Body)
		}
		if after := a.counts(t); after != before {
			t.Errorf("counts %s, want %s", after, before)
		}
	})
}

// Refusals before or while reading: media type, not CSV, unknown kind, a
// form without its file, a bad query.
func TestImportRefusals(t *testing.T) {
	noFile, noFileCT := form(t, "upload", "drop.csv", dropFile(1, nil))
	noFileBody, _ := io.ReadAll(noFile)
	tests := []struct {
		name, path, contentType string
		body                    string
		status                  int
		detail                  string
	}{
		{"JSON", "/api/v1/imports/drop", "application/json", `{"kind":"drop"}`, 415,
			`send the CSV file as text/csv (or multipart/form-data with a file field), not "application/json"; runs in JSON go one by one to POST /api/v1/runs`},
		{"no media type", "/api/v1/imports/drop", "", dropFile(1, nil), 415,
			`send the CSV file as text/csv (or multipart/form-data with a file field), not ""; runs in JSON go one by one to POST /api/v1/runs`},
		{"Latin-1", "/api/v1/imports/drop", "text/csv; charset=iso-8859-1", dropFile(1, nil), 415,
			`the file must be UTF-8, not iso-8859-1: save it as "CSV UTF-8"`},
		{"JSON sent as CSV", "/api/v1/imports/drop", "text/csv", `[{"kind":"drop"}]`, 400,
			"this is JSON, not CSV: send a CSV file whose first line names the columns (runs one by one go to POST /api/v1/runs)"},
		{"a bare quote", "/api/v1/imports/drop", "application/csv", dropFile(2, map[int]string{3: `atlas-r1,ATL-0001,MIL 5"16`}), 400,
			`the file is not valid CSV (comma-separated): line 3: a quote (") inside a value that does not start with one: quote the whole value and double the inner quote ("")`},
		{"a form that ends early", "/api/v1/imports/drop", "multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n" + dropCSVHeader + "\n", 400,
			"the upload could not be read to its end: unexpected EOF"},
		{"unknown kind", "/api/v1/imports/shock", "text/csv", dropFile(1, nil), 404,
			"nothing to import as \"shock\": use one of units, drop, temperature, ingress, battery, repair, incident, shift, questionnaire"},
		{"a form without the file field", "/api/v1/imports/drop", noFileCT, string(noFileBody), 422, "the form has no file"},
		{"dry_run not a boolean", "/api/v1/imports/drop?dry_run=maybe", "text/plain", dropFile(1, nil), 422, "the import request is not valid"},
	}
	eachImportEngine(t, func(t *testing.T, a *importAPI) {
		before := a.counts(t)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				rec := a.csv(t, tt.path, tt.body, "Content-Type", tt.contentType)
				p := decodeAs[importProblem](t, rec, tt.status)
				if p.Detail != tt.detail || rec.Header().Get("Content-Type") != "application/problem+json" {
					t.Errorf("detail = %q\nwant     %q", p.Detail, tt.detail)
				}
			})
		}
		if after := a.counts(t); after != before {
			t.Errorf("counts %s, want %s", after, before)
		}
	})
}

// Past --max-upload: 413 whether the length is declared or the body just
// keeps coming, and nothing is written even though rows were valid.
func TestImport413(t *testing.T) {
	const limit = 64 << 10
	file := dropFile(2000, nil) // ~230 KB of valid rows
	eachImportEngine(t, func(t *testing.T, a *importAPI) {
		before := a.counts(t)
		for _, chunked := range []bool{false, true} {
			var body io.Reader = strings.NewReader(file) // a declared Content-Length
			if chunked {
				body = struct{ io.Reader }{body} // no length: refused while reading
			}
			rec := a.send(t, "/api/v1/imports/drop", body, "Content-Type", "text/csv")
			p := decodeAs[importProblem](t, rec, 413)
			if p.Detail != "the upload is over the 64 KiB limit (--max-upload): nothing was imported; split the file" {
				t.Errorf("chunked %v: detail %q", chunked, p.Detail)
			}
		}
		mp, ct := form(t, "file", "big.csv", file)
		decodeAs[importProblem](t, a.send(t, "/api/v1/imports/drop", struct{ io.Reader }{mp}, "Content-Type", ct), 413)
		if after := a.counts(t); after != before {
			t.Errorf("counts %s, want %s", after, before)
		}
	}, func(s *handlers.Server) { s.MaxUpload = limit })
}
