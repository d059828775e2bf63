package docimport

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"minsheng/internal/plan"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the importer's output (review every diff by eye before committing)")

// documents are every plan document bundled for tests: the three real
// seeds and the further layouts written for generality.
var documents = []string{
	"seeds/xinjian-2024.txt",
	"seeds/shangrao-2024.txt",
	"seeds/zhanggong-2024.txt",
	"plans/jiangshan-2025-list.txt",
	"plans/liuyang-2024-table.txt",
	"plans/yuhu-2024-units-line.txt",
	"plans/chenggong-2024.docx",
	"plans/zhanggong-2025.txt",
}

func testdata(parts ...string) string {
	return filepath.Join(append([]string{"..", "..", "testdata"}, parts...)...)
}

func importTestdata(t testing.TB, rel string) (*plan.Plan, []byte) {
	t.Helper()
	raw, err := os.ReadFile(testdata(rel))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Import(filepath.Base(rel), raw)
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	out, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return p, append(out, '\n')
}

// TestGolden compares the JSON of every bundled document with its golden
// file, which a person has checked line by line against the document.
func TestGolden(t *testing.T) {
	for _, rel := range documents {
		t.Run(rel, func(t *testing.T) {
			_, got := importTestdata(t, rel)
			golden := testdata("golden", filepath.Base(rel)+".json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/docimport -update, then review the file)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s; diff it with:\n  go run ./cmd/minsheng import --format json testdata/%s | diff - testdata/golden/%s.json", golden, rel, filepath.Base(rel))
			}
		})
	}
}

// TestSchema validates every output against spec/plan.schema.json (copied
// into testdata: the contract other programs read).
func TestSchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	sch, err := c.Compile(testdata("plan.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, rel := range documents {
		_, out := importTestdata(t, rel)
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(doc); err != nil {
			t.Errorf("%s: %v", rel, err)
		}
	}
}
