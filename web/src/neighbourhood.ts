// Pure shaping of a PageNeighbourhood result into what the views draw: neighbours with shared interests, and the
// similarity edges among the neighbours themselves.
import type { PageNeighbourhoodQuery, ReasonKind } from '../../src/generated/client/graphql';

export type CentreUser = NonNullable<PageNeighbourhoodQuery['user']>;

export interface Reason {
  kind: ReasonKind;
  item: string;
  share: number;
}

export interface Neighbour {
  handle: string;
  score: number;
  rank: number;
  /** Interests of the neighbour that the centre user follows too, in the centre's order. */
  shared: string[];
  interests: number;
  reasons: Reason[];
}

/** An edge between two neighbours (each pair once, with the larger of the two directed scores). */
export interface CrossLink {
  source: string;
  target: string;
  score: number;
}

export interface Neighbourhood {
  handle: string;
  interests: string[];
  neighbours: Neighbour[];
  crossLinks: CrossLink[];
  maxScore: number;
  minScore: number;
}

/** Builds the drawable neighbourhood of one user from the query result. */
export function toNeighbourhood(user: CentreUser): Neighbourhood {
  const interests = user.interests.map((t) => t.name);
  const neighbours: Neighbour[] = user.similarUsers
    .map((n) => {
      const theirs = new Set(n.user.interests.map((t) => t.name));
      return {
        handle: n.handle,
        score: n.score,
        rank: n.rank,
        shared: interests.filter((name) => theirs.has(name)),
        interests: theirs.size,
        reasons: n.reasons.map((r) => ({ kind: r.kind, item: r.item, share: r.share })),
      };
    })
    .sort((a, b) => a.rank - b.rank);

  const inside = new Set(neighbours.map((n) => n.handle));
  const pairs = new Map<string, CrossLink>();
  for (const n of user.similarUsers) {
    for (const m of n.user.similarUsers) {
      if (!inside.has(m.handle) || m.handle === n.handle || m.handle === user.handle) continue;
      const [a, b] = n.handle < m.handle ? [n.handle, m.handle] : [m.handle, n.handle];
      const key = `${a}|${b}`;
      const seen = pairs.get(key);
      if (seen === undefined || seen.score < m.score) pairs.set(key, { source: a, target: b, score: m.score });
    }
  }

  const scores = neighbours.map((n) => n.score);
  return {
    handle: user.handle,
    interests,
    neighbours,
    crossLinks: [...pairs.values()],
    maxScore: scores.length > 0 ? Math.max(...scores) : 0,
    minScore: scores.length > 0 ? Math.min(...scores) : 0,
  };
}
