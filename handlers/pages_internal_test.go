package handlers

import (
	"math"
	"testing"

	"ruggedlab/models"
)

func TestLetters(t *testing.T) {
	for _, tt := range []struct {
		i    int
		want string
	}{{0, "A"}, {1, "B"}, {25, "Z"}, {26, "AA"}, {27, "AB"}, {51, "AZ"}, {52, "BA"}, {701, "ZZ"}, {702, "AAA"}} {
		if got := letters(tt.i); got != tt.want {
			t.Errorf("letters(%d) = %q, want %q", tt.i, got, tt.want)
		}
	}
}

func TestReplaceFold(t *testing.T) {
	for _, tt := range []struct{ s, old, repl, want string }{
		{"Atlas R1 cracked", "atlas r1", "Candidate A", "Candidate A cracked"},
		{"ATLAS-R1 and atlas-r1", "atlas-r1", "A", "A and A"},
		{"no match", "atlas", "A", "no match"},
		{"", "atlas", "A", ""},
		{"x", "", "A", "x"},
		{"İstanbul atlas", "atlas", "A", "İstanbul A"}, // ToLower changes İ's length: exact match
		{"ünïcode Atlas", "atlas", "A", "ünïcode A"},
	} {
		if got := replaceFold(tt.s, tt.old, tt.repl); got != tt.want {
			t.Errorf("replaceFold(%q, %q) = %q, want %q", tt.s, tt.old, got, tt.want)
		}
	}
}

func testCast(blind bool) *cast {
	hs := []models.Handset{
		{ID: "id-1", Code: "atlas-r1", Name: "Atlas R1", Manufacturer: "Atlas Mobile"},
		{ID: "id-2", Code: "borealis-x", Name: "Borealis X", Manufacturer: "Borealis"},
		{ID: "id-3", Code: "cobalt-t8", Name: "Cobalt T8", Manufacturer: "Cobalt Rugged"},
	}
	return castOf(hs, blind)
}

func TestCastBlind(t *testing.T) {
	plain, blind := testCast(false), testCast(true)
	// Plain pages name candidates by name and code, in code order; links
	// use the code.
	if got := plain.Codes(); got[0] != "atlas-r1" || plain.Label("atlas-r1") != "Atlas R1 (atlas-r1)" || plain.Ref("atlas-r1") != "atlas-r1" {
		t.Errorf("plain cast: %v %q", got, plain.Label("atlas-r1"))
	}
	// Blind pages: letters in blind order, the same in both casts.
	for i, code := range blind.Codes() {
		want := letters(i)
		if blind.Ref(code) != want || blind.Label(code) != "Candidate "+want {
			t.Errorf("%s: ref %q label %q, want %s", code, blind.Ref(code), blind.Label(code), want)
		}
		if plain.asBlind().Ref(code) != want {
			t.Errorf("%s: plain.asBlind names it %q, blind %q", code, plain.asBlind().Ref(code), want)
		}
	}
	for _, tt := range []struct {
		param   string
		n       int
		unknown int
		hadCode bool
	}{
		{"", 3, 0, false},
		{"A,B", 2, 0, false},
		{"a, Candidate C", 2, 0, false},
		{"atlas-r1", 1, 0, true},
		{"atlas-r1,A,nope", 2, 1, true},
		{"ZZ", 3, 1, false}, // nothing valid left: every candidate
	} {
		codes, unknown, hadCode := blind.selection(tt.param)
		if len(codes) != tt.n || len(unknown) != tt.unknown || hadCode != tt.hadCode {
			t.Errorf("selection(%q) = %v, %v, %v", tt.param, codes, unknown, hadCode)
		}
	}
	// Blind URLs list letters in order, whatever order the codes came in.
	codes := blind.Codes()
	if got := blind.refs([]string{codes[2], codes[0], codes[1]}); got != "A,B,C" {
		t.Errorf("refs = %q, want A,B,C", got)
	}
	if got := blind.Text("Atlas Mobile unit, like the Atlas R1 and ATLAS-R1"); got != blind.Label("atlas-r1")+" unit, like the "+blind.Label("atlas-r1")+" and "+blind.Label("atlas-r1") {
		t.Errorf("Text = %q", got)
	}
	if got := plain.Text("Atlas R1"); got != "Atlas R1" {
		t.Errorf("plain Text changed %q", got)
	}
	blind.setUnits("atlas-r1", []models.Unit{{Serial: "ATL-0001"}, {Serial: "ATL-0002"}})
	if got := blind.Unit("atlas-r1", "ATL-0002"); got != "unit 2" {
		t.Errorf("Unit = %q", got)
	}
	if got := blind.Unit("atlas-r1", "ATL-0009"); got != "unit ?" {
		t.Errorf("unknown unit = %q", got)
	}
	if got := blind.Text("moved from ATL-0001"); got != "moved from "+blind.Label("atlas-r1")+" unit 1" {
		t.Errorf("serial not scrubbed: %q", got)
	}
}

func TestCells(t *testing.T) {
	for _, tt := range []struct {
		name string
		c    cell
		text string
		num  any
	}{
		{"rounded", numCell(83.333333, 1), "83.3", 83.3},
		{"negative zero", numCell(-0.04, 1), "0.0", 0.0},
		{"negative", numCell(-5.128, 2), "-5.13", -5.13},
		{"NaN", numCell(math.NaN(), 1), missing, nil},
		{"Inf", numCell(math.Inf(1), 1), missing, nil},
		{"pct", pctCell(0.6756), "67.6", 67.6},
		{"p small", pCell(7.789233346211535e-9), "7.79e-09", 7.79e-09},
		{"p", pCell(0.0349650349), "0.035", 0.035},
		{"nil p", optPCell(nil), missing, nil},
		{"nil int", optIntCell(nil), missing, nil},
		{"text", textCell("x"), "x", "x"},
		{"empty text", textCell(""), missing, nil},
		{"nil pct", optPctCell(nil), missing, nil},
	} {
		if tt.c.Text != tt.text || tt.c.exportValue() != tt.num {
			t.Errorf("%s: text %q value %v, want %q %v", tt.name, tt.c.Text, tt.c.exportValue(), tt.text, tt.num)
		}
	}
}

func TestWithQuery(t *testing.T) {
	for _, tt := range []struct {
		path string
		kv   []string
		want string
	}{
		{"/compare", []string{"kind", "drop", "handsets", "A,B", "blind", "1"}, "/compare?kind=drop&handsets=A,B&blind=1"},
		{"/compare", []string{"kind", "drop", "surface", ""}, "/compare?kind=drop"},
		{"/runs", nil, "/runs"},
		{"/x", []string{"q", "a&b=c d"}, "/x?q=a%26b%3Dc+d"},
	} {
		if got := withQuery(tt.path, tt.kv...); got != tt.want {
			t.Errorf("withQuery = %q, want %q", got, tt.want)
		}
	}
}
