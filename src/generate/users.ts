// Users: a plan for all of them first (community, viewer or not, how many courses; a few small arrays even
// at a million users), then each user's rows in turn, each from its own random stream, so the output is
// the same whatever the order or batching of the work.
import { canonicalTag } from '../tags';
import { AliasTable, CountDistribution, weibull } from './distributions';
import type { Choice, Model } from './model';
import { Rng, seedOf } from './prng';
import { TOPICS } from './topics';

/** Day 0 of the views window (2017-05-01); the window has 212 days, to 2017-11-28. */
const DAY0 = Date.UTC(2017, 4, 1);
export const VIEW_DAYS = 212;
/** First assessment day (2016-07-13) relative to DAY0. */
const ASSESS_FIRST_DAY = Math.round((Date.UTC(2016, 6, 13) - DAY0) / 86400000);

const DAY_STRINGS: string[] = [];
for (let d = ASSESS_FIRST_DAY; d < VIEW_DAYS + 40; d++)
  DAY_STRINGS.push(new Date(DAY0 + d * 86400000).toISOString().slice(0, 10));
function day(d: number): string {
  return DAY_STRINGS[d - ASSESS_FIRST_DAY] as string;
}
function pad2(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}
/** 'YYYY-MM-DD HH:MM:SS' of a time in seconds since DAY0. */
function timestamp(secs: number): string {
  const d = Math.floor(secs / 86400);
  const s = secs - d * 86400;
  return `${day(d)} ${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}`;
}

/** Knobs of the behaviour model, calibrated at 10,000 users against CALIBRATION.md (bench/generate.ts prints the check). */
export const KNOBS = {
  viewer: 0.876,
  viewerIfAssessed: 0.934,
  viewerIfNotAssessed: 0.85,
  assessedIfViewer: 0.332,
  assessedIfNotViewer: 0.165,
  secondCommunity: 0.6,
  /**
   * Shares of a user's draws of courses: main community, second community (when there is one), everyone (noise).
   */
  mainShare: 0.68,
  secondShare: 0.12,
  /**
   * The same for followed tags: how strongly a user's interests follow the communities their courses come from.
   * With these shares, interests-only and views-only neighbours recommend held-out courses as well, relative to
   * popularity, as they do on the real behaviour structure (`npm run bench -- generate` prints both).
   */
  interestMainShare: 0.3,
  interestSecondShare: 0.08,
  /** Scales the tags-per-user law; the real catalogue's alias spellings merge more pairs than the synthetic one. */
  interestScale: { real: 1.03, synthetic: 0.98 },
  echoAssessment: 0.5,
  splitBatch: 0.08,
  refollow: 0.3,
  dupUser: 0.125,
  dupRow: 0.5,
  singleDay: 0.52,
  repeatP: 0.28,
  gapP: 0.22,
  secondsShape: 0.82,
  secondsScale: 2500,
  userSecondsSigma: 0.3,
};

/** Distinct tags per user (CALIBRATION.md, NPZ quantiles: p10 1, p25 5, p50 11, p75 23, p90 45, p95 68, p99 138, max 646). */
const TAGS_PER_USER = new CountDistribution(
  [0.112],
  [
    [5, 0.25],
    [11, 0.5],
    [23, 0.75],
    [45, 0.9],
    [68, 0.95],
    [138, 0.99],
    [646, 1],
  ],
);
/** Distinct courses per viewer (exact counts for 1..10 of 8,760, then p75 14, p90 28, p95 43, p99 95, max 533). */
const COURSES_PER_VIEWER = new CountDistribution(
  [1468, 1083, 767, 622, 492, 377, 350, 311, 280, 235].map((c) => c / 8760),
  [
    [13, 0.75],
    [27, 0.9],
    [43, 0.95],
    [50, 0.9606],
    [95, 0.99],
    [100, 0.9913],
    [150, 0.997],
    [250, 0.9993],
    [533, 1],
  ],
);
/** Assessments per assessed user (counts of 3,114 users for k = 1..15). */
const ASSESSMENTS_PER_USER = new AliasTable([1734, 561, 329, 177, 133, 70, 41, 29, 15, 12, 5, 3, 2, 2, 1]);

export interface Plan {
  users: number;
  community: Uint8Array;
  /** Second community, or 255 for none. */
  second: Uint8Array;
  viewer: Uint8Array;
  assessed: Uint8Array;
  courses: Uint16Array;
  /** Courses given to a user so that every course of the catalogue is viewed by someone. */
  forced: Map<number, number[]>;
  /**
   * Share of a user's followed tags drawn from their communities (main and second together); the rest come from
   * everyone's. The calibrated default is KNOBS.interestMainShare + KNOBS.interestSecondShare; higher values make
   * interests carry the community (data with strong interest signal, for checking that the fit uses it).
   */
  interestShare: number;
}

/** The calibrated share of followed tags drawn from a user's communities. */
export const CALIBRATED_INTEREST_SHARE = KNOBS.interestMainShare + KNOBS.interestSecondShare;

/** The real assessments table, as each assessed user's canonical assessment tags. */
export interface RealAssessments {
  byUser: Map<number, string[]>;
}

/** Plans every user; with real assessments, assessed users take the community their assessment tags point at. */
export function planUsers(
  n: number,
  seed: number,
  model: Model,
  real?: RealAssessments,
  interestShare = CALIBRATED_INTEREST_SHARE,
): Plan {
  const plan: Plan = {
    users: n,
    interestShare,
    community: new Uint8Array(n + 1),
    second: new Uint8Array(n + 1),
    viewer: new Uint8Array(n + 1),
    assessed: new Uint8Array(n + 1),
    courses: new Uint16Array(n + 1),
    forced: new Map(),
  };
  for (let h = 1; h <= n; h++) {
    const rng = new Rng(seedOf(seed, h, 1));
    const tags = real?.byUser.get(h);
    let community = model.topicShares.sample(rng);
    if (tags !== undefined && rng.chance(0.85)) {
      const votes = new Map<number, number>();
      for (const t of tags) {
        const ti = model.topicOfCanonical(t);
        if (ti !== undefined) votes.set(ti, (votes.get(ti) ?? 0) + 1 + rng.float() * 0.5);
      }
      let best = -1;
      for (const [ti, v] of votes) if (best < 0 || v > (votes.get(best) ?? 0)) best = ti;
      if (best >= 0) community = best;
    }
    plan.community[h] = community;
    let second = 255;
    if (rng.chance(KNOBS.secondCommunity)) {
      for (let k = 0; k < 8 && (second === 255 || second === community); k++) second = model.topicShares.sample(rng);
      if (second === community) second = 255;
    }
    plan.second[h] = second;
    let viewer: boolean;
    let assessed: boolean;
    if (real !== undefined) {
      assessed = tags !== undefined;
      viewer = rng.chance(assessed ? KNOBS.viewerIfAssessed : KNOBS.viewerIfNotAssessed);
    } else {
      viewer = rng.chance(KNOBS.viewer);
      assessed = rng.chance(viewer ? KNOBS.assessedIfViewer : KNOBS.assessedIfNotViewer);
    }
    plan.viewer[h] = viewer ? 1 : 0;
    plan.assessed[h] = assessed ? 1 : 0;
    plan.courses[h] = viewer ? Math.min(60000, COURSES_PER_VIEWER.sample(rng)) : 0;
  }
  forceCoverage(plan, seed, model);
  return plan;
}

/** Courses the community model would likely leave unviewed go to a heavier viewer of their community. */
function forceCoverage(plan: Plan, seed: number, model: Model): void {
  let pairs = 0;
  const byTopic: number[][] = TOPICS.map(() => []);
  const heavy: number[] = [];
  for (let h = 1; h <= plan.users; h++) {
    const c = plan.courses[h] ?? 0;
    pairs += c;
    if (c >= 4) {
      byTopic[plan.community[h] ?? 0]?.push(h);
      heavy.push(h);
    }
  }
  if (heavy.length === 0) return;
  const probs = model.globalCourses.table.probabilities();
  const expected = new Float64Array(model.catalogue.courses.length);
  model.globalCourses.items.forEach((ci, k) => (expected[ci] = pairs * (probs[k] ?? 0)));
  const rng = new Rng(seedOf(seed, 0xc0fe));
  model.catalogue.courses.forEach((course, ci) => {
    if ((expected[ci] ?? 0) >= 3.5) return;
    const own = byTopic[course.topic] ?? [];
    // At most half of a user's courses are forced ones, so that few users leave a course unviewed instead.
    for (let tries = 0; tries < 12; tries++) {
      const h = rng.pick(tries < 8 && own.length > 0 ? own : heavy);
      const list = plan.forced.get(h) ?? [];
      if (list.length >= Math.floor((plan.courses[h] ?? 0) / 2)) continue;
      if (list.length === 0) plan.forced.set(h, list);
      list.push(ci);
      return;
    }
  });
}

export interface UserRows {
  interests: string;
  interestRows: number;
  views: string;
  viewRows: number;
  assessments: string;
  assessmentRows: number;
}

/** Scratch space reused across users: stamps mark what a user already has, without clearing. */
export class Scratch {
  readonly unitStamp: Int32Array;
  readonly courseStamp: Int32Array;
  readonly assessStamp: Int32Array;
  constructor(model: Model) {
    this.unitStamp = new Int32Array(model.units.length);
    this.courseStamp = new Int32Array(model.catalogue.courses.length);
    this.assessStamp = new Int32Array(Math.max(1, model.assessTags.length));
  }
}

/** Pre-formatted pieces of rows, so that a row is one short concatenation. */
export class Formats {
  readonly tag: Map<string, string>;
  readonly course: string[];
  readonly dayQuoted: (d: number) => string;
  constructor(model: Model) {
    this.tag = new Map();
    for (const u of model.units) for (const t of u) this.tag.set(t, quote(t));
    this.course = model.catalogue.courses.map((c) => `,${quote(c.id)},${c.author},"${c.level}",`);
    const quoted = new Map<number, string>();
    this.dayQuoted = (d) => {
      let s = quoted.get(d);
      if (s === undefined) quoted.set(d, (s = `"${day(d)}"`));
      return s;
    };
  }
}

/** A CSV field in the quoted style of the real tables. */
export function quote(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

function draw(rng: Rng, c: Choice): number {
  return c.items[c.table.sample(rng)] as number;
}

/** All rows of one user. `assessments` are the user's canonical assessment tags in --with-real mode. */
export function userRows(
  h: number,
  seed: number,
  plan: Plan,
  model: Model,
  scratch: Scratch,
  fmt: Formats,
  realAssessed: readonly string[] | undefined,
  synthesiseAssessments: boolean,
): UserRows {
  const rng = new Rng(seedOf(seed, h, 2));
  const main = plan.community[h] ?? 0;
  const second = plan.second[h] ?? 255;
  const p1 = second === 255 ? KNOBS.mainShare + KNOBS.secondShare : KNOBS.mainShare;
  const p2 = second === 255 ? 0 : KNOBS.secondShare;
  // The calibrated split of the communities' share between main and second, scaled to the plan's share.
  const q = plan.interestShare / CALIBRATED_INTEREST_SHARE;
  const q1 = second === 255 ? plan.interestShare : KNOBS.interestMainShare * q;
  const q2 = second === 255 ? 0 : KNOBS.interestSecondShare * q;
  const pickWith =
    (s1: number, s2: number) =>
    (perTopic: readonly Choice[], global: Choice): Choice => {
      const u = rng.float();
      return u < s1 ? (perTopic[main] as Choice) : u < s1 + s2 ? (perTopic[second] as Choice) : global;
    };
  const pick = pickWith(p1, p2);
  const pickInterest = pickWith(q1, q2);

  // Activity window in days.
  const start = rng.int(VIEW_DAYS);
  let length = Math.min(VIEW_DAYS - 1 - start, Math.floor(-Math.log(1 - rng.float()) * 80));
  length = Math.max(length, Math.min(VIEW_DAYS - 1 - start, (plan.courses[h] ?? 0) * 2));

  // Assessments (default mode): tags of the user's topics, dates rising towards 2017-11, scores around 143.
  let assessments = '';
  let assessmentRows = 0;
  let assessedCanonical: readonly string[] = realAssessed ?? [];
  if (synthesiseAssessments && plan.assessed[h] === 1) {
    const k = ASSESSMENTS_PER_USER.sample(rng) + 1;
    const chosen: string[] = [];
    for (let tries = 0; chosen.length < k && tries < 40 * k; tries++) {
      const u = rng.float();
      const c =
        u < 0.6 ? model.topicAssess[main] : u < 0.7 && second !== 255 ? model.topicAssess[second] : model.globalAssess;
      const ai = draw(rng, c as Choice);
      if (scratch.assessStamp[ai] === h) continue;
      scratch.assessStamp[ai] = h;
      chosen.push(model.assessTags[ai] as string);
    }
    chosen.sort();
    const skill = 35 * rng.normal();
    const span = VIEW_DAYS - 1 - ASSESS_FIRST_DAY;
    const tau = 155;
    for (const tag of chosen) {
      const t = tau * Math.log(1 + rng.float() * (Math.exp(span / tau) - 1));
      const secs = (ASSESS_FIRST_DAY + Math.min(span, Math.floor(t))) * 86400 + rng.int(86400);
      const score = Math.max(0, Math.min(300, Math.round(143 + skill + 45 * rng.normal())));
      assessments += `${h},${quote(tag)},"${timestamp(secs)}",${score}\n`;
      assessmentRows++;
    }
    assessedCanonical = chosen.map(canonicalTag);
  }

  // Interests: units from the user's communities until the target count of tags is reached.
  const scale = synthesiseAssessments ? KNOBS.interestScale.synthetic : KNOBS.interestScale.real;
  const target = Math.max(1, Math.round(TAGS_PER_USER.sample(rng) * scale));
  const tags: string[] = [];
  const take = (ui: number) => {
    scratch.unitStamp[ui] = h;
    for (const t of model.units[ui] as string[]) tags.push(t);
  };
  for (const a of assessedCanonical) {
    const ui = model.unitByCanonical.get(a);
    if (ui !== undefined && scratch.unitStamp[ui] !== h && rng.chance(KNOBS.echoAssessment)) take(ui);
  }
  for (let tries = 0; tags.length < target && tries < 40 + 10 * target; tries++) {
    const ui = draw(
      rng,
      tries < 20 + 5 * target ? pickInterest(model.topicUnits, model.globalUnits) : model.globalUnits,
    );
    if (scratch.unitStamp[ui] !== h) take(ui);
  }
  const t0 = (start + (rng.chance(0.5) ? 0 : rng.int(Math.min(length, 30) + 1))) * 86400 + rng.int(86400);
  const batches: { at: number; tags: readonly string[] }[] = [];
  if (tags.length >= 4 && rng.chance(KNOBS.splitBatch)) {
    const cut = 1 + rng.int(tags.length - 1);
    batches.push({ at: t0, tags: tags.slice(0, cut) }, { at: t0 + later(rng), tags: tags.slice(cut) });
  } else {
    batches.push({ at: t0, tags });
  }
  if (rng.chance(KNOBS.refollow)) {
    const part = rng.chance(0.7) ? tags : tags.slice(0, 1 + rng.int(tags.length));
    batches.push({ at: t0 + later(rng), tags: part });
  }
  const lastSecond = VIEW_DAYS * 86400 - 1;
  for (const b of batches) b.at = Math.min(b.at, lastSecond);
  batches.sort((a, b) => a.at - b.at);
  const dupProne = rng.chance(KNOBS.dupUser);
  let interests = '';
  let interestRows = 0;
  for (const b of batches) {
    const when = `,"${timestamp(b.at)}"\n`;
    for (const t of b.tags) {
      const row = `${h},${fmt.tag.get(t) ?? quote(t)}${when}`;
      interests += row;
      interestRows++;
      if (dupProne && rng.chance(KNOBS.dupRow)) {
        interests += row;
        interestRows++;
      }
    }
  }

  // Views: distinct courses, each watched on one or more days, seconds per day from a Weibull law.
  let views = '';
  let viewRows = 0;
  const want = plan.courses[h] ?? 0;
  if (want > 0) {
    const courses: number[] = [];
    for (const ci of plan.forced.get(h) ?? []) {
      if (scratch.courseStamp[ci] !== h) {
        scratch.courseStamp[ci] = h;
        courses.push(ci);
      }
    }
    for (let tries = 0; courses.length < want && tries < 40 + 20 * want; tries++) {
      const ci = draw(
        rng,
        tries < 20 + 10 * want ? pick(model.topicCourses, model.globalCourses) : model.globalCourses,
      );
      if (scratch.courseStamp[ci] !== h) {
        scratch.courseStamp[ci] = h;
        courses.push(ci);
      }
    }
    const userScale = KNOBS.secondsScale * Math.exp(KNOBS.userSecondsSigma * rng.normal());
    const keys: number[] = [];
    for (const ci of courses) {
      let d = start + rng.int(length + 1);
      const days = rng.chance(KNOBS.singleDay) ? 1 : 2 + rng.geometric(KNOBS.repeatP);
      for (let k = 0; k < days && d < VIEW_DAYS; k++) {
        let x = weibull(rng, KNOBS.secondsShape, userScale);
        if (x < 1 && rng.chance(0.8)) x = weibull(rng, KNOBS.secondsShape, userScale);
        const secs = Math.min(86399, Math.floor(x));
        keys.push((d * 65536 + ci) * 131072 + secs);
        d += 1 + rng.geometric(KNOBS.gapP);
      }
    }
    keys.sort((a, b) => a - b);
    for (const key of keys) {
      const secs = key % 131072;
      const rest = (key - secs) / 131072;
      const ci = rest % 65536;
      views += `${h},${fmt.dayQuoted((rest - ci) / 65536)}${fmt.course[ci]}${secs}\n`;
      viewRows++;
    }
  }
  return { interests, interestRows, views, viewRows, assessments, assessmentRows };
}

/** A later follow: usually seconds to minutes after, sometimes days. */
function later(rng: Rng): number {
  return rng.chance(0.7) ? 10 + rng.int(600) : 86400 * (1 + rng.int(20)) + rng.int(86400);
}
