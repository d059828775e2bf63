package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"minsheng/internal/plan"
)

// PlanFilter selects plan versions for ListPlans; zero fields select all.
type PlanFilter struct {
	JurisdictionCode string
	Year             int
	State            plan.PlanState
}

// SaveDraftPlan stores an imported document as a new draft version of its
// jurisdiction's plan for its year (version 1, or N+1 when versions exist),
// keeping the source text the importer read. The jurisdiction is created if
// new. Needs ActionImportPlan on the jurisdiction.
// Errors: invalid (no jurisdiction code, bad year), forbidden.
func (s *Store) SaveDraftPlan(ctx context.Context, actor *plan.User, doc *plan.Plan, sourceText string) (*plan.PlanVersion, error) {
	if doc.Jurisdiction.Code == nil || !plan.ValidJurisdictionCode(*doc.Jurisdiction.Code) {
		return nil, plan.FieldError("jurisdiction.code", "无法确定计划所属的行政区划代码，请先补充 6 位行政区划代码")
	}
	if doc.Year < 2000 || doc.Year > 2100 {
		return nil, plan.FieldError("year", "计划年度 %d 无效", doc.Year)
	}
	code := *doc.Jurisdiction.Code
	var pv *plan.PlanVersion
	err := s.write(ctx, actor, func(t *tx) error {
		if err := plan.Authorize(actor, plan.ActionImportPlan, plan.Resource{Kind: plan.ResourceJurisdiction, JurisdictionCode: code}); err != nil {
			return err
		}
		level := ""
		if doc.Jurisdiction.Level != nil {
			level = *doc.Jurisdiction.Level
		}
		if _, err := t.ensureJurisdiction(plan.JurisdictionRecord{Code: code, Name: doc.Jurisdiction.Name, Level: level}); err != nil {
			return err
		}
		var err error
		if pv, err = t.insertDraft(code, doc, sourceText); err != nil {
			return err
		}
		return t.audit("plan.import", "plan", pv.ID, nil, planAudit(pv))
	})
	return pv, err
}

// insertDraft stores doc as the next version of its jurisdiction's plan
// for its year, a draft.
func (t *tx) insertDraft(code string, doc *plan.Plan, sourceText string) (*plan.PlanVersion, error) {
	var last int
	if err := t.row("SELECT COALESCE(MAX(version), 0) FROM plans WHERE jurisdiction_code = ? AND year = ?", code, doc.Year).Scan(&last); err != nil {
		return nil, err
	}
	pv := &plan.PlanVersion{ID: t.s.id("plan"), JurisdictionCode: code, Year: doc.Year, Version: last + 1, State: plan.PlanDraft,
		Rev: 1, Document: *doc, SourceText: sourceText, CreatedAt: t.now, CreatedBy: t.actor.ID, UpdatedAt: t.now}
	_, err := t.exec(`INSERT INTO plans (id, jurisdiction_code, year, version, state, rev, title, document, summary, source_text, source_sha256,
		changes, created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, ?, ?)`,
		pv.ID, code, pv.Year, pv.Version, string(pv.State), pv.Rev, doc.Title, toJSON(doc), planSummaryJSON(doc), sourceText, doc.Source.SHA256,
		ts(t.now), t.actor.ID, ts(t.now))
	return pv, err
}

// planAudit is what the audit log keeps of a plan version: its metadata
// and the document (not the source text, which the document came from).
func planAudit(pv *plan.PlanVersion) any {
	return struct {
		ID       string         `json:"id"`
		Code     string         `json:"jurisdiction_code"`
		Year     int            `json:"year"`
		Version  int            `json:"version"`
		State    plan.PlanState `json:"state"`
		Rev      int            `json:"rev"`
		Document *plan.Plan     `json:"document,omitempty"`
	}{pv.ID, pv.JurisdictionCode, pv.Year, pv.Version, pv.State, pv.Rev, &pv.Document}
}

const planColumns = "id, jurisdiction_code, year, version, state, rev, document, source_text, changes, created_at, created_by, updated_at, published_at, published_by"

func scanPlan(r interface{ Scan(...any) error }) (*plan.PlanVersion, error) {
	var pv plan.PlanVersion
	var doc, changes, created, updated string
	var published sql.NullString
	err := r.Scan(&pv.ID, &pv.JurisdictionCode, &pv.Year, &pv.Version, &pv.State, &pv.Rev, &doc, &pv.SourceText, &changes,
		&created, &pv.CreatedBy, &updated, &published, &pv.PublishedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("计划不存在")
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(doc), &pv.Document); err != nil {
		return nil, fmt.Errorf("plan %s: document: %w", pv.ID, err)
	}
	if err := fromJSON(changes, &pv.Changes); err != nil {
		return nil, err
	}
	pv.CreatedAt, pv.UpdatedAt, pv.PublishedAt = parseTS(created), parseTS(updated), parseTSPtr(published)
	return &pv, nil
}

// GetPlan returns a plan version with its document. Drafts are returned
// too: callers check plan.Can(user, ActionRead, plan.PlanResource(pv)).
// Errors: not_found.
func (s *Store) GetPlan(ctx context.Context, id string) (*plan.PlanVersion, error) {
	var pv *plan.PlanVersion
	err := s.read(ctx, func(c conn) error {
		var err error
		pv, err = scanPlan(c.row("SELECT "+planColumns+" FROM plans WHERE id = ?", id))
		return err
	})
	return pv, err
}

// CurrentPlan returns the published version of a jurisdiction's plan for a
// year. Errors: not_found.
func (s *Store) CurrentPlan(ctx context.Context, jurisdictionCode string, year int) (*plan.PlanVersion, error) {
	var pv *plan.PlanVersion
	err := s.read(ctx, func(c conn) error {
		var err error
		pv, err = scanPlan(c.row("SELECT "+planColumns+" FROM plans WHERE jurisdiction_code = ? AND year = ? AND state = 'published'", jurisdictionCode, year))
		return err
	})
	return pv, err
}

// ListPlans returns the plan versions f selects, newest year and version
// first, without their source text.
func (s *Store) ListPlans(ctx context.Context, f PlanFilter) ([]plan.PlanVersion, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.JurisdictionCode != "" {
		where, args = append(where, "jurisdiction_code = ?"), append(args, f.JurisdictionCode)
	}
	if f.Year != 0 {
		where, args = append(where, "year = ?"), append(args, f.Year)
	}
	if f.State != "" {
		where, args = append(where, "state = ?"), append(args, string(f.State))
	}
	var out []plan.PlanVersion
	err := s.read(ctx, func(c conn) error {
		cols := strings.Replace(planColumns, "source_text", "''", 1)
		rows, err := c.query("SELECT "+cols+" FROM plans WHERE "+strings.Join(where, " AND ")+" ORDER BY year DESC, jurisdiction_code, version DESC", args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			pv, err := scanPlan(rows)
			if err != nil {
				return err
			}
			out = append(out, *pv)
		}
		return rows.Err()
	})
	return out, err
}

// UpdateDraftPlan replaces a draft's document (the supervisor's
// corrections of an import). rev is the Rev the editor started from; a
// stale rev is a conflict. The jurisdiction and year cannot change.
// Needs ActionEditPlan. Errors: invalid, not_found, conflict (stale rev,
// not a draft), forbidden.
func (s *Store) UpdateDraftPlan(ctx context.Context, actor *plan.User, id string, rev int, doc *plan.Plan) (*plan.PlanVersion, error) {
	var pv *plan.PlanVersion
	err := s.write(ctx, actor, func(t *tx) error {
		before, err := scanPlan(t.row("SELECT "+planColumns+" FROM plans WHERE id = ?", id))
		if err != nil {
			return err
		}
		if err := plan.Authorize(actor, plan.ActionEditPlan, plan.PlanResource(before)); err != nil {
			return err
		}
		if before.State != plan.PlanDraft {
			return plan.Errorf(plan.EConflict, "计划已%s，不能再修改；请导入新版本", before.State.Label())
		}
		if doc.Jurisdiction.Code == nil || *doc.Jurisdiction.Code != before.JurisdictionCode {
			return plan.FieldError("jurisdiction.code", "不能修改计划所属的行政区划")
		}
		if doc.Year != before.Year {
			return plan.FieldError("year", "不能修改计划年度")
		}
		pv, err = t.replaceDraft(before, rev, doc, "plan.update")
		return err
	})
	return pv, err
}

// replaceDraft writes doc over the draft before, which an editor read at
// rev, and audits it as action.
func (t *tx) replaceDraft(before *plan.PlanVersion, rev int, doc *plan.Plan, action string) (*plan.PlanVersion, error) {
	res, err := t.exec("UPDATE plans SET document = ?, summary = ?, title = ?, rev = rev + 1, updated_at = ? WHERE id = ? AND rev = ? AND state = 'draft'",
		toJSON(doc), planSummaryJSON(doc), doc.Title, ts(t.now), before.ID, rev)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, staleConflict()
	}
	after := *before
	after.Document, after.Rev, after.UpdatedAt = *doc, before.Rev+1, t.now
	return &after, t.audit(action, "plan", before.ID, planAudit(before), planAudit(&after))
}

func staleConflict() error {
	return &plan.Error{Code: plan.EConflict, Field: "version", Message: "数据已被他人修改，请刷新后在最新版本上重新操作"}
}

// PublishPlan publishes a draft: its projects, their lead and responsible
// units, targets and sub-projects become rows. When an earlier version is
// published, projects and targets are matched with plan.MatchTargets:
// matched ones keep their IDs (and so their monthly plans and reports) and
// take the new content, the earlier version's unmatched ones are retired
// (RetiredBy = this version; their reports are kept), new ones get new IDs.
// The earlier version becomes superseded, and the list of changes
// (plan.Diff) is stored with this one. A plan whose import found errors
// cannot be published. Needs ActionPublishPlan.
// Errors: invalid (import errors), not_found, conflict (not a draft, or a
// newer version is already published), forbidden.
func (s *Store) PublishPlan(ctx context.Context, actor *plan.User, id string) (*plan.PlanVersion, error) {
	var pv *plan.PlanVersion
	err := s.write(ctx, actor, func(t *tx) error {
		var err error
		pv, err = scanPlan(t.row("SELECT "+planColumns+" FROM plans WHERE id = ?", id))
		if err != nil {
			return err
		}
		if err := plan.Authorize(actor, plan.ActionPublishPlan, plan.PlanResource(pv)); err != nil {
			return err
		}
		if pv.State != plan.PlanDraft {
			return plan.Errorf(plan.EConflict, "计划%s，不能重复发布", pv.State.Label())
		}
		if pv.Document.HasErrors() {
			var ps plan.Problems
			for _, f := range pv.Document.Findings {
				if f.Severity == plan.SeverityError {
					ps = append(ps, plan.Problem{Field: "findings." + f.Code, Message: f.Message, Severity: plan.ProblemError})
				}
			}
			return &plan.Error{Code: plan.EInvalid, Field: "findings", Message: "导入时发现错误，修正后才能发布：" + ps[0].Message, Details: ps}
		}
		prev, err := scanPlan(t.row("SELECT "+planColumns+" FROM plans WHERE jurisdiction_code = ? AND year = ? AND state = 'published'", pv.JurisdictionCode, pv.Year))
		if err != nil && plan.ErrorCode(err) != plan.ENotFound {
			return err
		}
		if prev != nil && prev.Version > pv.Version {
			return plan.Errorf(plan.EConflict, "已发布更新的第 %d 版，不能再发布第 %d 版", prev.Version, pv.Version)
		}
		var changes []plan.Change
		if prev != nil {
			changes = plan.Diff(&prev.Document, &pv.Document)
			if err := t.supersede(prev, pv); err != nil {
				return err
			}
		}
		summary, err := t.materialise(pv, prev)
		if err != nil {
			return err
		}
		if err := t.applyCarryOver(pv); err != nil {
			return err
		}
		if changes == nil {
			changes = []plan.Change{}
		}
		res, err := t.exec("UPDATE plans SET state = 'published', published_at = ?, published_by = ?, changes = ?, updated_at = ? WHERE id = ? AND state = 'draft'",
			ts(t.now), actor.ID, toJSON(changes), ts(t.now), pv.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return staleConflict()
		}
		// Older drafts can no longer be published; say so in their state.
		if _, err := t.exec("UPDATE plans SET state = 'superseded', updated_at = ? WHERE jurisdiction_code = ? AND year = ? AND state = 'draft' AND version < ?",
			ts(t.now), pv.JurisdictionCode, pv.Year, pv.Version); err != nil {
			return err
		}
		now := t.now
		pv.State, pv.PublishedAt, pv.PublishedBy, pv.Changes, pv.UpdatedAt = plan.PlanPublished, &now, actor.ID, changes, now
		if err := t.jurisdictionFacts(pv.JurisdictionCode, pv.Year); err != nil {
			return err
		}
		return t.audit("plan.publish", "plan", pv.ID, map[string]any{"state": plan.PlanDraft},
			map[string]any{"state": plan.PlanPublished, "changes": changes, "projects": summary})
	})
	return pv, err
}

func (t *tx) supersede(prev, next *plan.PlanVersion) error {
	_, err := t.exec("UPDATE plans SET state = 'superseded', updated_at = ? WHERE id = ?", ts(t.now), prev.ID)
	if err != nil {
		return err
	}
	return t.audit("plan.supersede", "plan", prev.ID, map[string]any{"state": plan.PlanPublished},
		map[string]any{"state": plan.PlanSuperseded, "superseded_by": next.ID})
}

// publishSummary records in the audit log which rows a publication
// touched.
type publishSummary struct {
	Kept    []string `json:"kept"`
	Added   []string `json:"added"`
	Retired []string `json:"retired"`
}

// materialise writes pv's projects as rows, re-pointing those matched in
// prev (the version it supersedes, or nil).
func (t *tx) materialise(pv, prev *plan.PlanVersion) (*publishSummary, error) {
	doc := &pv.Document
	sum := &publishSummary{Kept: []string{}, Added: []string{}, Retired: []string{}}
	// Old doc index → project ID, and (project ID, old target index) → target ID.
	oldProject := map[int]string{}
	oldTarget := map[string]map[int]string{}
	var m plan.Matching
	if prev != nil {
		m = plan.MatchTargets(&prev.Document, doc)
		rows, err := t.query("SELECT id, doc_index FROM projects WHERE plan_id = ? AND retired_by = ''", prev.ID)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			var idx int
			if err := rows.Scan(&id, &idx); err != nil {
				rows.Close()
				return nil, err
			}
			oldProject[idx] = id
		}
		rows.Close()
		rows, err = t.query("SELECT t.id, t.project_id, t.doc_index FROM targets t JOIN projects p ON p.id = t.project_id WHERE p.plan_id = ? AND p.retired_by = '' AND t.retired_by = ''", prev.ID)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id, pid string
			var idx int
			if err := rows.Scan(&id, &pid, &idx); err != nil {
				rows.Close()
				return nil, err
			}
			if oldTarget[pid] == nil {
				oldTarget[pid] = map[int]string{}
			}
			oldTarget[pid][idx] = id
		}
		rows.Close()
		for _, i := range m.RemovedProjects {
			if id := oldProject[i]; id != "" {
				if err := t.retire("projects", "id", id, pv.ID); err != nil {
					return nil, err
				}
				sum.Retired = append(sum.Retired, id)
			}
		}
	}
	matchedOld := map[int]int{}
	for _, p := range m.Projects {
		matchedOld[p.New] = p.Old
	}
	categories := map[int]string{}
	for _, c := range doc.Categories {
		categories[c.Seq] = c.Title
	}
	for j := range doc.Projects {
		np := &doc.Projects[j]
		catTitle := ""
		if np.CategorySeq != nil {
			catTitle = categories[*np.CategorySeq]
		}
		id := ""
		if i, ok := matchedOld[j]; ok {
			id = oldProject[i]
		}
		if id != "" {
			if _, err := t.exec(`UPDATE projects SET plan_id = ?, doc_index = ?, seq = ?, category_seq = ?, category_title = ?, title = ?, text = ?,
				tags = ?, leaders = ?, investment_wan = ?, updated_at = ? WHERE id = ?`,
				pv.ID, j, np.Seq, intPtr(np.CategorySeq), catTitle, np.Title, np.Text, strList(np.Tags), strList(np.Leaders),
				decPtr(np.Investment), ts(t.now), id); err != nil {
				return nil, err
			}
			sum.Kept = append(sum.Kept, id)
		} else {
			id = t.s.id("prj")
			if _, err := t.exec(`INSERT INTO projects (id, jurisdiction_code, year, plan_id, doc_index, seq, category_seq, category_title, title, text,
				tags, leaders, investment_wan, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				id, pv.JurisdictionCode, pv.Year, pv.ID, j, np.Seq, intPtr(np.CategorySeq), catTitle, np.Title, np.Text,
				strList(np.Tags), strList(np.Leaders), decPtr(np.Investment), ts(t.now), ts(t.now)); err != nil {
				return nil, err
			}
			sum.Added = append(sum.Added, id)
		}
		if err := t.writeProjectUnits(id, pv.JurisdictionCode, np); err != nil {
			return nil, err
		}
		// Targets: matched keep their IDs.
		keep := map[int]string{} // new target index → ID
		if i, ok := matchedOld[j]; ok {
			for _, tp := range m.Targets {
				if tp.New.Project == j && tp.Old.Project == i {
					if tid := oldTarget[id][tp.Old.Target]; tid != "" {
						keep[tp.New.Target] = tid
					}
				}
			}
			kept := map[string]bool{}
			for _, tid := range keep {
				kept[tid] = true
			}
			for _, tid := range oldTarget[id] {
				if !kept[tid] {
					if err := t.retire("targets", "id", tid, pv.ID); err != nil {
						return nil, err
					}
				}
			}
		}
		for k := range np.Targets {
			nt := &np.Targets[k]
			if tid, ok := keep[k]; ok {
				if _, err := t.exec(`UPDATE targets SET doc_index = ?, seq = ?, text = ?, metric = ?, comparator = ?, value = ?, unit = ?,
					base_value = ?, base_unit = ?, kind = ?, subproject = ? WHERE id = ?`,
					k, k+1, nt.Text, nt.Metric, nt.Comparator, nt.Value.String(), nt.Unit, decPtr(nt.BaseValue), nullStr(nt.BaseUnit),
					nt.Kind, nullStr(nt.Subproject), tid); err != nil {
					return nil, err
				}
				continue
			}
			if _, err := t.exec(`INSERT INTO targets (id, project_id, doc_index, seq, text, metric, comparator, value, unit, base_value, base_unit, kind, subproject)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				t.s.id("tgt"), id, k, k+1, nt.Text, nt.Metric, nt.Comparator, nt.Value.String(), nt.Unit, decPtr(nt.BaseValue),
				nullStr(nt.BaseUnit), nt.Kind, nullStr(nt.Subproject)); err != nil {
				return nil, err
			}
		}
		if err := t.writeSubprojects(id, pv.ID, np); err != nil {
			return nil, err
		}
	}
	return sum, nil
}

func (t *tx) retire(table, key, id, by string) error {
	_, err := t.exec("UPDATE "+table+" SET retired_by = ? WHERE "+key+" = ?", by, id)
	return err
}

func intPtr(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// writeProjectUnits replaces a project's unit links, creating units named
// for the first time.
func (t *tx) writeProjectUnits(projectID, code string, p *plan.Project) error {
	if _, err := t.exec("DELETE FROM project_units WHERE project_id = ?", projectID); err != nil {
		return err
	}
	for _, g := range []struct {
		role  plan.UnitRole
		names []string
	}{{plan.UnitLead, p.LeadUnits}, {plan.UnitResponsible, p.ResponsibleUnits}} {
		seen := map[string]bool{}
		for i, name := range g.names {
			u, err := t.ensureUnit(code, name)
			if err != nil {
				return err
			}
			if seen[u.ID] {
				continue
			}
			seen[u.ID] = true
			if _, err := t.exec("INSERT INTO project_units (project_id, unit_id, role, position) VALUES (?, ?, ?, ?)",
				projectID, u.ID, string(g.role), i); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeSubprojects keeps sub-projects matched by name (same ID), retires
// the others and adds new ones.
func (t *tx) writeSubprojects(projectID, planID string, p *plan.Project) error {
	rows, err := t.query("SELECT id, name FROM subprojects WHERE project_id = ? AND retired_by = ''", projectID)
	if err != nil {
		return err
	}
	byName := map[string]string{}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return err
		}
		byName[name] = id
	}
	rows.Close()
	for k := range p.Subprojects {
		sp := &p.Subprojects[k]
		args := []any{k + 1, sp.Name, nullStr(sp.Content), decPtr(sp.Investment), strList(sp.Locations), nullStr(sp.Years),
			nullStr(sp.Expected), strList(sp.Leaders), strList(sp.Units)}
		if id, ok := byName[sp.Name]; ok {
			delete(byName, sp.Name)
			if _, err := t.exec(`UPDATE subprojects SET seq = ?, name = ?, content = ?, investment_wan = ?, locations = ?, years = ?, expected = ?,
				leaders = ?, units = ? WHERE id = ?`, append(args, id)...); err != nil {
				return err
			}
			continue
		}
		if _, err := t.exec(`INSERT INTO subprojects (seq, name, content, investment_wan, locations, years, expected, leaders, units, id, project_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append(args, t.s.id("sub"), projectID)...); err != nil {
			return err
		}
	}
	for _, id := range byName {
		if err := t.retire("subprojects", "id", id, planID); err != nil {
			return err
		}
	}
	return nil
}
