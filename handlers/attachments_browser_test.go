package handlers_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"ruggedlab/handlers"
	"ruggedlab/internal/browsertest"
	"ruggedlab/internal/storetest"
	"ruggedlab/internal/testdb"
	"ruggedlab/models"
)

// TestAttachmentUploadInBrowser: a technician uploads a photo in the form
// (through the progress script) and sees its thumbnail on the run page.
func TestAttachmentUploadInBrowser(t *testing.T) {
	b := browsertest.New(t)
	photo, err := filepath.Abs(filepath.Join("testdata", "attachments", "drop-crack.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range testdb.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, e)
			if _, err := st.CreateHandset(ctx, models.Handset{Code: "atlas-r1", Name: "Atlas R1", Manufacturer: "Atlas Mobile", FormFactor: "phone"}, "test"); err != nil {
				t.Fatal(err)
			}
			if _, err := st.CreateUnits(ctx, []models.Unit{{Handset: "atlas-r1", Serial: "ATL-0001"}}, "test"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := st.CreateAccount(ctx, techName, models.Technician, testPassword); err != nil {
				t.Fatal(err)
			}
			start := time.Date(2026, 5, 30, 9, 0, 0, 0, time.UTC)
			r, err := st.CreateRun(ctx, models.Run{Kind: models.Drop, Handset: "atlas-r1", Unit: "ATL-0001", Method: "MIL-STD-810H 516.8 IV",
				StartedAt: start, EndedAt: start.Add(time.Hour), HeightM: ptrTo(1.22), Surface: "plywood_on_concrete",
				ProtectiveCase: ptrTo(false), PlannedDrops: ptrTo(26), DropsCompleted: ptrTo(26), WorstSeverity: ptrTo(2)}, "test")
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer((&handlers.Server{Store: st, Log: slog.New(slog.DiscardHandler), Auth: &handlers.Auth{}}).Routes())
			t.Cleanup(srv.Close)
			tab := b.Tab(t)
			css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
			do(t, tab, "log in", browserLogin(srv.URL, techName, "/runs/"+r.ID+"/attachments/new")...)
			do(t, tab, "upload", chromedp.WaitVisible(css("#f-file")),
				chromedp.SetUploadFiles(css("#f-file"), []string{photo}),
				chromedp.Click(css(`main button[type="submit"]`)),
				chromedp.WaitVisible(css("#attachments img")))
			loc := run(t, tab, "location", chromedp.Location())
			// Visible is not loaded: the server makes the thumbnail on the first
			// request, which takes a while on a busy machine, so wait for it.
			ok := run(t, tab, "thumbnail decoded", chromedp.Poll[bool](
				`(() => { const i = document.querySelector("#attachments img"); return i.complete && i.naturalWidth > 0 && i.naturalWidth <= 240; })()`,
				chromedp.WithPollingTimeout(20*time.Second)))
			text := run(t, tab, "attachments", chromedp.Text(css("#attachments")))
			if !strings.HasSuffix(loc, "/runs/"+r.ID) || !ok || !strings.Contains(text, "drop-crack.jpg") {
				t.Errorf("after the upload: at %s, thumbnail shown %v, text %q", loc, ok, text)
			}
			b.Visit(t, loc, filepath.Join("forms", e.Name+"-attachment.png")).AssertClean(t)
		})
	}
}

func ptrTo[T any](v T) *T { return &v }
