// The neighbourhood page: a handle and a model in, the user's similar users out, as a graph and a table.
// State lives in the URL (?handle=110&model=cosine) so a view can be shared and Back works after recentring.
import './style.css';
import type { SimilarityModel } from '../../src/generated/client/graphql';
import { execute, RequestFailure } from './client';
import { renderGraph } from './graph-view';
import { toNeighbourhood, type Neighbourhood } from './neighbourhood';
import { ExamplesQuery, ModelsQuery, NeighbourhoodQuery, PreviewQuery } from './queries';
import { chips, renderTable } from './table-view';

const ENDPOINT = '/graphql';
const LIMIT = 10;

const MODEL_LABEL: Record<SimilarityModel, string> = {
  COSINE: 'Cosine: all behaviour',
  INTERESTS: 'Interests: followed tags',
  COURSE_VIEWS: 'Course views',
  ASSESSMENTS: 'Assessments',
  ALS: 'ALS: latent factors',
};
const ALL_MODELS = Object.keys(MODEL_LABEL) as SimilarityModel[];

function byId<T extends Element>(id: string, type: new () => T): T {
  const node = document.getElementById(id);
  if (!(node instanceof type))
    throw new Error(
      `index.html: expected #${id} to be a ${type.name}, got ${node === null ? 'no element' : `<${node.tagName.toLowerCase()}>`}`,
    );
  return node;
}

const form = byId('search', HTMLFormElement);
const handleInput = byId('handle', HTMLInputElement);
const modelSelect = byId('model', HTMLSelectElement);
const message = byId('message', HTMLDivElement);
const result = byId('result', HTMLElement);
const title = byId('title', HTMLElement);
const summary = byId('summary', HTMLElement);
const svg = byId('graph', SVGSVGElement);
const tbody = byId('rows', HTMLTableSectionElement);
const tooltip = byId('tooltip', HTMLDivElement);
const graphBox = byId('graph-box', HTMLDivElement);
const intro = byId('intro', HTMLElement);
const examples = byId('examples', HTMLParagraphElement);
const previewForm = byId('preview-form', HTMLFormElement);
const previewInput = byId('preview-interests', HTMLInputElement);
const previewSummary = byId('preview-summary', HTMLParagraphElement);
const previewRows = byId('preview-rows', HTMLOListElement);

let current: Neighbourhood | undefined;
let request = 0;
const versions = new Map<SimilarityModel, number | null>();

function isModel(value: string): value is SimilarityModel {
  return (ALL_MODELS as string[]).includes(value);
}

function say(kind: 'error' | 'info' | 'loading', text: string): void {
  message.hidden = false;
  message.className = `message ${kind}`;
  message.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  message.textContent = text;
}

function quiet(): void {
  message.hidden = true;
  message.textContent = '';
}

function failureText(err: unknown): string {
  if (!(err instanceof RequestFailure)) return `Something went wrong in the page: ${String(err)}`;
  switch (err.kind) {
    case 'unreachable':
      return `The API server is not answering. ${err.message} Start it with \`npm start\` and try again.`;
    case 'unavailable':
      return `The API server is up but its database is not: ${err.message}`;
    case 'bad-input':
      return err.message;
    case 'server':
      return `The API server reported an error: ${err.message}`;
  }
}

function fillModels(
  trained: readonly { name: SimilarityModel; version: number | null; default: boolean }[] | undefined,
): void {
  const chosen = modelSelect.value;
  modelSelect.replaceChildren();
  for (const name of ALL_MODELS) {
    const info = trained?.find((m) => m.name === name);
    const option = document.createElement('option');
    option.value = name;
    const notTrained = trained !== undefined && (info === undefined || info.version === null);
    option.textContent = `${MODEL_LABEL[name]}${info?.version != null ? ` (v${info.version}${info.default ? ', default' : ''})` : notTrained ? ' (not trained)' : ''}`;
    option.disabled = notTrained;
    modelSelect.append(option);
    versions.set(name, info?.version ?? null);
  }
  const firstTrained = ALL_MODELS.find((m) => trained === undefined || versions.get(m) != null);
  const marked = trained?.find((m) => m.default)?.name;
  modelSelect.value = isModel(chosen) ? chosen : (marked ?? firstTrained ?? 'ALS');
}

async function loadModels(): Promise<void> {
  try {
    const data = await execute(ENDPOINT, ModelsQuery, {});
    fillModels(data.models);
  } catch {
    // The neighbourhood request reports the failure; the picker still offers every model.
    fillModels(undefined);
  }
}

async function loadExamples(): Promise<void> {
  try {
    const data = await execute(ENDPOINT, ExamplesQuery, {});
    if (data.users.edges.length === 0) return;
    examples.replaceChildren(
      document.createTextNode(`${data.users.totalCount.toLocaleString('en')} users in the graph. Try: `),
      ...data.users.edges.map(({ node }) => {
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = node.handle;
        button.dataset.handle = node.handle;
        button.dataset.action = 'recentre';
        return button;
      }),
    );
    examples.hidden = false;
  } catch {
    // Examples are a convenience; a server problem is reported when a neighbourhood is asked for.
  }
}

function readUrl(): { handle: string; model: SimilarityModel | undefined } {
  const params = new URLSearchParams(window.location.search);
  const model = (params.get('model') ?? '').toUpperCase();
  return { handle: (params.get('handle') ?? '').trim(), model: isModel(model) ? model : undefined };
}

function writeUrl(handle: string, model: SimilarityModel, mode: 'push' | 'replace'): void {
  const url = `?handle=${encodeURIComponent(handle)}&model=${model.toLowerCase()}`;
  if (mode === 'push') window.history.pushState(null, '', url);
  else window.history.replaceState(null, '', url);
}

function clearResult(): void {
  current = undefined;
  result.hidden = true;
  intro.hidden = false;
  if (examples.hidden) void loadExamples();
  svg.replaceChildren();
  tbody.replaceChildren();
}

async function show(handle: string, model: SimilarityModel, history: 'push' | 'replace' | 'none'): Promise<void> {
  handleInput.value = handle;
  modelSelect.value = model;
  if (!/^\d+$/.test(handle)) {
    clearResult();
    say('error', `A handle is a whole number such as 110, but got "${handle}".`);
    return;
  }
  if (history !== 'none') writeUrl(handle, model, history);
  const mine = ++request;
  say('loading', `Loading the neighbours of ${handle}...`);
  document.body.setAttribute('aria-busy', 'true');
  try {
    const data = await execute(ENDPOINT, NeighbourhoodQuery, { handle, model, limit: LIMIT });
    if (mine !== request) return;
    if (data.user === null || data.user === undefined) {
      clearResult();
      say('error', `No user with handle ${handle}: check the number, or try one of the handles below.`);
      return;
    }
    draw(toNeighbourhood(data.user), model);
  } catch (err) {
    if (mine !== request) return;
    clearResult();
    say('error', failureText(err));
  } finally {
    if (mine === request) document.body.removeAttribute('aria-busy');
  }
}

function draw(hood: Neighbourhood, model: SimilarityModel): void {
  current = hood;
  result.hidden = false;
  intro.hidden = true;
  document.title = `User ${hood.handle}: similar users`;
  title.textContent = `User ${hood.handle}`;
  const version = versions.get(model);
  const about = document.createElement('p');
  about.textContent =
    `${hood.neighbours.length} neighbour${hood.neighbours.length === 1 ? '' : 's'} under ${MODEL_LABEL[model]}` +
    `${version != null ? ` (version ${version})` : ''}; follows ${hood.interests.length} tag${hood.interests.length === 1 ? '' : 's'}:`;
  summary.replaceChildren(about, chips(hood.interests, 12));
  renderGraph(svg, hood);
  renderTable(tbody, hood);
  if (hood.neighbours.length === 0) {
    say('info', `User ${hood.handle} has no neighbours under ${MODEL_LABEL[model]}: try another model.`);
  } else {
    quiet();
  }
}

function handleOf(target: EventTarget | null): { handle: string; element: Element } | undefined {
  if (!(target instanceof Element)) return undefined;
  const element = target.closest('[data-handle]');
  const handle = element?.getAttribute('data-handle');
  return element !== null && element !== undefined && handle !== null && handle !== undefined
    ? { handle, element }
    : undefined;
}

function highlight(handle: string | null): void {
  for (const node of document.querySelectorAll('.hot')) node.classList.remove('hot');
  if (handle === null || handle === current?.handle) return;
  for (const node of document.querySelectorAll(`[data-handle="${CSS.escape(handle)}"]`)) node.classList.add('hot');
}

function showTooltip(handle: string, anchor: Element): void {
  const n = current?.neighbours.find((x) => x.handle === handle);
  if (n === undefined) return;
  const head = document.createElement('strong');
  head.textContent = `User ${n.handle}: rank ${n.rank}, score ${n.score.toFixed(3)}`;
  const shared = document.createElement('div');
  shared.textContent = n.shared.length > 0 ? `Shared interests: ${n.shared.join(', ')}` : 'No interests in common';
  const hint = document.createElement('div');
  hint.className = 'hint';
  hint.textContent = 'Click to show their neighbours';
  tooltip.replaceChildren(head, shared, hint);
  const box = graphBox.getBoundingClientRect();
  const at = anchor.getBoundingClientRect();
  tooltip.hidden = false;
  // Beside the node (right if it fits, else left), so it never hides the node's own edge or label.
  const right = at.right - box.left + 8;
  const left = right + tooltip.offsetWidth <= box.width ? right : at.left - box.left - 8 - tooltip.offsetWidth;
  tooltip.style.left = `${Math.max(4, left)}px`;
  tooltip.style.top = `${Math.max(4, at.top - box.top + at.height / 2 - tooltip.offsetHeight / 2)}px`;
}

function selectedModel(): SimilarityModel {
  return isModel(modelSelect.value) ? modelSelect.value : 'COSINE';
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void show(handleInput.value.trim(), selectedModel(), 'push');
});

modelSelect.addEventListener('change', () => {
  if (current !== undefined) void show(current.handle, selectedModel(), 'push');
});

document.addEventListener('click', (event) => {
  const hit = handleOf(event.target);
  if (hit === undefined || hit.element.getAttribute('data-action') !== 'recentre') return;
  tooltip.hidden = true;
  void show(hit.handle, selectedModel(), 'push');
});

document.addEventListener('keydown', (event) => {
  if (event.key !== 'Enter' && event.key !== ' ') return;
  const hit = handleOf(event.target);
  if (
    hit === undefined ||
    !(hit.element instanceof SVGElement) ||
    hit.element.getAttribute('data-action') !== 'recentre'
  )
    return;
  event.preventDefault();
  void show(hit.handle, selectedModel(), 'push');
});

for (const type of ['mouseover', 'focusin'] as const) {
  document.addEventListener(type, (event) => {
    const hit = handleOf(event.target);
    highlight(hit?.handle ?? null);
    if (hit !== undefined && hit.element.closest('#graph') !== null) showTooltip(hit.handle, hit.element);
    else tooltip.hidden = true;
  });
}

async function preview(text: string): Promise<void> {
  const interests = text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  previewRows.replaceChildren();
  previewSummary.hidden = true;
  if (interests.length === 0) {
    say('error', 'Type one or more interests separated by commas, e.g. python, machine learning.');
    return;
  }
  // Interests are all a new user has: the interests model compares exactly those (the combined model may weight
  // them 0 when the fit found views more telling).
  const model: SimilarityModel = 'INTERESTS';
  say('loading', `Finding neighbours for a new user who follows ${interests.join(', ')}...`);
  try {
    const data = await execute(ENDPOINT, PreviewQuery, { interests, model, limit: LIMIT });
    const p = data.previewSimilarUsers;
    quiet();
    const unknown = p.unknownInterests.length > 0 ? ` Nobody follows ${p.unknownInterests.join(', ')}.` : '';
    previewSummary.textContent =
      p.neighbours.length > 0
        ? `Live: ${p.neighbours.length} neighbours computed just now under ${MODEL_LABEL[p.model]}` +
          `${p.version != null ? ` (version ${p.version})` : ''}.${unknown}`
        : `Nobody shares these interests under ${MODEL_LABEL[p.model]}.${unknown}`;
    previewSummary.hidden = false;
    previewRows.replaceChildren(
      ...p.neighbours.map((n) => {
        const row = document.createElement('li');
        row.dataset.handle = n.handle;
        row.dataset.action = 'recentre';
        row.tabIndex = 0;
        row.title = `Show user ${n.handle}'s neighbourhood`;
        const badge = document.createElement('span');
        badge.className = n.live ? 'badge live' : 'badge';
        badge.textContent = n.live ? 'live' : 'stored';
        const who = document.createElement('strong');
        who.textContent = `User ${n.handle}`;
        const score = document.createElement('span');
        score.className = 'score';
        score.textContent = n.score.toFixed(3);
        const shared = document.createElement('span');
        shared.className = 'shared';
        shared.textContent = n.sharedInterests.length > 0 ? `shares ${n.sharedInterests.join(', ')}` : '';
        row.append(badge, who, score, shared);
        return row;
      }),
    );
  } catch (err) {
    say('error', failureText(err));
  }
}

previewForm.addEventListener('submit', (event) => {
  event.preventDefault();
  void preview(previewInput.value);
});

window.addEventListener('popstate', () => {
  const { handle, model } = readUrl();
  if (handle !== '') void show(handle, model ?? selectedModel(), 'none');
});

async function start(): Promise<void> {
  await loadModels();
  void loadExamples();
  const { handle, model } = readUrl();
  if (handle !== '') await show(handle, model ?? selectedModel(), 'replace');
  else handleInput.focus();
}

void start();
