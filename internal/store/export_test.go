package store

import (
	"context"
	"testing"

	"minsheng/internal/plan"
)

// For the external tests (package store_test), which may import packages
// that import the store, such as the synthetic data of internal/demo.

// EachBackend is eachBackend.
func EachBackend(t *testing.T, fn func(t *testing.T, s *Store, dsn string)) { eachBackend(t, fn) }

// RollupReference is rollupReference: the roll-up computed from the
// reports and monthly plans, without the roll-up facts.
func (s *Store) RollupReference(ctx context.Context, code string, period plan.Period) (*Rollup, error) {
	return s.rollupReference(ctx, code, period)
}
