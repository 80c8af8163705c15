// GraphiQL end to end: the real API server over the test Neo4j serves the IDE from local files; headless Chromium
// (Debian's package through playwright-core) opens it at /graphql, types a query with autocompletion, runs it and
// reads the answer. Any request to another origin fails the test: the IDE must work offline.
import type { Browser, Page } from 'playwright-core';
import { createApp, type ApiServer } from '../../src/api/server';
import { openApiGraph } from '../../src/graph/connect';
import type { Graph } from '../../src/graph/executor';
import { interestEdges, launchChromium, writeNeighbourhoodFixture } from '../helpers/browser';
import { resetGraph, testConfig, testGraph } from '../helpers/neo4j';

const UI_TIMEOUT = 30_000;

let admin: Graph;
let server: ApiServer;
let base: string;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const foreign: string[] = [];

/** The text of the CodeMirror editor inside `selector` (GraphiQL 4 keeps its editors in CodeMirror 5). */
async function editorText(selector: string): Promise<string> {
  const text: unknown = await page.evaluate(
    `document.querySelector(${JSON.stringify(`${selector} .CodeMirror`)})?.CodeMirror?.getValue() ?? ''`,
  );
  return String(text);
}

/** Waits until the response pane shows a JSON answer and returns it. */
async function response(): Promise<string> {
  await page.waitForFunction(
    `(document.querySelector('.graphiql-response .CodeMirror')?.CodeMirror?.getValue() ?? '').trim().startsWith('{')`,
    undefined,
    { timeout: UI_TIMEOUT },
  );
  return editorText('.graphiql-response');
}

beforeAll(async () => {
  admin = testGraph();
  await resetGraph(admin);
  await writeNeighbourhoodFixture(admin);
  const config = testConfig();
  server = await createApp(config, openApiGraph(config), { log: { info: () => undefined, warn: () => undefined } });
  base = await server.start(0, '127.0.0.1');
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1360, height: 880 } });
  // Offline: a request to any other origin is recorded and refused.
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith(base) || url.startsWith('data:') || url.startsWith('blob:')) {
      await route.continue();
    } else {
      foreign.push(url);
      await route.abort();
    }
  });
  page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
});

afterEach(() => {
  expect(pageErrors).toEqual([]);
  expect(foreign).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await admin?.close();
});

test('a browser opening /graphql gets GraphiQL with the saved examples, and /playground redirects there', async () => {
  const res = await page.goto(`${base}/playground`);
  expect(res?.status()).toBe(200);
  expect(new URL(page.url()).pathname).toBe('/graphql');
  await page.locator('.graphiql-container').waitFor({ timeout: UI_TIMEOUT });
  const tabs = await page.locator('.graphiql-tab').allTextContents();
  expect(tabs.map((t) => /^\w+/.exec(t.trim())?.[0])).toEqual(['SimilarUsers', 'Models']);
  expect(await editorText('.graphiql-query-editor')).toContain('query SimilarUsers');
});

test('the SimilarUsers example runs and answers the fixture neighbours', async () => {
  await page.locator('.graphiql-tab', { hasText: 'SimilarUsers' }).first().click();
  await page.locator('.graphiql-execute-button').click();
  const text = await response();
  const body = JSON.parse(text) as { data: { user: { similarUsers: { handle: string }[] } } };
  // The example asks the interests model for five neighbours of 110.
  const expected = interestEdges()
    .filter((e) => e.from === 110)
    .sort((a, b) => a.rank - b.rank)
    .slice(0, 5)
    .map((e) => String(e.to));
  expect(body.data.user.similarUsers.map((n) => n.handle)).toEqual(expected);
});

test('a typed query, with a field picked from autocompletion, runs and shows its answer', async () => {
  await page.locator('.graphiql-tab-add').click();
  const editor = page.locator('.graphiql-query-editor .CodeMirror').first();
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  // Brackets close themselves: the editor holds '{ mode}' now.
  await page.keyboard.type('{ mode', { delay: 40 });
  const hint = page.locator('.CodeMirror-hints .CodeMirror-hint', { hasText: /^models$/ });
  await hint.waitFor({ timeout: UI_TIMEOUT });
  await hint.click();
  // The pick is applied and its list closed before typing on.
  await page.locator('.CodeMirror-hints').waitFor({ state: 'detached', timeout: UI_TIMEOUT });
  expect(await editorText('.graphiql-query-editor')).toBe('{ models}');
  // The typed closing bracket steps over the one the editor added.
  // The first key after a pick can go to the closing list rather than the editor (a lost space, seen in CI): a
  // harmless key first, then the rest key by key with a pause, as a person types; spacing is not what is checked.
  await page.keyboard.press('Shift');
  await page.keyboard.type(' { name version }', { delay: 40 });
  expect((await editorText('.graphiql-query-editor')).replace(/\s+/g, '')).toBe('{models{nameversion}}');
  await page.locator('.graphiql-execute-button').click();
  const text = await response();
  const body = JSON.parse(text) as { data: { models: { name: string; version: number | null }[] } };
  const active = Object.fromEntries(body.data.models.filter((m) => m.version !== null).map((m) => [m.name, m.version]));
  expect(active).toEqual({ INTERESTS: 2, COSINE: 1 });
});
