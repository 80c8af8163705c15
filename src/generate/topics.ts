// The latent interest communities of the generator, read from topics.json (data, not code) and validated at load:
// a malformed file stops the generator with the field that is wrong, before any row is written.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const TOPICS_FILE = path.join(__dirname, 'topics.json');

const words = (min = 0) => z.array(z.string().min(1)).min(min).readonly();
const topicSchema = z
  .object({
    name: z.string().min(1),
    /** Relative share of users whose main interest this is. */
    users: z.number().positive(),
    /** Relative share of the catalogue's courses (default mode). */
    courses: z.number().positive(),
    /** Course ids of this area end in -<digits> (like the acquired creative catalogue). */
    numbered: z.boolean(),
    /** Head tags in course-tag spelling, most followed first. */
    tags: words(1),
    /** Subject words for long-tail tags and course titles (default mode). */
    words: words(1),
    /** Tokens of a tag or course id that point at this topic (real mode). */
    tokens: words(),
    /** Tags followed together as one unit (identical follower sets in the real data). */
    bundles: z.array(words(2)).readonly(),
    /** Assessment tags in the assessment table's own spelling, with relative frequency. */
    assess: z.array(z.tuple([z.string().min(1), z.number().positive()]).readonly()).readonly(),
  })
  .strict()
  .readonly();

export type Topic = z.infer<typeof topicSchema>;

/** Parses and checks the topics file's text: every field typed, names unique, at most 255 topics (one byte each). */
export function parseTopics(text: string, file = TOPICS_FILE): readonly Topic[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: expected JSON, got a parse error: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  const parsed = z
    .object({ description: z.string().optional(), topics: z.array(topicSchema).min(1).max(255) })
    .strict()
    .safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new Error(`${file}: expected ${i.message} at ${i.path.join('.') || '(top level)'}`);
  }
  const seen = new Set<string>();
  for (const t of parsed.data.topics) {
    if (seen.has(t.name)) throw new Error(`${file}: expected unique topic names, got "${t.name}" twice`);
    seen.add(t.name);
  }
  return parsed.data.topics;
}

export const TOPICS: readonly Topic[] = parseTopics(fs.readFileSync(TOPICS_FILE, 'utf8'));
