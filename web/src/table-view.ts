// The neighbours as a table: rank, user (a button that recentres), score with a bar, shared interests and reasons.
import type { ReasonKind } from '../../src/generated/client/graphql';
import type { Neighbourhood, Reason } from './neighbourhood';

const SHOWN_TAGS = 3;

const KIND_LABEL: Record<ReasonKind, { short: string; long: string }> = {
  INTEREST: { short: 'tag', long: 'Both follow this tag' },
  COURSE: { short: 'course', long: 'Both watched this course' },
  COURSE_TAG: { short: 'topic', long: 'Both watched courses with this tag' },
  ASSESSMENT: { short: 'skill', long: 'Both took an assessment on this tag' },
};

function h<K extends keyof HTMLElementTagNameMap>(
  name: K,
  props: { className?: string; text?: string; attrs?: Record<string, string> } = {},
  children: Node[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(name);
  if (props.className !== undefined) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  for (const [k, v] of Object.entries(props.attrs ?? {})) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

/** Tag chips, the first few and a "+n" for the rest (all of them in the title). */
export function chips(tags: readonly string[], limit = SHOWN_TAGS): HTMLElement {
  const box = h('span', { className: 'chips', attrs: { title: tags.join(', ') } });
  for (const t of tags.slice(0, limit)) box.append(h('span', { className: 'chip', text: t }));
  if (tags.length > limit) box.append(h('span', { className: 'chip more', text: `+${tags.length - limit}` }));
  if (tags.length === 0) box.append(h('span', { className: 'none', text: 'none' }));
  return box;
}

function reasonList(reasons: readonly Reason[]): HTMLElement {
  const list = h('ul', { className: 'reasons' });
  for (const r of reasons) {
    list.append(
      h(
        'li',
        { attrs: { title: `${KIND_LABEL[r.kind].long}: ${r.item} (${Math.round(r.share * 100)}% of the match)` } },
        [
          h('span', { className: 'share', text: `${Math.round(r.share * 100)}%` }),
          h('span', { className: `kind ${r.kind.toLowerCase()}`, text: KIND_LABEL[r.kind].short }),
          h('span', { className: 'item', text: r.item }),
        ],
      ),
    );
  }
  if (reasons.length === 0) list.append(h('li', { className: 'none', text: 'no shared items' }));
  return list;
}

/** Replaces the rows of `tbody` with one row per neighbour; each row carries data-handle. */
export function renderTable(tbody: HTMLTableSectionElement, hood: Neighbourhood): void {
  tbody.replaceChildren(
    ...hood.neighbours.map((n) => {
      const width = hood.maxScore > 0 ? (100 * n.score) / hood.maxScore : 0;
      return h('tr', { attrs: { 'data-handle': n.handle } }, [
        h('td', { className: 'rank', text: String(n.rank) }),
        h('td', {}, [
          h('button', {
            className: 'link',
            text: n.handle,
            attrs: {
              type: 'button',
              'data-action': 'recentre',
              'data-handle': n.handle,
              title: `Show ${n.handle}'s neighbours`,
            },
          }),
        ]),
        h('td', { className: 'score' }, [
          h('span', { className: 'value', text: n.score.toFixed(3) }),
          h('span', { className: 'track' }, [
            h('span', { className: 'bar', attrs: { style: `width:${width.toFixed(0)}%` } }),
          ]),
        ]),
        h('td', {}, [chips(n.shared)]),
        h('td', {}, [reasonList(n.reasons)]),
      ]);
    }),
  );
}
