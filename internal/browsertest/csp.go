package browsertest

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Content-Security-Policy violations are caught where the browser raises
// them: a securitypolicyviolation DOM event, fired for every blocked inline
// script, style attribute, eval or foreign load, whether or not the policy
// has a report-uri and whatever the console says. A listener is installed in
// every document of the tab before its own scripts run, in an isolated world
// the page cannot see or tamper with, and hands each event to the test
// through a CDP binding exposed only to that world. Bindings survive
// navigations, so a form test that submits and follows redirects is watched
// on every page it reaches.
const (
	cspWorld   = "ruggedlab-browsertest"
	cspBinding = "ruggedlabCSPViolation"
)

const cspListenerJS = `document.addEventListener("securitypolicyviolation", function (e) {
  ` + cspBinding + `(JSON.stringify({directive: e.effectiveDirective || e.violatedDirective || "",
    blocked: e.blockedURI || "", source: e.sourceFile || "", line: e.lineNumber || 0,
    sample: e.sample || "", page: e.documentURI || ""}));
}, true);`

// cspViolation is what the listener sends.
type cspViolation struct {
	Directive string `json:"directive"`
	Blocked   string `json:"blocked"`
	Source    string `json:"source"`
	Line      int    `json:"line"`
	Sample    string `json:"sample"`
	Page      string `json:"page"`
}

func (v cspViolation) String() string {
	s := fmt.Sprintf("%s blocked %q on %s", v.Directive, v.Blocked, v.Page)
	if v.Source != "" {
		s += fmt.Sprintf(" (%s:%d)", v.Source, v.Line)
	}
	if v.Sample != "" {
		s += fmt.Sprintf(" sample %q", v.Sample)
	}
	return s
}

// parseCSPBinding turns a binding call into a report line; ok is false for
// other bindings.
func parseCSPBinding(ev *runtime.EventBindingCalled) (line string, ok bool) {
	if ev.Name != cspBinding {
		return "", false
	}
	var v cspViolation
	if err := json.Unmarshal([]byte(ev.Payload), &v); err != nil {
		return "unreadable violation report " + ev.Payload, true
	}
	return v.String(), true
}

// watchCSP installs the listener and binding on tab, which must already be
// open (after Listen). Documents created afterwards are watched.
func watchCSP(tab context.Context) error {
	if _, err := chromedp.Call(tab, runtime.AddBinding, runtime.AddBindingParams{Name: cspBinding, ExecutionContextName: cspWorld}); err != nil {
		return fmt.Errorf("add CSP binding: %w", err)
	}
	if _, err := chromedp.Call(tab, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: cspListenerJS, WorldName: cspWorld}); err != nil {
		return fmt.Errorf("add CSP listener: %w", err)
	}
	return nil
}
