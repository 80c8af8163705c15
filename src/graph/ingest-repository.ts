// Writes of the importer: one transaction per batch, each running the statements of cypher/ingest/.
// Every statement merges idempotently, so a batch can be retried and a file re-imported without change.
import { cypher, type RowOf } from './cypher';
import type { Graph, TxRunner } from './executor';

export interface TagWrite {
  /** Canonical name. */
  name: string;
  /** Raw spellings seen, distinct and sorted. */
  aliases: string[];
}

export interface CourseTagsWrite {
  id: string;
  /** Canonical tag names, possibly none (a course listed with a blank tag). */
  tags: string[];
}

export interface CourseWrite {
  id: string;
  level: string;
  author: number;
}

export interface UserViewsWrite {
  handle: number;
  /** One entry per course; dates ascending and distinct, secs aligned with dates, seconds their sum. */
  views: { course: string; dates: string[]; secs: number[]; seconds: number }[];
}

export interface UserInterestsWrite {
  handle: number;
  /** One entry per canonical tag; times `YYYY-MM-DDTHH:MM:SS`, ascending and distinct. */
  tags: { name: string; times: string[] }[];
}

export interface UserAssessmentsWrite {
  handle: number;
  /** One entry per attempt (tag, at). */
  attempts: { tag: string; at: string; score: number }[];
}

/** Nodes by label and relationships by type: the columns of cypher/ingest/count-graph.cypher. */
export type GraphCounts = RowOf<'ingest/count-graph'>;

/** An import that started and never completed (and no later import of its folder has redone). */
export interface IncompleteImport {
  id: string;
  dir: string;
  files: string[];
  owner: string;
  startedAt: string;
}

export interface ImportRunStart {
  id: string;
  dir: string;
  files: string[];
  sizes: number[];
  mtimes: string[];
  owner: string;
}

export interface ImportRunEnd {
  id: string;
  read: number;
  imported: number;
  duplicates: number;
  rejected: number;
  /** The graph's counts after the run, as JSON. */
  counts: string;
}

const META = { app: 'similar-users', job: 'import' };

/**
 * Splits a batch into users without edges of the kind yet (written with CREATE) and users with some (merged).
 * Asked inside the write transaction, so a retried transaction decides again on what it sees.
 */
async function split<U extends { handle: number }>(
  tx: TxRunner,
  query: 'ingest/users-with-views' | 'ingest/users-with-interests' | 'ingest/users-with-assessments',
  users: U[],
): Promise<[U[], U[]]> {
  const [row] = await tx.run(cypher(query), { handles: users.map((u) => u.handle) });
  const known = new Set(row?.handles ?? []);
  if (known.size === 0) return [users, []];
  return [users.filter((u) => !known.has(u.handle)), users.filter((u) => known.has(u.handle))];
}

export class IngestRepository {
  constructor(private readonly graph: Graph) {}

  /** Catalogue rows: tags first (with their raw forms), then courses and their TAGGED edges. */
  async writeCourseTags(tags: TagWrite[], courses: CourseTagsWrite[]): Promise<void> {
    await this.graph.unit(
      'WRITE',
      async (tx) => {
        if (tags.length > 0) await tx.run(cypher('ingest/merge-tags'), { tags });
        if (courses.length > 0) await tx.run(cypher('ingest/merge-course-tags'), { courses });
      },
      META,
    );
  }

  /**
   * View rows: the courses (level, author) not yet written, then the aggregated VIEWED edges: created for
   * users who have none yet, merged day by day for the others.
   */
  async writeViews(courses: CourseWrite[], users: UserViewsWrite[]): Promise<void> {
    await this.graph.unit(
      'WRITE',
      async (tx) => {
        if (courses.length > 0) await tx.run(cypher('ingest/merge-courses'), { courses });
        if (users.length === 0) return;
        const [fresh, known] = await split(tx, 'ingest/users-with-views', users);
        if (fresh.length > 0) await tx.run(cypher('ingest/create-views'), { users: fresh });
        if (known.length > 0) await tx.run(cypher('ingest/merge-views'), { users: known });
      },
      META,
    );
  }

  /** Interest rows: new tag spellings, then INTERESTED_IN edges, created or merged as for views. */
  async writeInterests(tags: TagWrite[], users: UserInterestsWrite[]): Promise<void> {
    await this.graph.unit(
      'WRITE',
      async (tx) => {
        if (tags.length > 0) await tx.run(cypher('ingest/merge-tags'), { tags });
        if (users.length === 0) return;
        const [fresh, known] = await split(tx, 'ingest/users-with-interests', users);
        if (fresh.length > 0) await tx.run(cypher('ingest/create-interests'), { users: fresh });
        if (known.length > 0) await tx.run(cypher('ingest/merge-interests'), { users: known });
      },
      META,
    );
  }

  /** Assessment rows: new tag spellings, then ASSESSED edges, created or merged as for views. */
  async writeAssessments(tags: TagWrite[], users: UserAssessmentsWrite[]): Promise<void> {
    await this.graph.unit(
      'WRITE',
      async (tx) => {
        if (tags.length > 0) await tx.run(cypher('ingest/merge-tags'), { tags });
        if (users.length === 0) return;
        const [fresh, known] = await split(tx, 'ingest/users-with-assessments', users);
        if (fresh.length > 0) await tx.run(cypher('ingest/create-assessments'), { users: fresh });
        if (known.length > 0) await tx.run(cypher('ingest/merge-assessments'), { users: known });
      },
      META,
    );
  }

  /** Handles of users forgotten with `npm run forget`. */
  async forgottenHandles(): Promise<Set<number>> {
    const [row] = await this.graph.read(cypher('ingest/forgotten-handles'));
    return new Set(row?.handles ?? []);
  }

  /** Clears the forgotten mark of users that an import brought back; returns how many. */
  async unforgetImported(): Promise<number> {
    const [row] = await this.graph.write(cypher('ingest/unforget-imported'));
    return row?.unforgotten ?? 0;
  }

  /** Records an import run as started (an ImportRun node without completedAt). */
  async beginImportRun(run: ImportRunStart): Promise<void> {
    await this.graph.write(cypher('ingest/begin-import-run'), { ...run });
  }

  /** Marks the run completed; returns how many earlier incomplete runs of the same folder it redid. */
  async completeImportRun(run: ImportRunEnd): Promise<number> {
    const [row] = await this.graph.write(cypher('ingest/complete-import-run'), { ...run });
    return row?.redone ?? 0;
  }

  async incompleteImportRuns(): Promise<IncompleteImport[]> {
    return this.graph.read(cypher('ingest/incomplete-import-runs'));
  }

  async counts(): Promise<GraphCounts> {
    const [row] = await this.graph.read(cypher('ingest/count-graph'));
    if (row === undefined) throw new Error('count-graph returned no row');
    return row;
  }
}
