// Canonical tag names: course tags, interest tags and assessment tags name the same topics in different forms.
//
// The rule, applied to every tag from every table:
//   1. trim, lower-case, turn runs of spaces or underscores into one hyphen, collapse repeated hyphens,
//      and drop hyphens at either end ("Cloud-computing" -> "cloud-computing", "Team Foundation Server" -> "team-foundation-server");
//   2. map a known alias to its canonical spelling with ALIASES below (the course-tag spelling wins, since the
//      catalogue is where most tags live: "c-sharp" and "csharp" -> "c#", "node-js" -> "nodejs").
// The raw forms seen are kept on the Tag node (`aliases`) so nothing about the source spelling is lost.

/** alias -> canonical; both sides already in the form of step 1. */
export const ALIASES: Readonly<Record<string, string>> = {
  csharp: 'c#',
  'c-sharp': 'c#',
  cpp: 'c++',
  cplusplus: 'c++',
  'c-plus-plus': 'c++',
  'node-js': 'nodejs',
  'node.js': 'nodejs',
  react: 'react.js',
  reactjs: 'react.js',
  'react-js': 'react.js',
  'angular-js': 'angular',
  angularjs: 'angular',
  'aspnet-mvc-5': 'asp.net-mvc5',
  'aspnet-mvc': 'asp.net-mvc',
  'aspdotnet-mvc': 'asp.net-mvc',
  aspdotnet: 'asp.net',
  backbonedotjs: 'backbone.js',
  underscoredotjs: 'underscore.js',
  'd3-js': 'd3.js',
  'ember-js': 'ember.js',
  'require-js': 'require.js',
  'the-scrum-framework': 'scrum',
};

/** Step 1 of the rule: the spelling normal form, without aliasing. */
export function normaliseTagForm(raw: string): string {
  return raw
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The canonical name of a tag; the empty string when nothing is left (the caller rejects or skips it). */
export function canonicalTag(raw: string): string {
  const form = normaliseTagForm(raw);
  return ALIASES[form] ?? form;
}
