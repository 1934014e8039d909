// For tests: an RFC 4180 reader, to parse invoices back.
export const parseCsv = (text: string): Array<Array<string>> => {
  const rows: Array<Array<string>> = []
  let row: Array<string> = []
  let field = ""
  let i = 0
  let quoted = false
  while (i < text.length) {
    const ch = text[i]!
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue }
      if (ch === '"') { quoted = false; i++; continue }
      field += ch
      i++
      continue
    }
    if (ch === '"' && field === "") { quoted = true; i++; continue }
    if (ch === ",") { row.push(field); field = ""; i++; continue }
    if (ch === "\r" && text[i + 1] === "\n") { row.push(field); rows.push(row); row = []; field = ""; i += 2; continue }
    field += ch
    i++
  }
  if (field !== "" || row.length > 0) { row.push(field); rows.push(row) }
  return rows
}
