// The page's new-user preview end to end: built with Vite, served by the real API server over the test Neo4j (the
// fixture users with a real interests version, weighting included), driven in headless Chromium. A visitor types a
// few interests and sees live neighbours at once; nothing is written to the graph.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createApp, type ApiServer } from '../../src/api/server';
import { PROJECT_ROOT } from '../../src/config';
import { openApiGraph } from '../../src/graph/connect';
import type { Graph } from '../../src/graph/executor';
import { SimilarityRepository } from '../../src/graph/similarity-repository';
import { defaultParams } from '../../src/jobs/models';
import { runSimilarityJob } from '../../src/jobs/similarity-job';
import { FIXTURE_USERS, launchChromium, writeNeighbourhoodFixture } from '../helpers/browser';
import { resetGraph, testConfig, testGraph } from '../helpers/neo4j';

// A wait for the page, not a speed check: the first preview builds the live index (about 5 s on a loaded machine).
const UI_TIMEOUT = 30_000;

let admin: Graph;
let server: ApiServer;
let base: string;
let webDir: string;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
/** What the API answered each preview request (status and the start of the body), for a failure's message. */
const previewAnswers: string[] = [];

beforeAll(async () => {
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
  // A real interests version over the fixture users: its frozen weighting is what a preview is scored under.
  const p = defaultParams();
  p.threads = 1;
  p.fit.enabled = false;
  await runSimilarityJob(new SimilarityRepository(admin), { models: ['interests'], params: p, graceMs: 0 });
  const config = testConfig();
  server = await createApp(config, openApiGraph(config), {
    webDir,
    log: { info: () => undefined, warn: () => undefined },
  });
  base = await server.start(0, '127.0.0.1');
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1360, height: 880 } });
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('response', (res) => {
    if (!(res.request().postData() ?? '').includes('previewSimilarUsers')) return;
    void res
      .text()
      .then((body) => previewAnswers.push(`${res.status()} ${body.slice(0, 300)}`))
      .catch((err: unknown) => previewAnswers.push(`${res.status()} (body unread: ${String(err)})`));
  });
}, 180_000);

afterEach(() => {
  expect(pageErrors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await admin?.close();
  if (webDir !== undefined) fs.rmSync(webDir, { recursive: true, force: true });
});

/** The page, once its script runs and has asked the API for the models (the picker is filled then). */
async function openPage(): Promise<void> {
  await page.goto(`${base}/`);
  await page.locator('#model option').first().waitFor({ state: 'attached', timeout: UI_TIMEOUT });
}

test('picking interests shows a new user their neighbours at once, each marked live, and stores nobody', async () => {
  const users = async () => (await admin.read<{ n: number }>('MATCH (u:User) RETURN count(u) AS n'))[0]!.n;
  const before = await users();
  await openPage();
  await page.fill('#preview-interests', 'Python, machine learning, nosuchtopic');
  await page.click('#preview-form button[type=submit]');
  await page
    .locator('#preview-rows li')
    .first()
    .waitFor({ timeout: UI_TIMEOUT })
    .catch(async (err: unknown) => {
      // Say what the card showed instead (an error from the API, a summary, or nothing) and what the API answered.
      const text = (selector: string) =>
        page
          .locator(selector)
          .textContent()
          .catch(() => null);
      const typed = () => page.inputValue('#preview-interests').catch(() => null);
      throw new Error(
        `no preview rows within ${UI_TIMEOUT} ms for ${JSON.stringify(await typed())}; the page (${page.url()}) ` +
          `said: ${JSON.stringify(await text('#message'))}, ` +
          `summary ${JSON.stringify(await text('#preview-summary'))}; the API answered: ` +
          `${JSON.stringify(previewAnswers)} (${String(err)})`,
      );
    });
  const rows = await page.locator('#preview-rows li').all();
  const handles: string[] = [];
  for (const row of rows) {
    handles.push((await row.getAttribute('data-handle')) ?? '');
    await expect(row.locator('.badge').textContent()).resolves.toBe('live');
  }
  // The best matches follow both chosen tags; every neighbour shares at least one.
  const followsBoth = FIXTURE_USERS.filter(
    (u) => u.interests.includes('python') && u.interests.includes('machine-learning'),
  ).map((u) => String(u.handle));
  expect(followsBoth.length).toBeGreaterThan(0);
  expect(followsBoth).toContain(handles[0]);
  const first = await rows[0]!.locator('.shared').textContent();
  expect(first).toBe('shares python, machine-learning');
  const summary = await page.locator('#preview-summary').textContent();
  expect(summary).toContain('Live:');
  expect(summary).toContain('Nobody follows nosuchtopic');
  expect(await users()).toBe(before);
  // A row opens that user's neighbourhood.
  await rows[0]!.click();
  await page.locator(`#graph .user.centre[data-handle="${handles[0]}"]`).waitFor({ timeout: UI_TIMEOUT });
});

test('interests nobody follows say so instead of showing an empty list', async () => {
  await openPage();
  await page.fill('#preview-interests', 'underwater basket weaving');
  await page.click('#preview-form button[type=submit]');
  await page.locator('#preview-summary:not([hidden])').waitFor({ timeout: UI_TIMEOUT });
  await expect(page.locator('#preview-summary').textContent()).resolves.toContain('Nobody shares these interests');
  expect(await page.locator('#preview-rows li').count()).toBe(0);
});
