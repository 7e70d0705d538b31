package handlers

import (
	"sync"
	"time"
	_ "time/tzdata" // the lab's zone must load on hosts without a zoneinfo database
)

// DefaultZone is the lab's time zone unless Server.Zone says otherwise:
// the tender's labs are in metropolitan France.
const DefaultZone = "Europe/Paris"

// zone is the lab's time zone, in which pages show times (with the zone's
// abbreviation) and read the dates typed in their filters. Times are
// stored and exchanged with the API in UTC.
func (s *Server) zone() *time.Location {
	if s.Zone != nil {
		return s.Zone
	}
	return defaultZone()
}

// defaultZone loads DefaultZone once (LoadLocation reads the database on
// every call).
var defaultZone = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation(DefaultZone)
	if err != nil {
		return time.UTC // cannot happen: time/tzdata is embedded
	}
	return loc
})

// when is t as a page shows it: in the cast's zone with the zone's
// abbreviation, or in UTC (saying so) for a cast without one.
func (c *cast) when(t time.Time) string {
	loc := c.zone
	if loc == nil {
		loc = time.UTC
	}
	return c.tr.DateTimeIn(t, loc)
}

// whenSec is when to the second (a run's start and end, its records).
func (c *cast) whenSec(t time.Time) string {
	loc := c.zone
	if loc == nil {
		loc = time.UTC
	}
	return c.tr.DateTimeSecIn(t, loc)
}
