-- Funds per report: the money allocated (下达/到位), disbursed (拨付) and
-- spent (支出/完成投资) through the month, in 万元, year-to-date. One row
-- per report and sub-project; the row with subproject_id '' holds the
-- project's allocation (its disbursed and spent figures stay in reports,
-- whose columns the API has always had). Conventions as in 00001 (keep
-- ../postgres parallel).

-- +goose Up
CREATE TABLE report_funds (
    report_id     TEXT NOT NULL REFERENCES reports (id),
    subproject_id TEXT NOT NULL DEFAULT '',
    allocated_wan TEXT,
    disbursed_wan TEXT,
    spent_wan     TEXT,
    PRIMARY KEY (report_id, subproject_id)
);

-- +goose Down
DROP TABLE report_funds;
