// The course catalogue: synthetic (default mode) or the real course_tags table (--with-real), with each
// course's level, author, base popularity and topic, and each tag's topic. Level and author depend only
// on the course id and the seed, so they are constant per course as in the real views table.
import { canonicalTag } from '../tags';
import { AliasTable } from './distributions';
import { hashString, Rng, seedOf } from './prng';
import type { Level } from '../domain';
import { TOPICS } from './topics';

export interface Course {
  id: string;
  /** Tags in course-tag spelling; empty for the few courses whose only tag is empty. */
  tags: string[];
  topic: number;
  level: Level;
  author: number;
  /** Relative popularity before the community model (views choose courses in proportion to it). */
  popularity: number;
}

export interface Catalogue {
  courses: Course[];
  /** Topic of every course tag, by raw spelling. */
  tagTopic: Map<string, number>;
  /** Number of courses carrying each raw tag. */
  tagCourses: Map<string, number>;
}

/** Real catalogue size (course_tags.csv: 5,942 courses) and its tags-per-course histogram (0..15 tags). */
export const CATALOGUE_SIZE = 5942;
const TAGS_PER_COURSE: readonly number[] = [112, 2920, 1587, 706, 378, 96, 69, 33, 22, 7, 6, 1, 1, 3, 0, 1];
const COURSES_PER_AUTHOR = 3.8;

const BEGINNER = [
  'getting-started',
  'fundamentals',
  'introduction',
  'first-look',
  'basics',
  'quick-start',
  'foundations',
  'for-beginners',
];
const INTERMEDIATE = [
  'building-applications',
  'in-practice',
  'best-practices',
  'workflows',
  'techniques',
  'integration',
  'testing',
  'deployment',
  'tips-and-tricks',
  'projects',
  'design',
  'working-with',
  'playbook',
  'essentials',
  'data-access',
  'creating-assets',
];
const ADVANCED = [
  'advanced',
  'advanced-techniques',
  'internals',
  'performance-tuning',
  'mastering',
  'expert-techniques',
  'under-the-hood',
  'in-depth',
];
const TAIL_SUFFIXES = [
  'api',
  'tools',
  'scripting',
  'workflow',
  'administration',
  'deployment',
  'migration',
  'security',
  'performance',
  'testing',
  'integration',
  'certification',
  '2016',
  '2017',
  'automation',
  'plugins',
  'monitoring',
  'architecture',
  'modeling',
  'debugging',
];

/** A slug of a tag for use inside a course id: c# -> csharp, asp.net -> aspdotnet, c++ -> cplusplus. */
export function slug(tag: string): string {
  return tag
    .toLowerCase()
    .replace(/#/g, 'sharp')
    .replace(/\+/g, 'plus')
    .replace(/^\./, 'dot')
    .replace(/\./g, 'dot')
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-|-$/g, '');
}

/** Level from words in the id when they tell (getting-started, advanced...), else drawn with the given shares. */
function levelOf(id: string, rng: Rng, shares: readonly [number, number]): Level {
  if (
    /(^|-)(getting-started|fundamentals|intro|introduction|first-look|basics|beginners?|quick-start|foundations)(-|$)/.test(
      id,
    )
  )
    return 'Beginner';
  if (/(^|-)(advanced|internals|expert|mastering|in-depth|deep-dive|under-the-hood)(-|$)/.test(id)) return 'Advanced';
  const u = rng.float();
  return u < shares[0] ? 'Beginner' : u < shares[0] + shares[1] ? 'Intermediate' : 'Advanced';
}

const LEVEL_BOOST: Record<Level, number> = { Beginner: 1.0, Intermediate: 1, Advanced: 0.5 };

function popularityOf(id: string, level: Level, rng: Rng, numbered: boolean, sigma: number): number {
  let w = Math.exp(sigma * rng.normal()) * LEVEL_BOOST[level];
  if (/(^|-)(getting-started|fundamentals)(-|$)/.test(id)) w *= 2;
  if (numbered) w *= 0.6;
  return w;
}

/** Authors: a pool per topic (about 4.2 courses each), a few prolific; a series (same first two id words) tends to share one. */
function assignAuthors(courses: Course[], seed: number): void {
  const total = Math.max(1, Math.round(courses.length / COURSES_PER_AUTHOR));
  const rng = new Rng(seedOf(seed, 0xa17));
  const handles = rng.shuffle(Array.from({ length: Math.round(total * 1.15) }, (_, i) => i + 1)).slice(0, total);
  const byTopic = TOPICS.map(() => 0);
  for (const c of courses) byTopic[c.topic] = (byTopic[c.topic] ?? 0) + 1;
  let next = 0;
  const pools = byTopic.map((n) => {
    const size = Math.max(1, Math.round((n / courses.length) * total));
    const pool = handles.slice(next, next + size);
    next += size;
    return pool.length > 0 ? pool : [handles[0] ?? 1];
  });
  const tables = pools.map((pool) => new AliasTable(pool.map((_, i) => 1 / Math.pow(i + 1, 0.5))));
  for (const c of courses) {
    const pool = pools[c.topic] ?? [1];
    const table = tables[c.topic] as AliasTable;
    const series = c.id.split('-').slice(0, 2).join('-');
    const r = new Rng(hashString(c.id, seed));
    const key = r.chance(0.7) ? hashString(series, seed) : hashString(c.id, seed ^ 0x5eed);
    c.author = pool[table.sample(new Rng(key))] ?? 1;
  }
}

/** The synthetic catalogue of default mode: the real size and tags-per-course histogram, ids and tags from TOPICS. */
export function syntheticCatalogue(seed: number): Catalogue {
  const rng = new Rng(seedOf(seed, 0xca7));
  const shares = TOPICS.map((t) => t.courses);
  const shareSum = shares.reduce((a, b) => a + b, 0);
  // Each topic's vocabulary: head tags, then long-tail tags made of a subject word and a qualifier.
  const vocab = TOPICS.map((t, ti) => {
    const tail: string[] = [];
    const r = new Rng(seedOf(seed, 0x7a9, ti));
    const words = [...t.words];
    const seen = new Set(t.tags);
    for (let k = 0; tail.length < 30 && k < 400; k++) {
      const tag = `${r.pick(words)}-${r.pick(TAIL_SUFFIXES)}`;
      if (!seen.has(tag)) {
        seen.add(tag);
        tail.push(tag);
      }
    }
    const tags = [...t.tags, ...tail];
    const weights = tags.map((_, i) => (i < t.tags.length ? 1 / Math.pow(i + 1, 0.95) : 0.012));
    return { tags, table: new AliasTable(weights) };
  });
  const hist = new AliasTable(TAGS_PER_COURSE);
  const ids = new Set<string>();
  const courses: Course[] = [];
  const usedNumbers = new Set<number>();
  TOPICS.forEach((topic, ti) => {
    const count =
      ti === TOPICS.length - 1
        ? CATALOGUE_SIZE - courses.length
        : Math.round((CATALOGUE_SIZE * (shares[ti] ?? 0)) / shareSum);
    const v = vocab[ti] as (typeof vocab)[number];
    for (let n = 0; n < count; n++) {
      const k = hist.sample(rng);
      const tags: string[] = [];
      for (let tries = 0; tags.length < k && tries < 50; tries++) {
        const other = rng.chance(0.07) ? (vocab[rng.int(vocab.length)] as (typeof vocab)[number]) : v;
        const tag = other.tags[other.table.sample(rng)] as string;
        if (!tags.includes(tag)) tags.push(tag);
      }
      const u = rng.float();
      const level: Level = u < 0.41 ? 'Beginner' : u < 0.89 ? 'Intermediate' : 'Advanced';
      const pattern = rng.pick(level === 'Beginner' ? BEGINNER : level === 'Advanced' ? ADVANCED : INTERMEDIATE);
      const own = tags.filter((t) => v.tags.includes(t));
      const subjects = [...topic.words, ...(own.length > 0 ? own : topic.tags.slice(0, 6)).map(slug)];
      let id = '';
      for (let tries = 0; id === '' || ids.has(id); tries++) {
        const a = rng.pick(subjects);
        const b = rng.chance(0.45) ? `-${rng.pick(subjects)}` : '';
        const base = rng.chance(0.2) && !topic.numbered ? `${pattern}-${a}${b}` : `${a}${b}-${pattern}`;
        id = base
          .replace(/-{2,}/g, '-')
          .split('-')
          .filter((w, i, all) => all.indexOf(w) === i)
          .join('-');
        if (topic.numbered || tries > 3) {
          let num = rng.range(1, 2700);
          while (usedNumbers.has(num)) num = rng.range(1, 2700);
          usedNumbers.add(num);
          id = `${id}-${num}`;
        }
      }
      ids.add(id);
      courses.push({
        id,
        tags,
        topic: ti,
        level,
        author: 0,
        popularity: popularityOf(id, level, rng, topic.numbered, 1.15),
      });
    }
  });
  courses.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  assignAuthors(courses, seed);
  return finish(courses, (tag) => topicOfTag(tag, vocab));
}

function topicOfTag(tag: string, vocab: readonly { tags: string[] }[]): number {
  const i = vocab.findIndex((v) => v.tags.includes(tag));
  return i < 0 ? 0 : i;
}

function finish(courses: Course[], topicOf: (tag: string) => number): Catalogue {
  const tagTopic = new Map<string, number>();
  const tagCourses = new Map<string, number>();
  for (const c of courses) {
    for (const t of c.tags) {
      tagCourses.set(t, (tagCourses.get(t) ?? 0) + 1);
      if (!tagTopic.has(t)) tagTopic.set(t, topicOf(t));
    }
  }
  return { courses, tagTopic, tagCourses };
}

/** Topic lookups by canonical seed tag and by word (token) of a tag or id. */
export function topicIndex(): { seeds: Map<string, number>; tokens: Map<string, number> } {
  const seeds = new Map<string, number>();
  const tokens = new Map<string, number>();
  TOPICS.forEach((t, ti) => {
    for (const tag of t.tags) if (!seeds.has(canonicalTag(tag))) seeds.set(canonicalTag(tag), ti);
    for (const [tag] of t.assess) if (!seeds.has(canonicalTag(tag))) seeds.set(canonicalTag(tag), ti);
    for (const w of t.tokens) if (!tokens.has(w)) tokens.set(w, ti);
  });
  return { seeds, tokens };
}

/** Topic votes from the words of a tag or course id; undefined when no word is known. */
export function topicByTokens(text: string, tokens: Map<string, number>): number | undefined {
  const votes = new Map<number, number>();
  for (const w of canonicalTag(text).split(/[-.]/)) {
    const t = tokens.get(w);
    if (t !== undefined) votes.set(t, (votes.get(t) ?? 0) + 1);
  }
  return argmax(votes);
}

function argmax(votes: Map<number, number>): number | undefined {
  let best: number | undefined;
  let bestVotes = 0;
  for (const [t, v] of [...votes.entries()].sort((a, b) => a[0] - b[0])) {
    if (v > bestVotes) {
      best = t;
      bestVotes = v;
    }
  }
  return best;
}

/**
 * The real catalogue from course_tags rows ([course_id, tag], tag possibly empty). Tags are attached to topics by the
 * seed lists, then by co-occurrence on courses, then by their words; a course takes the majority topic of its tags.
 */
export function realCatalogue(rows: readonly (readonly [string, string])[], seed: number): Catalogue {
  const { seeds, tokens } = topicIndex();
  const byCourse = new Map<string, string[]>();
  for (const [id, tag] of rows) {
    let tags = byCourse.get(id);
    if (tags === undefined) byCourse.set(id, (tags = []));
    if (tag !== '' && !tags.includes(tag)) tags.push(tag);
  }
  const tagTopic = new Map<string, number>();
  const allTags = new Set<string>();
  for (const tags of byCourse.values()) for (const t of tags) allTags.add(t);
  for (const t of allTags) {
    const s = seeds.get(canonicalTag(t));
    if (s !== undefined) tagTopic.set(t, s);
  }
  for (let round = 0; round < 3; round++) {
    const votes = new Map<string, Map<number, number>>();
    for (const tags of byCourse.values()) {
      for (const t of tags) {
        if (tagTopic.has(t)) continue;
        for (const o of tags) {
          const ot = tagTopic.get(o);
          if (ot === undefined) continue;
          let v = votes.get(t);
          if (v === undefined) votes.set(t, (v = new Map<number, number>()));
          v.set(ot, (v.get(ot) ?? 0) + 1);
        }
      }
    }
    for (const [t, v] of votes) {
      const best = argmax(v);
      if (best !== undefined) tagTopic.set(t, best);
    }
  }
  const shareTable = new AliasTable(TOPICS.map((t) => t.courses));
  for (const t of [...allTags].sort()) {
    if (tagTopic.has(t)) continue;
    const byWords = topicByTokens(t, tokens);
    tagTopic.set(t, byWords ?? shareTable.sample(new Rng(hashString(t, seed))));
  }
  const courses: Course[] = [];
  for (const [id, tags] of byCourse) {
    const votes = new Map<number, number>();
    for (const t of tags) {
      const tt = tagTopic.get(t) as number;
      votes.set(tt, (votes.get(tt) ?? 0) + (seeds.has(canonicalTag(t)) ? 2 : 1));
    }
    const topic = argmax(votes) ?? topicByTokens(id, tokens) ?? shareTable.sample(new Rng(hashString(id, seed)));
    const rng = new Rng(hashString(id, seed ^ 0x1e7e1));
    const level = levelOf(id, rng, [0.27, 0.65]);
    const numbered = /-\d+$/.test(id);
    courses.push({ id, tags, topic, level, author: 0, popularity: popularityOf(id, level, rng, numbered, 1.0) });
  }
  // Index order is id order: a user's views on one day are written in course id order, as in the real table.
  courses.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  assignAuthors(courses, seed);
  const tagCourses = new Map<string, number>();
  for (const c of courses) for (const t of c.tags) tagCourses.set(t, (tagCourses.get(t) ?? 0) + 1);
  return { courses, tagTopic, tagCourses };
}
