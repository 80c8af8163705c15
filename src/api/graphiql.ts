// GraphiQL, offline: the graphiql package's prebuilt browser bundle (with React's UMD builds) served from
// node_modules, so the IDE needs no build step and loads nothing from the internet.
import fs from 'node:fs';
import path from 'node:path';
import express, { type Request, type Response } from 'express';
import { Kind, parse, print, type OperationDefinitionNode } from 'graphql';

const PAGE_FILE = path.join(__dirname, 'graphiql', 'index.html');
const START_FILE = path.join(__dirname, 'graphiql', 'start.js');
const OPERATIONS_FILE = path.join(__dirname, 'client', 'operations.graphql');

/** The saved example operations GraphiQL opens as tabs, with their variables. */
export const GRAPHIQL_EXAMPLES: ReadonlyArray<{ name: string; variables: Record<string, unknown> }> = [
  { name: 'SimilarUsers', variables: { handle: '110', model: 'INTERESTS', limit: 5, reasons: 3 } },
  { name: 'Models', variables: {} },
];

const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));

/** The files the page loads, by the name it asks for under /graphiql/. */
function assets(): Record<string, string> {
  const graphiql = packageDir('graphiql');
  return {
    'graphiql.min.js': path.join(graphiql, 'graphiql.min.js'),
    'graphiql.min.css': path.join(graphiql, 'graphiql.min.css'),
    'react.production.min.js': path.join(packageDir('react'), 'umd', 'react.production.min.js'),
    'react-dom.production.min.js': path.join(packageDir('react-dom'), 'umd', 'react-dom.production.min.js'),
    'start.js': START_FILE,
  };
}

/** The example tabs: each named operation of the typed client's operations file, printed alone. */
export function exampleTabs(operationsFile = OPERATIONS_FILE): { query: string; variables: string }[] {
  const doc = parse(fs.readFileSync(operationsFile, 'utf8'));
  return GRAPHIQL_EXAMPLES.map(({ name, variables }) => {
    const op = doc.definitions.find(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && d.name?.value === name,
    );
    if (op === undefined) throw new Error(`expected operation ${name} in ${operationsFile}, found none`);
    return { query: print(op), variables: JSON.stringify(variables, null, 2) };
  });
}

/** The GraphiQL page with the example tabs inlined (as JSON that cannot close its script element). */
export function graphiqlPage(): string {
  const tabs = JSON.stringify(exampleTabs()).replace(/</g, '\\u003c');
  return fs.readFileSync(PAGE_FILE, 'utf8').replace('__TABS__', () => tabs);
}

/**
 * GET /graphql for a browser (Accept preferring text/html) answers the IDE, its assets live under /graphiql/, and
 * /playground (the former hand-made page) redirects to /graphql. Files are read once, at startup.
 */
export function graphiqlRouter(): express.Router {
  const page = graphiqlPage();
  const files = assets();
  for (const file of Object.values(files)) {
    if (!fs.existsSync(file)) throw new Error(`expected GraphiQL asset ${file}, found nothing: run npm ci`);
  }
  const router = express.Router();
  router.get('/graphiql/:file', (req: Request<{ file: string }>, res: Response, next) => {
    const file = Object.hasOwn(files, req.params.file) ? files[req.params.file] : undefined;
    if (file === undefined) {
      next();
      return;
    }
    res.sendFile(file, { maxAge: '1h' });
  });
  router.get('/playground', (_req, res) => {
    res.redirect(302, '/graphql');
  });
  router.get('/graphql', (req, res, next) => {
    // API clients (Accept: application/json, */*) go on to Apollo.
    if (req.accepts(['application/json', 'text/html']) === 'text/html') res.type('html').send(page);
    else next();
  });
  return router;
}
