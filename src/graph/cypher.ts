// The statements of cypher/, every one loaded when this module loads: each lives in its own file, named for its intent,
// and is typed by the registry generated from its header (src/generated/cypher.ts; `npm run codegen`).
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../config';
import { AppError } from '../errors';
import { CYPHER_REGISTRY, type CypherName, type CypherStatements } from '../generated/cypher';
import { parseCypherHeader, signature } from './cypher-header';

export type { CypherName } from '../generated/cypher';

export const CYPHER_DIR = path.join(PROJECT_ROOT, 'cypher');

/** What running a statement needs: its text (and a name for messages). */
export interface StatementText {
  /** The registry's name ('ad hoc' for Cypher written in place, which tests and probes use). */
  readonly name: string;
  readonly text: string;
}

/**
 * A statement typed by its parameters P and its row R (the types exist only for the compiler). P is invariant, so a
 * statement that takes parameters never passes for one that takes none.
 */
export interface Statement<P extends object, R extends object> extends StatementText {
  readonly types?: { params: P; row: R; takes: (params: P) => void };
}

/** The parameters of a statement that takes none. */
export type NoParams = Record<never, never>;

export type ParamsOf<N extends CypherName> = CypherStatements[N]['params'];
export type RowOf<N extends CypherName> = CypherStatements[N]['row'];
export type StatementOf<N extends CypherName> = Statement<ParamsOf<N>, RowOf<N>>;

/** Strips `//` comment lines (the header) so what remains is the statement itself. */
export function stripComments(text: string): string {
  return text
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('//'))
    .join('\n')
    .trim();
}

/** Every statement of the registry, by name, in name order. */
export const CYPHER_NAMES = (Object.keys(CYPHER_REGISTRY) as CypherName[]).sort();

/**
 * Reads every statement of the registry and checks that its header still declares what the registry was generated
 * from; a missing file or a header edited without `npm run codegen` fails here, when the process starts.
 */
function loadAll(): ReadonlyMap<CypherName, StatementText> {
  const loaded = new Map<CypherName, StatementText>();
  const problems: string[] = [];
  for (const name of CYPHER_NAMES) {
    const file = path.join(CYPHER_DIR, `${name}.cypher`);
    if (!fs.existsSync(file)) {
      problems.push(`cypher/${name}.cypher is missing`);
      continue;
    }
    const text = fs.readFileSync(file, 'utf8');
    try {
      const declared = signature(parseCypherHeader(`cypher/${name}.cypher`, text));
      if (declared !== CYPHER_REGISTRY[name].signature) {
        problems.push(
          `cypher/${name}.cypher declares "${declared}" but the registry has "${CYPHER_REGISTRY[name].signature}"`,
        );
        continue;
      }
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
      continue;
    }
    loaded.set(name, { name, text: stripComments(text) });
  }
  if (problems.length > 0) {
    throw new AppError(
      'INTERNAL',
      `The Cypher statements do not match src/generated/cypher.ts (run npm run codegen): ${problems.join('; ')}`,
    );
  }
  return loaded;
}

const STATEMENTS = loadAll();

/** A statement by its path under cypher/ without the extension, e.g. `ingest/merge-views`. */
export function cypher<N extends CypherName>(name: N): StatementOf<N> {
  const statement = STATEMENTS.get(name);
  if (statement === undefined) throw new AppError('INTERNAL', `No Cypher statement named ${String(name)}`);
  return statement;
}

/** The statements under a folder of cypher/ (e.g. `schema`), in name order. */
export function statementsUnder(folder: string): CypherName[] {
  return CYPHER_NAMES.filter((n) => n.startsWith(`${folder}/`));
}
