// Draws a neighbourhood as an SVG force layout: the centre user pinned in the middle, neighbours closer the more
// similar they are, edge width by score. The layout is computed to rest before drawing, so it is stable and the same
// data always gives the same picture.
import { forceCollide, forceLink, forceManyBody, forceSimulation, forceX, forceY } from 'd3-force';
import type { SimulationLinkDatum, SimulationNodeDatum } from 'd3-force';
import type { Neighbourhood } from './neighbourhood';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 720;
const HEIGHT = 540;
const CENTRE_RADIUS = 30;
const NODE_RADIUS = 21;

interface Node extends SimulationNodeDatum {
  id: string;
  centre: boolean;
  score: number;
}

interface Link extends SimulationLinkDatum<Node> {
  score: number;
  cross: boolean;
}

function el<K extends keyof SVGElementTagNameMap>(
  name: K,
  attrs: Record<string, string | number>,
  parent?: Element,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  parent?.appendChild(node);
  return node;
}

/** 0..1 position of a score between the smallest and largest score shown (1 when all are equal). */
function relative(score: number, hood: Neighbourhood): number {
  const span = hood.maxScore - hood.minScore;
  return span > 0 ? (score - hood.minScore) / span : 1;
}

/**
 * Stroke width of an edge from its score: part in proportion to the strongest edge shown, part by the score's place
 * between the weakest and the strongest, so that neighbours with close scores are still told apart.
 */
export function edgeWidth(score: number, hood: Neighbourhood): number {
  if (hood.maxScore <= 0) return 1.5;
  return 1.5 + 2.5 * Math.max(0, score / hood.maxScore) + 4.5 * relative(score, hood);
}

/** Teal from pale (weakest shown) to deep (strongest shown). */
function fill(t: number): string {
  const from = [153, 219, 209];
  const to = [13, 128, 120];
  const mix = from.map((c, i) => Math.round(c + ((to[i] ?? c) - c) * t));
  return `rgb(${mix.join(',')})`;
}

function layout(hood: Neighbourhood): { nodes: Node[]; links: Link[] } {
  const cx = WIDTH / 2;
  const cy = HEIGHT / 2;
  const nodes: Node[] = [
    { id: hood.handle, centre: true, score: hood.maxScore, fx: cx, fy: cy },
    ...hood.neighbours.map((n) => ({ id: n.handle, centre: false, score: n.score })),
  ];
  const links: Link[] = [
    ...hood.neighbours.map((n) => ({ source: hood.handle, target: n.handle, score: n.score, cross: false })),
    ...hood.crossLinks.map((l) => ({ source: l.source, target: l.target, score: l.score, cross: true })),
  ];
  const simulation = forceSimulation(nodes)
    .force(
      'link',
      forceLink<Node, Link>(links)
        .id((d) => d.id)
        .distance((l) => (l.cross ? 200 : 125 + (1 - relative(l.score, hood)) * 120))
        .strength((l) => (l.cross ? 0.03 : 0.9)),
    )
    .force('charge', forceManyBody<Node>().strength(-420))
    .force(
      'collide',
      forceCollide<Node>((d) => (d.centre ? CENTRE_RADIUS : NODE_RADIUS) + 14),
    )
    .force('x', forceX<Node>(cx).strength(0.02))
    .force('y', forceY<Node>(cy).strength(0.03))
    .stop();
  simulation.tick(400);
  return { nodes, links };
}

/** A viewBox around every node (with room for labels) in the drawing's aspect ratio, so the graph fills the frame. */
function fit(nodes: readonly Node[]): string {
  const pad = CENTRE_RADIUS + 18;
  const xs = nodes.map((n) => n.x ?? 0);
  const ys = nodes.map((n) => n.y ?? 0);
  let [x0, x1, y0, y1] = [Math.min(...xs) - pad, Math.max(...xs) + pad, Math.min(...ys) - pad, Math.max(...ys) + pad];
  const aspect = WIDTH / HEIGHT;
  // A lone user or a tight cluster is not blown up beyond about twice its normal size.
  const minWidth = WIDTH / 2;
  if (x1 - x0 < minWidth) [x0, x1] = [(x0 + x1 - minWidth) / 2, (x0 + x1 + minWidth) / 2];
  if ((x1 - x0) / (y1 - y0) < aspect) {
    const grow = ((y1 - y0) * aspect - (x1 - x0)) / 2;
    [x0, x1] = [x0 - grow, x1 + grow];
  } else {
    const grow = ((x1 - x0) / aspect - (y1 - y0)) / 2;
    [y0, y1] = [y0 - grow, y1 + grow];
  }
  return [x0, y0, x1 - x0, y1 - y0].map((v) => v.toFixed(1)).join(' ');
}

function end(x: Node | string | number): Node {
  if (typeof x !== 'object') throw new Error(`expected a resolved link end, got ${String(x)}`);
  return x;
}

/** Replaces the content of `svg` with the drawing of `hood`. Every user node carries data-handle. */
export function renderGraph(svg: SVGSVGElement, hood: Neighbourhood): void {
  svg.replaceChildren();
  const { nodes, links } = layout(hood);
  svg.setAttribute('viewBox', fit(nodes));

  const edges = el('g', { class: 'edges' }, svg);
  for (const l of links) {
    const a = end(l.source);
    const b = end(l.target);
    const handle = a.centre ? b.id : b.centre ? a.id : '';
    el(
      'line',
      {
        class: l.cross ? 'edge cross' : 'edge',
        x1: a.x ?? 0,
        y1: a.y ?? 0,
        x2: b.x ?? 0,
        y2: b.y ?? 0,
        'stroke-width': l.cross ? 1.2 : edgeWidth(l.score, hood),
        ...(handle !== '' ? { 'data-handle': handle } : { 'data-pair': `${a.id} ${b.id}` }),
      },
      edges,
    );
  }

  const labels = el('g', { class: 'edge-labels' }, svg);
  for (const l of links) {
    if (l.cross) continue;
    const a = end(l.source);
    const b = end(l.target);
    // Halfway along the visible part of the edge, between the two circles.
    const [ax, ay, bx, by] = [a.x ?? 0, a.y ?? 0, b.x ?? 0, b.y ?? 0];
    const length = Math.hypot(bx - ax, by - ay) || 1;
    const along = (CENTRE_RADIUS + (length - CENTRE_RADIUS - NODE_RADIUS) / 2) / length;
    const t = el(
      'text',
      { class: 'edge-label', x: ax + (bx - ax) * along, y: ay + (by - ay) * along, dy: '0.35em' },
      labels,
    );
    t.textContent = l.score.toFixed(2);
  }

  const users = el('g', { class: 'users' }, svg);
  for (const n of nodes) {
    const neighbour = hood.neighbours.find((x) => x.handle === n.id);
    const g = el(
      'g',
      {
        class: n.centre ? 'user centre' : 'user neighbour',
        transform: `translate(${(n.x ?? 0).toFixed(1)},${(n.y ?? 0).toFixed(1)})`,
        'data-handle': n.id,
        ...(n.centre
          ? { 'aria-label': `User ${n.id} (shown)` }
          : {
              role: 'button',
              tabindex: 0,
              'data-action': 'recentre',
              'aria-label': `User ${n.id}, rank ${neighbour?.rank ?? '?'}, score ${n.score.toFixed(3)}: show their neighbours`,
            }),
      },
      users,
    );
    el(
      'circle',
      {
        r: n.centre ? CENTRE_RADIUS : NODE_RADIUS,
        ...(n.centre ? {} : { fill: fill(relative(n.score, hood)) }),
      },
      g,
    );
    const text = el('text', { class: 'handle', dy: '0.35em' }, g);
    text.textContent = n.id;
    if (neighbour !== undefined) {
      const rank = el('text', { class: 'rank', y: NODE_RADIUS + 13 }, g);
      rank.textContent = `#${neighbour.rank}`;
    }
  }
}
