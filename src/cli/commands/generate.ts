// generate: write a seeded synthetic data set (all four tables), or the two missing tables against the real ones.
import { badInput } from '../../errors';
import type { Command } from '../command';
import type * as Generate from '../../generate/generate';
import { intOption, parse } from '../command';

export const generateCommand: Command = {
  name: 'generate',
  summary:
    'Write a seeded, deterministic data set (four tables + communities.csv), or interests and views for the real tables',
  usage: 'similar-users generate --users N --out DIR [--seed S] [--with-real DIR] [--gzip] [--interest-share 0..1]',
  async run(argv) {
    const { values } = parse(this, argv, {
      users: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      'with-real': { type: 'string' },
      gzip: { type: 'boolean' },
      'interest-share': { type: 'string' },
    });
    if (values.users === undefined)
      throw badInput(`--users: expected an integer 1..10000000, got nothing\nusage: ${this.usage}`);
    if (values.out === undefined || values.out === '')
      throw badInput(`--out: expected a folder, got nothing\nusage: ${this.usage}`);
    const users = intOption('users', values.users, 0, 1, 10_000_000);
    const seed = intOption('seed', values.seed, 1, 0, 2 ** 31 - 1);
    const share = values['interest-share'];
    const interestShare = share === undefined ? undefined : Number(share);
    if (interestShare !== undefined && !(share!.trim() !== '' && interestShare >= 0 && interestShare <= 1)) {
      throw badInput(
        `--interest-share: expected a number from 0 to 1 (share of followed tags drawn from a user's communities), got "${share}"`,
      );
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { generate } = require('../../generate/generate') as typeof Generate;
    const summary = await generate({
      users,
      seed,
      out: values.out,
      withReal: values['with-real'],
      gzip: values.gzip === true,
      interestShare,
    });
    for (const f of summary.files) process.stdout.write(`${f.path}: ${f.rows.toLocaleString('en-US')} rows\n`);
    process.stdout.write(
      `${summary.users.toLocaleString('en-US')} users, ${summary.courses.toLocaleString('en-US')} courses, seed ${seed}, ${summary.seconds.toFixed(1)} s\n`,
    );
    return 0;
  },
};

export const commands: Command[] = [generateCommand];
