// Package minsheng holds what the program embeds from the repository root:
// the three bundled 2024 seed plans in testdata/seeds, which `serve --demo`
// imports. The importer's tests read the same files, so there is one copy.
package minsheng

import "embed"

// Seeds holds testdata/seeds/*.txt.
//
//go:embed testdata/seeds/*.txt
var Seeds embed.FS
