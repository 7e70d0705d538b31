package handlers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"ruggedlab/demo"
	"ruggedlab/eulabel"
	"ruggedlab/models"
	"ruggedlab/store"
)

// BenchmarkRepairComparePage measures building /compare?kind=repair on the
// demo tender (4 candidates × 3 units × 9 parts = 108 repair runs), the
// reference, and on 10,008 repair runs (4 candidates × 278 units × 9 parts)
// in the same run; compare the two ns/op as a ratio.
//
//	go test ./handlers/ -run '^$' -bench BenchmarkRepairComparePage -benchtime 10x
func BenchmarkRepairComparePage(b *testing.B) {
	b.Run("demo", func(b *testing.B) {
		st := benchStore(b)
		if _, err := demo.Load(context.Background(), st, pagesNow); err != nil {
			b.Fatal(err)
		}
		benchPage(b, benchHandler(st), "/compare?kind=repair")
	})
	b.Run("10000", func(b *testing.B) {
		st := benchStore(b)
		n := loadRepairTender(b, st, 4, 278)
		b.Logf("%d repair runs", n)
		benchPage(b, benchHandler(st), "/compare?kind=repair")
	})
}

// loadRepairTender records candidates × units × every priority part.
func loadRepairTender(b *testing.B, st *store.Store, candidates, units int) int {
	ctx := context.Background()
	total := 0
	for c := 0; c < candidates; c++ {
		code := fmt.Sprintf("rep-%d", c)
		h := models.Handset{Code: code, Name: "Repair " + code, Manufacturer: "M", FormFactor: "phone",
			Declared: models.Declared{RepairabilityClass: "B", SparePartsAccess: "professional_repairers",
				RepairInfoAccess: "professional_repairers", SoftwareUpdateYears: ptrInt(7)}}
		if _, err := st.CreateHandset(ctx, h, "bench"); err != nil {
			b.Fatal(err)
		}
		var us []models.Unit
		for u := 0; u < units; u++ {
			us = append(us, models.Unit{Handset: code, Serial: fmt.Sprintf("R%d-%04d", c, u)})
		}
		if _, err := st.CreateUnits(ctx, us, "bench"); err != nil {
			b.Fatal(err)
		}
		var runs []models.Run
		at := pagesNow.Add(-30 * 24 * time.Hour)
		for u, unit := range us {
			for pi, part := range eulabel.PriorityParts(false) {
				steps := 1 + (u*7+pi*3+c)%18
				dis, re := float64(60*steps), float64(50*steps)
				t := true
				runs = append(runs, models.Run{Kind: models.Repair, Handset: code, Unit: unit.Serial, Method: "bench",
					StartedAt: at, EndedAt: at.Add(time.Hour), Part: part, DisassemblySteps: &steps,
					Fasteners: "reusable", Tools: "basic", DisassemblyS: &dis, ReassemblyS: &re, FunctionalAfter: &t})
			}
		}
		for i := 0; i < len(runs); i += 1000 {
			if _, err := st.CreateRuns(ctx, runs[i:min(i+1000, len(runs))], "bench"); err != nil {
				b.Fatal(err)
			}
		}
		total += len(runs)
	}
	return total
}

func ptrInt(v int) *int { return &v }
