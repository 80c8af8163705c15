// The saved Neo4j Browser queries (cypher/explore/) and the style file: each query documents and uses its parameters
// and answers on a small graph; then the real Neo4j Browser, served by the test server, runs one of them in headless
// Chromium with the style loaded and draws the neighbourhood.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../src/config';
import { CYPHER_DIR, stripComments } from '../../src/graph/cypher';
import type { Graph } from '../../src/graph/executor';
import { interestEdges, launchChromium, writeNeighbourhoodFixture } from '../helpers/browser';
import { resetGraph, testGraph } from '../helpers/neo4j';

const EXPLORE = path.join(CYPHER_DIR, 'explore');
const STYLE = path.join(EXPLORE, 'style.grass');
const UI_TIMEOUT = 30_000;
const ARTIFACTS = path.join(PROJECT_ROOT, 'test', 'artifacts', 'e2e');

interface SavedQuery {
  file: string;
  lines: string[];
  /** The `:param name => expression` commands of the header, in order. */
  params: { name: string; command: string; expression: string }[];
  statement: string;
}

function savedQueries(): SavedQuery[] {
  return fs
    .readdirSync(EXPLORE)
    .filter((f) => f.endsWith('.cypher'))
    .sort()
    .map((file) => {
      const text = fs.readFileSync(path.join(EXPLORE, file), 'utf8');
      const lines = text.split('\n');
      const params = lines.flatMap((line) => {
        const m = /^\/\/\s*(:param\s+([A-Za-z_]\w*)\s*=>\s*(.+))$/.exec(line.trim());
        return m === null ? [] : [{ command: m[1]!, name: m[2]!, expression: m[3]!.trim() }];
      });
      return { file, lines, params, statement: stripComments(text) };
    });
}

let graph: Graph;

beforeAll(async () => {
  graph = testGraph();
  await resetGraph(graph);
  await writeNeighbourhoodFixture(graph);
});

afterAll(async () => {
  await graph.close();
});

describe('saved queries', () => {
  const queries = savedQueries();

  test('there are at least five, and a style file', () => {
    expect(queries.length).toBeGreaterThanOrEqual(5);
    expect(fs.existsSync(STYLE)).toBe(true);
  });

  test.each(queries.map((q) => [q.file, q] as const))(
    '%s says what it shows, declares its parameters and answers on the fixture graph',
    async (_file, q) => {
      expect(q.lines[0]).toMatch(/^\/\/ \S.{10,}/);
      const used = [...new Set([...q.statement.matchAll(/\$([A-Za-z_]\w*)/g)].map((m) => m[1]!))].sort();
      expect(q.params.map((p) => p.name).sort()).toEqual(used);
      // Browser evaluates `:param x => expr` as Cypher; so does this test.
      const values: Record<string, unknown> = {};
      for (const p of q.params) {
        const [row] = await graph.read<{ v: unknown }>(`RETURN ${p.expression} AS v`);
        values[p.name] = row?.v;
      }
      const rows = await graph.read(q.statement, values);
      expect(rows.length).toBeGreaterThan(0);
    },
  );

  test('the neighbourhood query shows only the active version', async () => {
    const q = queries.find((x) => x.file === 'neighbourhood.cypher')!;
    const rows = await graph.read<{ neighbour: number }>(q.statement, { handle: 110, model: 'interests', shared: 3 });
    const expected = interestEdges().filter((e) => e.from === 110);
    expect(rows.map((r) => r.neighbour)).toEqual(expected.map((e) => e.to));
  });
});

describe('Neo4j Browser', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** Types a one-line command into Browser's editor and runs it; resolves when its result frame has appeared. */
  async function run(command: string): Promise<void> {
    const frames = await page.locator('[data-testid=frame]').count();
    await page.locator('[data-testid=activeEditor]').click();
    await page.keyboard.insertText(command);
    await page.keyboard.press('Control+Enter');
    await page.locator('[data-testid=frame]').nth(frames).waitFor({ timeout: UI_TIMEOUT });
  }

  test('connects, loads the style, runs the saved neighbourhood query and draws it', async () => {
    const uri = new URL(process.env.TEST_NEO4J_URI ?? '');
    const httpPort = process.env.TEST_NEO4J_HTTP_PORT;
    const password = process.env.TEST_NEO4J_PASSWORD;
    if (httpPort === undefined || password === undefined) {
      throw new Error('TEST_NEO4J_HTTP_PORT and TEST_NEO4J_PASSWORD are set by the integration global setup');
    }
    const res = await page.goto(
      `http://127.0.0.1:${httpPort}/browser/?dbms=bolt://neo4j@${uri.host}&preselectAuthMethod=NATIVE`,
    );
    expect(res?.status()).toBe(200);
    await page.locator('input[data-testid=password]').fill(password, { timeout: UI_TIMEOUT });
    await page.locator('button[data-testid=connect]').click();
    await page.getByText('You are connected as user').waitFor({ timeout: UI_TIMEOUT });

    // The README's way to load the style: drop the file onto Browser, which applies it and shows it in a :style frame.
    const frames = await page.locator('[data-testid=frame]').count();
    const file = await page.evaluateHandle(
      `(() => { const d = new DataTransfer(); d.items.add(new File([${JSON.stringify(fs.readFileSync(STYLE, 'utf8'))}], 'style.grass')); return d; })()`,
    );
    for (const type of ['dragenter', 'dragover', 'drop']) {
      await page.dispatchEvent('[data-testid=main]', type, { dataTransfer: file });
    }
    await page.locator('[data-testid=frame]').nth(frames).waitFor({ timeout: UI_TIMEOUT });
    await expect(page.locator('[data-testid=frameCommand]').first().textContent()).resolves.toContain(':style');
    // Without "connect result nodes", Browser draws only what the query returns (as the README advises).
    await run(':config autoComplete: false');
    const q = savedQueries().find((x) => x.file === 'neighbourhood.cypher')!;
    for (const p of q.params) await run(p.command);
    await run(q.statement);

    const expected = [
      '110',
      ...interestEdges()
        .filter((e) => e.from === 110)
        .map((e) => String(e.to)),
    ];
    const users = page.locator('svg g.node', { has: page.locator('circle.b-outline[fill="#4338CA"]') });
    try {
      await users.nth(expected.length - 1).waitFor({ timeout: UI_TIMEOUT });
    } catch (err) {
      await page.screenshot({ path: path.join(ARTIFACTS, 'browser-failure.png') });
      throw err;
    }
    expect(await users.count()).toBe(expected.length);
    await page.getByText(`SIMILAR_TO (${expected.length - 1})`).waitFor({ timeout: UI_TIMEOUT });
    // The style captions users by handle (GraSS `caption: "{handle}"`).
    const captions = (await users.locator('text.caption').allTextContents()).map((t) => t.trim()).sort();
    expect(captions).toEqual(expected.sort());
    // Tags are drawn in their own colour, SIMILAR_TO edges captioned with their score.
    await expect(page.locator('svg g.node circle.b-outline[fill="#0D8078"]').count()).resolves.toBeGreaterThan(0);
    const edgeCaptions = await page.locator('svg g.relationship text').allTextContents();
    expect(edgeCaptions.map((t) => t.trim())).toContain('0.75');
    await page.screenshot({ path: path.join(ARTIFACTS, 'browser.png') });
  });
});
