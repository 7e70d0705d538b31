package handlers

import (
	"html/template"
	"strings"
	"testing"

	"ruggedlab/i18n"
)

// sequenceTemplate is the loop handset.html had before sequenceItems
// wrote its items in Go, kept here verbatim to hold the Go to it.
const sequenceTemplate = `{{- range .}}
<li{{if .Retracted}} class="retracted"{{end}} title="{{.Date}}"><span class="n">{{.N}}.</span><a href="{{.Href}}">{{T .Kind}}</a> {{dec .Text}}{{if .Retracted}} <span class="badge">{{T "retracted"}}</span>{{else}} <span class="badge review {{.ReviewState}}" data-review="{{.ReviewState}}">{{T .ReviewState}}</span>{{end}}{{if .Attachments}} <a href="{{.Href}}#attachments" class="badge" data-attachments="{{.Attachments}}">{{T "%d attachment(s)" .Attachments}}</a>{{end}}</li>
{{- end}}`

// TestSequenceItemsAsTemplate: sequenceItems writes what the template
// loop wrote, in both languages, for every branch and for text that needs
// escaping (quotes, ampersands, plus signs, angle brackets, NUL).
func TestSequenceItemsAsTemplate(t *testing.T) {
	runs := []sequenceRun{
		{N: 1, Kind: "drop", Text: "1.5 m concrete: 26/26 drops, worst severity 1", Href: "/runs/01a2-b3", Date: "2026-04-01 08:00", ReviewState: "recorded"},
		{N: 2, Kind: "battery", Text: "EU energy-label loop: 38.81 h", Href: "/runs/01a2-b4?blind=1", Retracted: true, Date: "01/04/2026 09:00", ReviewState: "verified", Attachments: 2},
		{N: 3, Kind: "temperature", Text: `operation cold -20 °C: passed <b>"x" & 'y' +1</b>` + "\x00", Href: "/runs/a&b", Date: `"<&>'+`, ReviewState: "rejected", Attachments: 1},
		{N: 40, Kind: "ingress", Text: "IP68 fresh water: dry, functional after", Href: "/runs/z", Date: "", ReviewState: "verified"},
		{N: 41, Kind: "repair", Text: "repair", Href: "/runs/r", Date: "d", ReviewState: "recorded", Attachments: 12},
	}
	cat := i18n.MustLoad()
	for _, lang := range []i18n.Lang{i18n.EN, i18n.FR} {
		pt := cat.Printer(lang)
		tmpl := template.Must(template.New("seq").Funcs(langFuncs(pt)).Parse(sequenceTemplate))
		for n := range len(runs) + 1 {
			var want strings.Builder
			if err := tmpl.Execute(&want, runs[:n]); err != nil {
				t.Fatal(err)
			}
			if got := string(sequenceItems(pt, runs[:n])); got != want.String() {
				t.Errorf("%s, %d runs:\n got %q\nwant %q", lang, n, got, want.String())
			}
		}
	}
}
