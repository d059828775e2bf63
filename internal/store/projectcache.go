package store

import (
	"slices"
	"sync"

	"minsheng/internal/plan"
)

// The project cache.
//
// Nearly every request reads a project record — four queries (the project,
// its units, targets and sub-projects) — and the records change only when
// a plan is published or corrected, a task is split, or a unit renamed.
// So the store keeps the records it has read, each under the generation
// of those tables it was read at (table generations, migration 00012: a
// random value that triggers on the five tables replace on every change,
// whatever code path or process makes it). A read then costs one query
// for the generation, and the four only when the generation moved.
//
// Why it stays correct: the generation is read in the same transaction as
// the record would be, so a transaction sees a record no older than its
// own view of the tables (its own uncommitted changes included, which
// produce a value of their own). A value written by a transaction that is
// rolled back is never produced again, so an entry filled under it is
// never matched. Entries are copies; callers may change what they get.

// maxCachedProjects bounds the cache (a record is a few KB; a province
// has a few thousand projects); past it, it starts again empty.
const maxCachedProjects = 5000

type projectCache struct {
	mu      sync.Mutex
	entries map[string]cachedProject
}

type cachedProject struct {
	generation string
	record     *plan.ProjectRecord
}

func newProjectCache() *projectCache {
	return &projectCache{entries: map[string]cachedProject{}}
}

func (pc *projectCache) get(id, generation string) *plan.ProjectRecord {
	pc.mu.Lock()
	e, ok := pc.entries[id]
	pc.mu.Unlock()
	if !ok || e.generation != generation {
		return nil
	}
	return cloneProject(e.record)
}

func (pc *projectCache) put(generation string, p *plan.ProjectRecord) {
	c := cloneProject(p)
	pc.mu.Lock()
	if len(pc.entries) >= maxCachedProjects {
		clear(pc.entries)
	}
	pc.entries[p.ID] = cachedProject{generation: generation, record: c}
	pc.mu.Unlock()
}

// cloneProject copies a record deep enough that changing the copy's
// fields or slices leaves the original alone.
func cloneProject(p *plan.ProjectRecord) *plan.ProjectRecord {
	c := *p
	c.Tags, c.Leaders = slices.Clone(p.Tags), slices.Clone(p.Leaders)
	c.Units, c.Targets, c.Subprojects = slices.Clone(p.Units), slices.Clone(p.Targets), slices.Clone(p.Subprojects)
	return &c
}

// projectsGeneration is the generation of the project tables as c sees it.
func projectsGeneration(c conn) (string, error) {
	var g string
	err := c.row("SELECT value FROM generations WHERE name = 'projects'").Scan(&g)
	return g, err
}
