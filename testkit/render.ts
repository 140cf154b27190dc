// Renders a step summary (GitHub-flavoured Markdown with some HTML) as plain terminal text: tables
// (pipe or <table>) with aligned columns, tags stripped, entities decoded, headings underlined.

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+\d*);/gi, (whole, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#') && name !== '#39') return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** Inline Markdown and tags to plain text: **bold**, `code`, [text](url), <br>, <b>, ... */
export function plainInline(text: string): string {
  return decodeEntities(
    text
      .replace(/<br\s*\/?>/gi, ' ')
      .replace(/<[^>]+>/g, '')
      .replace(/\*\*([^*]+)\*\*/g, '$1')
      .replace(/`([^`]+)`/g, '$1')
      .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '$1 ($2)')
      .replace(/\\([|\\`*_<>[\]])/g, '$1'),
  ).trim();
}

export function alignTable(rows: string[][], indent = '  '): string {
  if (!rows.length) return '';
  const columns = Math.max(...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => indent + widths.map((w, c) => (r[c] ?? '').padEnd(w)).join('  ').trimEnd();
  const [head, ...body] = rows;
  // key/value tables have an empty header row: show just the rows
  if (head!.every((c) => !c)) return body.map(line).join('\n');
  return [line(head!), indent + widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** Splits a pipe-table line into cells, honouring `\|` escapes. */
function pipeCells(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  const cells: string[] = [];
  let cell = '';
  for (let i = 0; i < inner.length; i++) {
    if (inner[i] === '\\' && inner[i + 1] === '|') {
      cell += '|';
      i++;
    } else if (inner[i] === '|') {
      cells.push(cell);
      cell = '';
    } else cell += inner[i];
  }
  cells.push(cell);
  return cells.map(plainInline);
}

function htmlTable(html: string): string[][] {
  const rows: string[][] = [];
  for (const tr of html.match(/<tr[\s\S]*?<\/tr>/gi) ?? []) {
    rows.push((tr.match(/<t[hd][^>]*>[\s\S]*?<\/t[hd]>/gi) ?? []).map((c) => plainInline(c.replace(/<\/?t[hd][^>]*>/gi, '').replace(/\n/g, ' '))));
  }
  return rows;
}

export function renderSummary(markdown: string): string {
  const out: string[] = [];
  // HTML tables first: each becomes a placeholder line, rendered in place below.
  const tables: string[][][] = [];
  const text = markdown.replace(/<table[\s\S]*?<\/table>/gi, (t) => `\n\u0000TABLE${tables.push(htmlTable(t)) - 1}\n`);
  const lines = text.split('\n');
  let inCode = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*```/.test(line)) {
      inCode = !inCode;
      continue;
    }
    if (inCode) {
      out.push(`    ${line}`);
      continue;
    }
    const placeholder = /^\u0000TABLE(\d+)$/.exec(line);
    if (placeholder) {
      out.push(alignTable(tables[Number(placeholder[1])]!));
      continue;
    }
    if (/^\s*\|/.test(line)) {
      const block: string[][] = [];
      for (; i < lines.length && /^\s*\|/.test(lines[i]!); i++) {
        if (/^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/.test(lines[i]!)) continue; // the |---|---| line
        block.push(pipeCells(lines[i]!));
      }
      i--;
      out.push(alignTable(block));
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const title = plainInline(heading[2]!);
      out.push(title, (heading[1]!.length <= 2 ? '=' : '-').repeat(title.length));
      continue;
    }
    if (/^<\/?(details|summary|p|div)\b/i.test(line.trim()) && !plainInline(line)) continue;
    const bullet = /^(\s*)[-*]\s+(.*)$/.exec(line);
    out.push(bullet ? `${bullet[1]}  • ${plainInline(bullet[2]!)}` : plainInline(line) ? `${/^\s*/.exec(line)![0]}${plainInline(line)}` : '');
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').replace(/^\n+|\s+$/g, '');
}
