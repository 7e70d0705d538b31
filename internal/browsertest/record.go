package browsertest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
)

// recorder collects a tab's events. Its event method runs inside chromedp's
// read loop (chromedp.Listen), so it only appends under a lock; the one
// thing that needs a command, accepting a dialog, is handed to onDialog,
// which must not block.
//
// Listen is used rather than the Events/Console iterators because it
// guarantees that an event sent before a command's reply is recorded before
// that command returns: once the final checks have run, the report is
// complete up to that point, with no queue left to drain.
type recorder struct {
	origin   string
	onDialog func()

	mu         sync.Mutex
	urls       map[network.RequestID]string
	httpFailed map[network.RequestID]bool // HTTP ≥ 400 already recorded
	console    []string
	failed     []failure
	foreign    []string
	dialogs    []string
	csp        []string
}

// failure is a failed request. The URL is resolved when the report is
// built: Chrome may send a request's extra-info events before the
// requestWillBeSent that names its URL.
type failure struct {
	id   network.RequestID
	what string
}

func newRecorder(origin string, onDialog func()) *recorder {
	return &recorder{
		origin: origin, onDialog: onDialog,
		urls: map[network.RequestID]string{}, httpFailed: map[network.RequestID]bool{},
	}
}

func (r *recorder) event(ev any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if ev.Request == nil {
			return
		}
		r.urls[ev.RequestID] = ev.Request.URL
		r.checkOrigin(ev.Request.URL)
	case *network.EventWebSocketCreated:
		r.checkOrigin(ev.URL)
	case *network.EventResponseReceived:
		if ev.Response != nil {
			r.httpStatus(ev.RequestID, ev.Response.Status)
		}
	case *network.EventResponseReceivedExtraInfo:
		// The only report of the status when Chrome aborts the load after
		// the headers, e.g. a 404 text/plain body for a stylesheet.
		r.httpStatus(ev.RequestID, ev.StatusCode)
	case *network.EventLoadingFailed:
		msg := ev.ErrorText
		if ev.BlockedReason != "" {
			msg += " (blocked: " + string(ev.BlockedReason) + ")"
		}
		if ev.Canceled {
			msg += " (canceled)"
		}
		r.failed = append(r.failed, failure{ev.RequestID, msg})
	case *runtime.EventExceptionThrown:
		r.console = append(r.console, exceptionText(ev.ExceptionDetails))
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			r.console = append(r.console, "console."+string(ev.Type)+": "+argsText(ev.Args))
		}
	case *log.EventEntryAdded:
		if e := ev.Entry; e != nil && e.Level == log.EntryLevelError {
			msg := e.Text
			if e.URL != "" {
				msg += " (" + e.URL + ")"
			}
			r.console = append(r.console, msg)
		}
	case *runtime.EventBindingCalled:
		if line, ok := parseCSPBinding(ev); ok {
			r.csp = append(r.csp, line)
		}
	case *page.EventJavascriptDialogOpening:
		r.dialogs = append(r.dialogs, string(ev.Type)+": "+ev.Message)
		r.onDialog()
	}
}

// httpStatus records an HTTP error status once per request. Called with
// r.mu held.
func (r *recorder) httpStatus(id network.RequestID, status int64) {
	if status >= 400 && !r.httpFailed[id] {
		r.httpFailed[id] = true
		r.failed = append(r.failed, failure{id, fmt.Sprintf("HTTP %d", status)})
	}
}

// checkOrigin records u if it is a network URL of another origin. Called
// with r.mu held.
func (r *recorder) checkOrigin(u string) {
	o, err := originOf(u)
	if err != nil {
		r.foreign = append(r.foreign, u+" (unparsable)")
		return
	}
	if o != "" && o != r.origin {
		r.foreign = append(r.foreign, u)
	}
}

// fill copies what was recorded into rep.
func (r *recorder) fill(rep *PageReport) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rep.ConsoleErrors = uniq(r.console)
	failed := make([]string, 0, len(r.failed))
	for _, f := range r.failed {
		u := r.urls[f.id]
		if u == "" {
			u = "request " + string(f.id)
		}
		failed = append(failed, u+": "+f.what)
	}
	rep.FailedRequests = uniq(failed)
	rep.ForeignRequests = uniq(r.foreign)
	rep.Dialogs = slices.Clone(r.dialogs)
	rep.CSPViolations = uniq(r.csp)
}

// uniq drops repeated lines, keeping the first of each. Chrome often
// reports one problem twice (the preload scanner and the parser both fetch
// a resource); the report should list it once.
func uniq(lines []string) []string {
	var out []string
	for _, l := range lines {
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// originOf returns scheme://host[:port] for a network URL, with default
// ports made explicit so that http://h and http://h:80 compare equal, and ""
// for URLs that do not reach the network (data:, blob:, about:, javascript:).
func originOf(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	scheme := strings.ToLower(u.Scheme)
	switch scheme {
	case "data", "blob", "about", "javascript":
		return "", nil
	case "":
		return "", fmt.Errorf("no scheme in %q", raw)
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if port == "" {
		switch scheme {
		case "http", "ws":
			port = "80"
		case "https", "wss":
			port = "443"
		}
	}
	// A page on http:// and its WebSocket on ws:// share an origin for our
	// purpose (same host, same server).
	switch scheme {
	case "ws":
		scheme = "http"
	case "wss":
		scheme = "https"
	}
	return scheme + "://" + net.JoinHostPort(host, port), nil
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d == nil {
		return "exception"
	}
	msg := d.Text
	if d.Exception != nil && d.Exception.Description != "" {
		first, _, _ := strings.Cut(d.Exception.Description, "\n")
		msg += " " + first
	}
	if d.URL != "" {
		msg += fmt.Sprintf(" (%s:%d:%d)", d.URL, d.LineNumber+1, d.ColumnNumber+1)
	}
	return msg
}

func argsText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		var s string
		switch {
		case a == nil:
			continue
		case a.Type == runtime.RemoteObjectTypeString && len(a.Value) > 0:
			if err := json.Unmarshal(a.Value, &s); err != nil {
				s = string(a.Value)
			}
		case a.Description != "":
			s = a.Description
		case len(a.Value) > 0:
			s = string(a.Value)
		default:
			s = string(a.UnserializableValue)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}
