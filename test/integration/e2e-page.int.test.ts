// The neighbourhood page end to end: built with Vite, served by the real API server over the test Neo4j, driven in
// headless Chromium (Debian's package through playwright-core).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createApp, type ApiServer } from '../../src/api/server';
import { PROJECT_ROOT } from '../../src/config';
import { connectApiGraph } from '../../src/graph/api-connect';
import { openApiGraph } from '../../src/graph/connect';
import { freePort } from '../../src/localdb/server';
import type { Graph } from '../../src/graph/executor';
import {
  cosineEdges,
  FIXTURE_USERS,
  interestEdges,
  launchChromium,
  STALE_EDGE,
  writeNeighbourhoodFixture,
  type FixtureEdge,
} from '../helpers/browser';
import { resetGraph, testConfig, testGraph } from '../helpers/neo4j';

const SCREENSHOT = path.join(PROJECT_ROOT, 'test', 'artifacts', 'e2e', 'neighbourhood.png');
const UI_TIMEOUT = 15_000;

let admin: Graph;
let server: ApiServer;
let base: string;
let webDir: string;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

function neighboursOf(edges: readonly FixtureEdge[], handle: number): FixtureEdge[] {
  return edges.filter((e) => e.from === handle).sort((a, b) => a.rank - b.rank);
}

async function show(handle: string, model?: string): Promise<void> {
  if (model !== undefined) await page.selectOption('#model', model);
  await page.fill('#handle', handle);
  await page.click('#search button[type=submit]');
}

async function centre(): Promise<string | null> {
  return page.locator('#graph .user.centre').getAttribute('data-handle', { timeout: UI_TIMEOUT });
}

/** Waits until the graph is centred on `handle` and nothing is loading. */
async function waitForCentre(handle: string): Promise<void> {
  await page.locator(`#graph .user.centre[data-handle="${handle}"]`).waitFor({ timeout: UI_TIMEOUT });
  await page.locator('body:not([aria-busy])').waitFor({ timeout: UI_TIMEOUT });
}

/** One attribute of every element matching `selector`, in document order. */
async function attrs(selector: string, name: string): Promise<string[]> {
  const out: string[] = [];
  for (const element of await page.locator(selector).all()) out.push((await element.getAttribute(name)) ?? '');
  return out;
}

async function shownNeighbours(): Promise<{ graph: string[]; table: string[] }> {
  return { graph: await attrs('#graph .user.neighbour', 'data-handle'), table: await attrs('#rows tr', 'data-handle') };
}

beforeAll(async () => {
  // The page is built exactly as `npm run build:web` builds it, into a folder of this run's own.
  webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'similar-users-web-'));
  execFileSync(
    process.execPath,
    [
      path.join(PROJECT_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      'web',
      '--outDir',
      webDir,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  admin = testGraph();
  await resetGraph(admin);
  await writeNeighbourhoodFixture(admin);
  const config = testConfig();
  const graph = openApiGraph(config);
  server = await createApp(config, graph, { webDir, log: { info: () => undefined, warn: () => undefined } });
  base = await server.start(0, '127.0.0.1');
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1360, height: 880 } });
  page.on('pageerror', (err) => pageErrors.push(err.message));
});

afterEach(() => {
  expect(pageErrors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await admin?.close();
  if (webDir !== undefined) fs.rmSync(webDir, { recursive: true, force: true });
});

test('the server serves the built page at / and the page offers the trained models', async () => {
  const res = await page.goto(`${base}/`);
  expect(res?.status()).toBe(200);
  await expect(page.title()).resolves.toBe('Similar users');
  await page.locator('#model option[value=INTERESTS]').waitFor({ state: 'attached', timeout: UI_TIMEOUT });
  const options: { value: string | null; text: string | null; disabled: boolean }[] = [];
  for (const option of await page.locator('#model option').all()) {
    options.push({
      value: await option.getAttribute('value'),
      text: await option.textContent(),
      disabled: await option.isDisabled(),
    });
  }
  expect(options.map((o) => o.value)).toEqual(['COSINE', 'INTERESTS', 'COURSE_VIEWS', 'ASSESSMENTS', 'ALS']);
  const option = (value: string) => options.find((o) => o.value === value);
  expect(option('INTERESTS')?.disabled).toBe(false);
  expect(option('INTERESTS')?.text).toContain('(v2)');
  expect(option('ASSESSMENTS')?.disabled).toBe(true);
  expect(option('ASSESSMENTS')?.text).toContain('not trained');
  // A first visit suggests handles to try, from the graph itself.
  await page.locator('#examples button').first().waitFor({ timeout: UI_TIMEOUT });
  const firstHandles = FIXTURE_USERS.map((u) => u.handle)
    .sort((a, b) => a - b)
    .slice(0, 6)
    .map(String);
  await expect(attrs('#examples button', 'data-handle')).resolves.toEqual(firstHandles);
  await expect(page.locator('#examples').textContent()).resolves.toContain(`${FIXTURE_USERS.length} users`);
});

test('entering a handle draws the user and their neighbours, in the graph and the table', async () => {
  await show('110', 'INTERESTS');
  await waitForCentre('110');
  const expected = neighboursOf(interestEdges(), 110);
  expect(expected.length).toBeGreaterThan(2);
  const shown = await shownNeighbours();
  expect(shown.table).toEqual(expected.map((e) => String(e.to)));
  expect([...shown.graph].sort()).toEqual(expected.map((e) => String(e.to)).sort());
  // Only the active version: the superseded version's edge never shows.
  expect(shown.graph).not.toContain(String(STALE_EDGE.to));
  expect(page.url()).toContain('handle=110');

  const first = expected[0]!;
  const row = page.locator(`#rows tr[data-handle="${first.to}"]`);
  await expect(row.locator('td.score .value').textContent()).resolves.toBe(first.score.toFixed(3));
  const mine = new Set(FIXTURE_USERS.find((u) => u.handle === 110)!.interests);
  const shared = FIXTURE_USERS.find((u) => u.handle === first.to)!.interests.filter((t) => mine.has(t));
  const chips = await row.locator('td .chips .chip').allTextContents();
  expect([...chips].sort()).toEqual([...shared].sort());
  const reasons = await row.locator('.reasons .item').allTextContents();
  expect(reasons.length).toBeGreaterThan(0);
  for (const item of reasons) expect(shared).toContain(item);

  // Edge width follows the score: the best neighbour's edge is at least as wide as the weakest one's.
  const width = async (h: number) =>
    Number(await page.locator(`#graph line.edge[data-handle="${h}"]`).getAttribute('stroke-width'));
  const last = expected[expected.length - 1]!;
  expect(await width(first.to)).toBeGreaterThanOrEqual(await width(last.to));
  if (first.score > last.score) expect(await width(first.to)).toBeGreaterThan(await width(last.to));
});

test('hovering a neighbour shows the interests both follow', async () => {
  const first = neighboursOf(interestEdges(), 110)[0]!;
  await page.hover(`#graph .user.neighbour[data-handle="${first.to}"]`);
  const tooltip = page.locator('#tooltip');
  await tooltip.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  await expect(tooltip.textContent()).resolves.toContain(`User ${first.to}`);
  await expect(tooltip.textContent()).resolves.toContain('python');
  await expect(page.locator(`#rows tr[data-handle="${first.to}"]`).getAttribute('class')).resolves.toContain('hot');
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
});

test('clicking a neighbour recentres on them, and Back returns', async () => {
  const target = neighboursOf(interestEdges(), 110)[0]!.to;
  await page.click(`#graph .user.neighbour[data-handle="${target}"]`);
  await waitForCentre(String(target));
  await expect(page.locator('#title').textContent()).resolves.toBe(`User ${target}`);
  const shown = await shownNeighbours();
  expect(shown.table).toEqual(neighboursOf(interestEdges(), target).map((e) => String(e.to)));
  expect(shown.graph).toContain('110');
  expect(page.url()).toContain(`handle=${target}`);

  await page.goBack();
  await waitForCentre('110');
  await expect(centre()).resolves.toBe('110');
});

test('a row of the table recentres too, and the model picker switches models', async () => {
  await show('110', 'COSINE');
  await waitForCentre('110');
  const cosine = neighboursOf(cosineEdges(), 110);
  expect((await shownNeighbours()).table).toEqual(cosine.map((e) => String(e.to)));
  const other = cosine[cosine.length - 1]!.to;
  await page.click(`#rows button[data-handle="${other}"]`);
  await waitForCentre(String(other));
  expect((await shownNeighbours()).table).toEqual(neighboursOf(cosineEdges(), other).map((e) => String(e.to)));
  expect(page.url()).toContain('model=cosine');
});

test('a user without neighbours is drawn alone with a message', async () => {
  await show('999', 'INTERESTS');
  await waitForCentre('999');
  expect((await shownNeighbours()).graph).toEqual([]);
  await expect(page.locator('#message').textContent()).resolves.toContain('User 999 has no neighbours');
});

test('an unknown handle and a malformed one give a clear message and no graph', async () => {
  await show('424242', 'INTERESTS');
  const message = page.locator('#message.error');
  await message.waitFor({ timeout: UI_TIMEOUT });
  await expect(message.textContent()).resolves.toContain('No user with handle 424242');
  await expect(page.locator('#result').isHidden()).resolves.toBe(true);
  await expect(page.locator('#graph .user').count()).resolves.toBe(0);

  await show('12ab');
  await page.locator('#message.error', { hasText: '12ab' }).waitFor({ timeout: UI_TIMEOUT });
  await expect(message.textContent()).resolves.toContain('whole number');
});

test('a server whose database is down says so on the page', async () => {
  // A real server and driver, pointed at a port where no Neo4j listens.
  const config = testConfig({ NEO4J_URI: `bolt://127.0.0.1:${await freePort()}` });
  const orphan = await createApp(config, connectApiGraph(config.neo4j, 'unused-password'), {
    webDir,
    log: { info: () => undefined, warn: () => undefined },
  });
  try {
    const url = await orphan.start(0, '127.0.0.1');
    await page.goto(`${url}/?handle=110&model=interests`);
    const message = page.locator('#message.error');
    await message.waitFor({ timeout: UI_TIMEOUT });
    await expect(message.textContent()).resolves.toContain('The API server is up but its database is not');
    // The model picker still offers every model when the server cannot list them.
    await expect(page.locator('#model option').count()).resolves.toBe(5);
  } finally {
    await orphan.stop();
  }
});

test('a stopped server gives a clear message on the page', async () => {
  await page.goto(`${base}/`);
  await show('110', 'INTERESTS');
  await waitForCentre('110');
  await server.stop();
  await show('120');
  const message = page.locator('#message.error');
  await message.waitFor({ timeout: UI_TIMEOUT });
  await expect(message.textContent()).resolves.toContain('The API server is not answering');
  await expect(page.locator('#result').isHidden()).resolves.toBe(true);
});
