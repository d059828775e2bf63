-- See ../sqlite/00012_generations.sql. Statement-level triggers: one new
-- value per statement, however many rows it changed.

-- +goose Up
CREATE TABLE generations (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO generations (name, value) VALUES ('projects', md5(random()::text || clock_timestamp()::text));

-- +goose StatementBegin
CREATE FUNCTION bump_projects_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE generations SET value = md5(random()::text || clock_timestamp()::text) WHERE name = 'projects';
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER projects_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON projects
    FOR EACH STATEMENT EXECUTE FUNCTION bump_projects_generation();
CREATE TRIGGER targets_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON targets
    FOR EACH STATEMENT EXECUTE FUNCTION bump_projects_generation();
CREATE TRIGGER project_units_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON project_units
    FOR EACH STATEMENT EXECUTE FUNCTION bump_projects_generation();
CREATE TRIGGER subprojects_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON subprojects
    FOR EACH STATEMENT EXECUTE FUNCTION bump_projects_generation();
CREATE TRIGGER units_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON units
    FOR EACH STATEMENT EXECUTE FUNCTION bump_projects_generation();

-- +goose Down
DROP TRIGGER projects_generation ON projects;
DROP TRIGGER targets_generation ON targets;
DROP TRIGGER project_units_generation ON project_units;
DROP TRIGGER subprojects_generation ON subprojects;
DROP TRIGGER units_generation ON units;
DROP FUNCTION bump_projects_generation();
DROP TABLE generations;
