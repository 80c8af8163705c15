// The community model built once from a catalogue: for every topic, weighted choices of interest units
// (a tag, or a bundle of tags followed together), of courses and of assessment tags, plus the same for the
// whole population (the "noise" a user draws outside their communities).
import { canonicalTag } from '../tags';
import { type Catalogue, topicByTokens, topicIndex } from './catalogue';
import { AliasTable } from './distributions';
import { TOPICS } from './topics';

export interface Choice {
  /** Indices into the universe (units, courses or assessment tags). */
  items: Int32Array;
  table: AliasTable;
}

export interface Model {
  catalogue: Catalogue;
  /** Follow units: each a list of interest tags in course-tag spelling. */
  units: string[][];
  /** The unit holding an interest tag of a canonical name (to echo assessment topics in interests). */
  unitByCanonical: Map<string, number>;
  topicUnits: Choice[];
  globalUnits: Choice;
  topicCourses: Choice[];
  globalCourses: Choice;
  /** Assessment tags (assessment spelling), per topic and global; default mode only. */
  assessTags: string[];
  topicAssess: Choice[];
  globalAssess: Choice;
  topicShares: AliasTable;
  /** Topic of a canonical tag name (seed lists, then course tags, then words), for reading real assessments. */
  topicOfCanonical(tag: string): number | undefined;
}

function choice(weights: Map<number, number>): Choice {
  const items = Int32Array.from([...weights.keys()].sort((a, b) => a - b));
  return { items, table: new AliasTable(Array.from(items, (i) => weights.get(i) ?? 0)) };
}

/**
 * Builds the model. `interestVocabulary` is the set of tags users may follow (course-tag spelling);
 * bundles come from TOPICS and from spellings that share one canonical name (c# and csharp).
 */
export function buildModel(catalogue: Catalogue, interestVocabulary: readonly string[]): Model {
  const { seeds, tokens } = topicIndex();
  const vocab = [...new Set(interestVocabulary)].sort();
  // Union-find over vocabulary tags: bundles and canonical twins become one unit.
  const parent = vocab.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i] as number] as number;
    return i;
  };
  const union = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  const byCanonical = new Map<string, number[]>();
  vocab.forEach((t, i) => {
    const c = canonicalTag(t);
    const list = byCanonical.get(c);
    if (list === undefined) byCanonical.set(c, [i]);
    else list.push(i);
  });
  for (const list of byCanonical.values()) for (const i of list) union(list[0] as number, i);
  for (const topic of TOPICS) {
    for (const bundle of topic.bundles) {
      const present = bundle.flatMap((b) => byCanonical.get(canonicalTag(b)) ?? []);
      for (const i of present) union(present[0] as number, i);
    }
  }
  const unitOfRoot = new Map<number, number>();
  const units: string[][] = [];
  vocab.forEach((t, i) => {
    const r = find(i);
    let u = unitOfRoot.get(r);
    if (u === undefined) {
      u = units.length;
      unitOfRoot.set(r, u);
      units.push([]);
    }
    (units[u] as string[]).push(t);
  });
  // Keep the bundle's head (by seed order) first so that the first row of a batch names the topic.
  const headRank = (t: string) => {
    for (const topic of TOPICS) {
      const r = topic.tags.findIndex((h) => canonicalTag(h) === canonicalTag(t));
      if (r >= 0) return r;
    }
    return 1000;
  };
  for (const u of units) u.sort((a, b) => headRank(a) - headRank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const unitByCanonical = new Map<string, number>();
  units.forEach((u, ui) => {
    for (const t of u) if (!unitByCanonical.has(canonicalTag(t))) unitByCanonical.set(canonicalTag(t), ui);
  });

  const topicOfTag = (t: string): number =>
    catalogue.tagTopic.get(t) ?? seeds.get(canonicalTag(t)) ?? topicByTokens(t, tokens) ?? 0;
  const userShare = TOPICS.map((t) => t.users);
  const shareSum = userShare.reduce((a, b) => a + b, 0);

  // Interest units: a head tag of a topic weighs by its rank there; other tags of the topic weigh little.
  const topicUnits = TOPICS.map((topic, ti) => {
    const heads = topic.tags.map((h) => canonicalTag(h));
    const weights = new Map<number, number>();
    units.forEach((u, ui) => {
      let w = 0;
      for (const t of u) {
        const r = heads.indexOf(canonicalTag(t));
        if (r >= 0) w = Math.max(w, 1 / Math.pow(r + 1, 0.9));
        else if (topicOfTag(t) === ti) w = Math.max(w, 0.02 * (1 + Math.log1p(catalogue.tagCourses.get(t) ?? 0)));
      }
      if (w > 0) weights.set(ui, w);
    });
    return choice(weights);
  });
  const globalUnits = mixture(topicUnits, userShare);

  // Courses: a topic's courses by popularity.
  const topicCourseWeights = TOPICS.map(() => new Map<number, number>());
  catalogue.courses.forEach((c, ci) => topicCourseWeights[c.topic]?.set(ci, c.popularity));
  for (const [ti, m] of topicCourseWeights.entries()) if (m.size === 0) m.set(ti % catalogue.courses.length, 1e-9);
  const topicCourses = topicCourseWeights.map(choice);
  const globalCourses = mixture(topicCourses, userShare);

  const assessTags = [...new Set(TOPICS.flatMap((t) => t.assess.map(([a]) => a)))].sort();
  const topicAssess = TOPICS.map((t) => choice(new Map(t.assess.map(([a, w]) => [assessTags.indexOf(a), w]))));
  const globalWeights = new Map<number, number>();
  for (const t of TOPICS)
    for (const [a, w] of t.assess)
      globalWeights.set(assessTags.indexOf(a), (globalWeights.get(assessTags.indexOf(a)) ?? 0) + w);
  const canonicalTopic = new Map<string, number>();
  for (const [t, ti] of catalogue.tagTopic)
    if (!canonicalTopic.has(canonicalTag(t))) canonicalTopic.set(canonicalTag(t), ti);
  return {
    catalogue,
    units,
    unitByCanonical,
    topicUnits,
    globalUnits,
    topicCourses,
    globalCourses,
    assessTags,
    topicAssess,
    globalAssess: choice(globalWeights),
    topicShares: new AliasTable(userShare.map((s) => s / shareSum)),
    topicOfCanonical: (tag) => seeds.get(tag) ?? canonicalTopic.get(tag) ?? topicByTokens(tag, tokens),
  };
}

/** The population-wide choice: each topic's choice weighted by its share of users. */
function mixture(parts: readonly Choice[], shares: readonly number[]): Choice {
  const weights = new Map<number, number>();
  parts.forEach((p, ti) => {
    const probs = p.table.probabilities();
    p.items.forEach((item, k) => weights.set(item, (weights.get(item) ?? 0) + (shares[ti] ?? 0) * (probs[k] ?? 0)));
  });
  return choice(weights);
}
