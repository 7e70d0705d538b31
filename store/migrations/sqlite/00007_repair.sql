-- +goose Up
-- Repair runs (issue #11, domain.md §5): one unit, one priority part, one
-- disassembly and reassembly. They live in the wide runs table like the other
-- kinds; functional_after is shared with ingress (same meaning).
ALTER TABLE runs ADD COLUMN part TEXT;
ALTER TABLE runs ADD COLUMN disassembly_steps INTEGER;
ALTER TABLE runs ADD COLUMN fasteners TEXT;
ALTER TABLE runs ADD COLUMN tools TEXT;
ALTER TABLE runs ADD COLUMN disassembly_s REAL;
ALTER TABLE runs ADD COLUMN reassembly_s REAL;
ALTER TABLE runs ADD COLUMN part_replaced BOOLEAN;

-- +goose Down
ALTER TABLE runs DROP COLUMN part_replaced;
ALTER TABLE runs DROP COLUMN reassembly_s;
ALTER TABLE runs DROP COLUMN disassembly_s;
ALTER TABLE runs DROP COLUMN tools;
ALTER TABLE runs DROP COLUMN fasteners;
ALTER TABLE runs DROP COLUMN disassembly_steps;
ALTER TABLE runs DROP COLUMN part;
