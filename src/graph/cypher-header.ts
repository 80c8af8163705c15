// The header of a .cypher file: what a statement takes and returns, read by the registry generator
// (scripts/cypher-codegen.ts) and checked again when the statements load. The format is described in cypher/README.md.

/** A declared type: a scalar, a list, a map with named fields; any of them nullable. */
export type CypherType =
  | { kind: 'STRING' | 'INTEGER' | 'FLOAT' | 'BOOLEAN' | 'ANY'; nullable: boolean }
  | { kind: 'LIST'; of: CypherType; nullable: boolean }
  | { kind: 'MAP'; fields: { name: string; type: CypherType }[]; nullable: boolean };

export interface Declared {
  name: string;
  type: CypherType;
}

export interface CypherHeader {
  /** The prose lines, without their `//`. */
  description: string;
  params: Declared[];
  columns: Declared[];
}

/** A header that does not follow the format; the message names the file and line. */
export class CypherHeaderError extends Error {
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'CypherHeaderError';
  }
}

const SCALARS = ['STRING', 'INTEGER', 'FLOAT', 'BOOLEAN', 'ANY'] as const;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Reads one type from the start of `text`; returns it and what follows it. */
function parseType(text: string, fail: (msg: string) => never): { type: CypherType; rest: string } {
  let s = text.trimStart();
  let type: CypherType;
  if (s.startsWith('LIST<')) {
    const inner = parseType(s.slice(5), fail);
    s = inner.rest.trimStart();
    if (!s.startsWith('>')) fail(`expected '>' closing LIST<...>, but got: ${s === '' ? 'the end of the line' : s}`);
    s = s.slice(1);
    type = { kind: 'LIST', of: inner.type, nullable: false };
  } else if (s.startsWith('{')) {
    s = s.slice(1);
    const fields: { name: string; type: CypherType }[] = [];
    for (;;) {
      s = s.trimStart();
      const name =
        IDENT.exec(s)?.[0] ?? fail(`expected a field name in {...}, but got: ${s === '' ? 'the end of the line' : s}`);
      if (fields.some((f) => f.name === name)) fail(`field '${name}' appears twice in {...}`);
      s = s.slice(name.length).trimStart();
      if (!s.startsWith(':'))
        fail(`expected ':' after field '${name}', but got: ${s === '' ? 'the end of the line' : s}`);
      const field = parseType(s.slice(1), fail);
      fields.push({ name, type: field.type });
      s = field.rest.trimStart();
      if (s.startsWith(',')) {
        s = s.slice(1);
        continue;
      }
      if (s.startsWith('}')) {
        s = s.slice(1);
        break;
      }
      fail(`expected ',' or '}' after field '${name}', but got: ${s === '' ? 'the end of the line' : s}`);
    }
    type = { kind: 'MAP', fields, nullable: false };
  } else {
    const word = /^[A-Za-z]+/.exec(s)?.[0] ?? '';
    const scalar = SCALARS.find((k) => k === word);
    if (scalar === undefined) {
      fail(`expected a type (${SCALARS.join(', ')}, LIST<T> or {field: T, ...}), but got: ${s === '' ? 'nothing' : s}`);
    }
    s = s.slice(word.length);
    type = { kind: scalar, nullable: false };
  }
  if (s.startsWith('?')) {
    s = s.slice(1);
    type = { ...type, nullable: true };
  }
  return { type, rest: s };
}

/** The `$name`s a statement uses (parameters), in first-use order; string literals are skipped. */
export function usedParameters(statement: string): string[] {
  const seen = new Set<string>();
  const withoutStrings = statement.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, "''");
  for (const m of withoutStrings.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)) seen.add(m[1] ?? '');
  return [...seen];
}

/** Splits a file into its header (the leading `//` lines) and its statement. */
export function splitCypherFile(text: string): { header: string[]; statement: string } {
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length && (lines[i] ?? '').trimStart().startsWith('//')) i++;
  const rest = lines.slice(i).filter((l) => !l.trimStart().startsWith('//'));
  return { header: lines.slice(0, i), statement: rest.join('\n').trim() };
}

/**
 * Parses and checks a .cypher file's header against its statement: prose first, then `@param` and `@column` lines;
 * every `$parameter` the statement uses is declared and every declared one is used. Throws CypherHeaderError.
 */
export function parseCypherHeader(file: string, text: string): CypherHeader {
  const { header, statement } = splitCypherFile(text);
  if (statement === '') throw new CypherHeaderError(file, 1, 'expected a statement after the header, but got none');
  const prose: string[] = [];
  const params: Declared[] = [];
  const columns: Declared[] = [];
  header.forEach((raw, index) => {
    const line = index + 1;
    const fail = (msg: string): never => {
      throw new CypherHeaderError(file, line, msg);
    };
    const body = raw.trimStart().slice(2).trim();
    if (!body.startsWith('@')) {
      if (params.length > 0 || columns.length > 0)
        fail(`expected @param or @column lines after the first one, but got prose: ${body}`);
      if (/\b(Params|Columns)\s*:/.test(body)) {
        fail(
          `parameters and columns are declared with '// @param name TYPE' and '// @column name TYPE' lines, not in prose: ${body}`,
        );
      }
      if (/^\$[A-Za-z_]\w*\s*:/.test(body)) fail(`declare the parameter as '// @param name TYPE', not: ${body}`);
      prose.push(body);
      return;
    }
    const tag = /^@(\w+)/.exec(body)?.[1] ?? '';
    if (tag !== 'param' && tag !== 'column') fail(`expected @param or @column, but got @${tag}`);
    let rest = body.slice(tag.length + 1).trimStart();
    if (tag === 'param' && rest.startsWith('$')) rest = rest.slice(1);
    const name =
      IDENT.exec(rest)?.[0] ?? fail(`expected a name after @${tag}, but got: ${rest === '' ? 'nothing' : rest}`);
    const list = tag === 'param' ? params : columns;
    if (list.some((d) => d.name === name)) fail(`@${tag} ${name} is declared twice`);
    const parsed = parseType(rest.slice(name.length), fail);
    // After the type, free text may explain the value; it must be set apart so a typo in the type is not taken for it.
    if (parsed.rest !== '' && !/^\s/.test(parsed.rest))
      fail(`expected a space after the type of ${name}, but got: ${parsed.rest}`);
    list.push({ name, type: parsed.type });
  });
  if (prose.length === 0)
    throw new CypherHeaderError(file, 1, "expected a header: '//' lines saying what the statement does");
  const used = usedParameters(statement);
  const undeclared = used.filter((p) => !params.some((d) => d.name === p));
  if (undeclared.length > 0) {
    throw new CypherHeaderError(
      file,
      header.length,
      `the statement uses ${undeclared.map((p) => `$${p}`).join(', ')} but the header declares no @param for it`,
    );
  }
  const unused = params.filter((d) => !used.includes(d.name));
  if (unused.length > 0) {
    throw new CypherHeaderError(
      file,
      header.length,
      `@param ${unused.map((d) => d.name).join(', ')} declared but the statement never uses it`,
    );
  }
  return { description: prose.join(' '), params, columns };
}

/** The type in the header's own notation (canonical spacing): what the registry records for each statement. */
export function formatType(t: CypherType): string {
  const base =
    t.kind === 'LIST'
      ? `LIST<${formatType(t.of)}>`
      : t.kind === 'MAP'
        ? `{${t.fields.map((f) => `${f.name}: ${formatType(f.type)}`).join(', ')}}`
        : t.kind;
  return t.nullable ? `${base}?` : base;
}

/** One line per declaration: compared at load time with the registry, so a header edited without codegen fails. */
export function signature(h: CypherHeader): string {
  const part = (tag: string, ds: Declared[]) => ds.map((d) => `${tag} ${d.name} ${formatType(d.type)}`);
  return [...part('@param', h.params), ...part('@column', h.columns)].join('; ');
}
