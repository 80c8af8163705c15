// The one text-table printer of the reports: alignment, the rule under the head, no trailing spaces.
import { table } from '../../src/text-table';

test('first and listed columns left-aligned, numbers right-aligned, a rule under the head', () => {
  expect(
    table(
      ['model', 'note', 'edges'],
      [
        ['als', 'x', '10'],
        ['course_views', 'longer note', '7'],
      ],
      [1],
    ),
  ).toBe(
    [
      'model         note         edges',
      '------------  -----------  -----',
      'als           x               10',
      'course_views  longer note      7',
    ].join('\n'),
  );
  expect(table(['a', 'b'], [['1', '']])).toBe('a  b\n-  -\n1');
});
