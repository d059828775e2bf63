package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs the real program in-process.
func runCLI(t *testing.T, args ...string) (status int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(string) string { return "" }
	status = run(context.Background(), args, getenv, strings.NewReader(""), &out, &errb)
	return status, out.String(), errb.String()
}

func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.txt")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	seed, err := os.ReadFile("../../testdata/seeds/xinjian-2024.txt")
	if err != nil {
		t.Fatal(err)
	}
	wrongCount := filepath.Join(dir, "count.txt")
	if err := os.WriteFile(wrongCount, bytes.Replace(seed, []byte("办好 15 件"), []byte("办好 16 件"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	binary := make([]byte, 8192)
	for i := range binary {
		binary[i] = byte(i*7919 + i/3)
	}
	truncated := write("truncated.txt", seed[:600])
	random := write("random.bin", binary)
	huge := write("huge.txt", bytes.Repeat([]byte("民生实事\n"), 50<<20/13+1))
	wrongEnc := write("bom.txt", append([]byte{0xEF, 0xBB, 0xBF}, 0xC0, 0xFF, 0xFE, 0x80))
	tests := []struct {
		name       string
		args       []string
		status     int
		stdoutHas  string
		stderrHas  string
		emptyOut   bool
		jsonOutput bool
	}{
		{"json", []string{"import", "--format", "json", "../../testdata/seeds/zhanggong-2024.txt"}, 0, `"total_investment_wan": 228527`, "", false, true},
		{"text summary", []string{"import", "../../testdata/seeds/shangrao-2024.txt"}, 0, "上饶市（361100）", "", false, false},
		{"error findings exit 1", []string{"import", "--format", "json", wrongCount}, 1, "count_mismatch", "", false, true},
		{"empty file exit 2", []string{"import", "--format", "json", empty}, 2, "", "empty.txt：文件是空的", true, false},
		{"missing file exit 2", []string{"import", filepath.Join(dir, "nope.txt")}, 2, "", "nope.txt：无法读取文件", true, false},
		{"truncated exit 2", []string{"import", "--format", "json", truncated}, 2, "", "truncated.txt 第 3 行：没有找到任何编号的民生实事项目", true, false},
		{"binary exit 2", []string{"import", "--format", "json", random}, 2, "", "random.bin 第", true, false},
		{"50 MB exit 2", []string{"import", "--format", "json", huge}, 2, "", "huge.txt：文件大小", true, false},
		{"wrong encoding exit 2", []string{"import", "--format", "json", wrongEnc}, 2, "", "bom.txt：文件以 UTF-8 标记开头，但内容不是有效的 UTF-8", true, false},
		{"one bad file among good ones", []string{"import", "--format", "json", "../../testdata/seeds/shangrao-2024.txt", empty}, 2, `"title": "2024年民生实事安排方案"`, "empty.txt：文件是空的", false, true},
		{"no file", []string{"import"}, 2, "", "请给出至少一个方案文件", true, false},
		{"bad format", []string{"import", "--format", "xml", empty}, 2, "", "--format 只能是 json 或 text", true, false},
		{"unknown command", []string{"frobnicate"}, 2, "", "未知的子命令", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, stdout, stderr := runCLI(t, tt.args...)
			if status != tt.status {
				t.Errorf("exit %d, want %d; stderr: %s", status, tt.status, stderr)
			}
			if !strings.Contains(stdout, tt.stdoutHas) || !strings.Contains(stderr, tt.stderrHas) {
				t.Errorf("stdout %q…, stderr %q; want %q / %q", clip(stdout), stderr, tt.stdoutHas, tt.stderrHas)
			}
			if tt.emptyOut && stdout != "" {
				t.Errorf("printed output for unusable input: %q", clip(stdout))
			}
			if tt.jsonOutput && !json.Valid([]byte(stdout)) {
				t.Errorf("stdout is not one JSON document")
			}
		})
	}
}

func clip(s string) string {
	if len(s) > 200 {
		return s[:200]
	}
	return s
}
