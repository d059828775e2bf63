-- The generation of what a project record is read from (projects, targets,
-- project_units, subprojects, units): a random value that every change to
-- those tables replaces, by the triggers below, whatever code path or
-- process made it. The store keeps project records it has read under the
-- generation they were read at and reads them again only after a change
-- (projectcache.go). Random, not a counter: a value written by a
-- transaction that was rolled back is never seen again. Conventions as in
-- 00001 (keep ../sqlite and ../postgres parallel).

-- +goose Up
CREATE TABLE generations (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO generations (name, value) VALUES ('projects', lower(hex(randomblob(8))));
-- +goose StatementBegin
CREATE TRIGGER projects_generation_insert AFTER INSERT ON projects BEGIN
    UPDATE generations SET value = lower(hex(randomblob(8))) WHERE name = 'projects';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER projects_generation_update AFTER UPDATE ON projects BEGIN
    UPDATE generations SET value = lower(hex(randomblob(8))) WHERE name = 'projects';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER projects_generation_delete AFTER DELETE ON projects BEGIN
    UPDATE generations SET value = lower(hex(randomblob(8))) WHERE name = 'projects';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER targets_generation_insert AFTER INSERT ON targets BEGIN
    UPDATE generations SET value = lower(hex(randomblob(8))) WHERE name = 'projects';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER targets_generation_update AFTER UPDATE ON targets BEGIN
    UPDATE generations SET value = lower(hex(randomblob(8))) WHERE name = 'projects';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER targets_generation_delete AFTER DELETE ON targets BEGIN
    UPDATE generations SET value = lower(hex(randomblob(8))) WHERE name = 'projects';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER project_units_generation_insert AFTER INSERT ON project_units BEGIN
    UPDATE generations SET value = lower(hex(randomblob(8))) WHERE name = 'projects';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER project_units_generation_update AFTER UPDATE ON project_units BEGIN
    UPDATE generations SET value = lower(hex(randomblob(8))) WHERE name = 'projects';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER project_units_generation_delete AFTER DELETE ON project_units BEGIN
    UPDATE generations SET value = lower(hex(randomblob(8))) WHERE name = 'projects';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER subprojects_generation_insert AFTER INSERT ON subprojects BEGIN
    UPDATE generations SET value = lower(hex(randomblob(8))) WHERE name = 'projects';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER subprojects_generation_update AFTER UPDATE ON subprojects BEGIN
    UPDATE generations SET value = lower(hex(randomblob(8))) WHERE name = 'projects';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER subprojects_generation_delete AFTER DELETE ON subprojects BEGIN
    UPDATE generations SET value = lower(hex(randomblob(8))) WHERE name = 'projects';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER units_generation_insert AFTER INSERT ON units BEGIN
    UPDATE generations SET value = lower(hex(randomblob(8))) WHERE name = 'projects';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER units_generation_update AFTER UPDATE ON units BEGIN
    UPDATE generations SET value = lower(hex(randomblob(8))) WHERE name = 'projects';
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER units_generation_delete AFTER DELETE ON units BEGIN
    UPDATE generations SET value = lower(hex(randomblob(8))) WHERE name = 'projects';
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER projects_generation_insert;
DROP TRIGGER projects_generation_update;
DROP TRIGGER projects_generation_delete;
DROP TRIGGER targets_generation_insert;
DROP TRIGGER targets_generation_update;
DROP TRIGGER targets_generation_delete;
DROP TRIGGER project_units_generation_insert;
DROP TRIGGER project_units_generation_update;
DROP TRIGGER project_units_generation_delete;
DROP TRIGGER subprojects_generation_insert;
DROP TRIGGER subprojects_generation_update;
DROP TRIGGER subprojects_generation_delete;
DROP TRIGGER units_generation_insert;
DROP TRIGGER units_generation_update;
DROP TRIGGER units_generation_delete;
DROP TABLE generations;
