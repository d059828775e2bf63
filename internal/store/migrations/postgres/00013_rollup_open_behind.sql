-- The open months of a jurisdiction that are 滞后 only because the
-- project's completion deadline passed (the roll-up facts judge the
-- deadline since factsVersion 2): like those counted in open_due they
-- become 未报送 once the month is overdue (rolluptotals.go). The facts and
-- totals are rebuilt when the store first reads them under the new
-- version. Conventions as in 00001 (keep ../sqlite and ../postgres
-- parallel).

-- +goose Up
ALTER TABLE rollup_totals ADD COLUMN open_behind INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE rollup_totals DROP COLUMN open_behind;
