import { describe, expect, it } from 'vitest';
import { parseJsonPath, PartialArgsWriter, type PartialArg } from './partial-args.js';

function write(args: PartialArg[]): string {
  const w = new PartialArgsWriter();
  return args.map((a) => w.push(a)).join('') + w.end();
}

describe('parseJsonPath', () => {
  it.each([
    ['$.a', ['a']],
    ['$.a.b[0].c', ['a', 'b', 0, 'c']],
    ["$['with space'][12]", ['with space', 12]],
    ['$["q"]', ['q']],
  ])('%s', (path, segments) => {
    expect(parseJsonPath(path)).toEqual(segments);
  });

  it.each(['a.b', '$..a', '$[x]', '$[1'])('rejects %s', (path) => {
    expect(parseJsonPath(path)).toBeUndefined();
  });
});

describe('PartialArgsWriter', () => {
  it('writes {} when no argument arrives', () => {
    expect(write([])).toBe('{}');
  });

  it('streams a string in pieces', () => {
    const w = new PartialArgsWriter();
    const pieces = [
      w.push({ jsonPath: '$.location', stringValue: 'San ', willContinue: true }),
      w.push({ jsonPath: '$.location', stringValue: 'Francisco "SF"', willContinue: true }),
      w.push({ jsonPath: '$.location', stringValue: '' }),
      w.end(),
    ];
    expect(pieces).toEqual(['{"location":"San ', 'Francisco \\"SF\\"', '"', '}']);
    expect(JSON.parse(pieces.join(''))).toEqual({ location: 'San Francisco "SF"' });
  });

  it('builds nested objects and arrays in order', () => {
    const text = write([
      { jsonPath: '$.recipe.ingredients[0].amount', stringValue: '16 oz' },
      { jsonPath: '$.recipe.ingredients[0].name', stringValue: 'Noodles' },
      { jsonPath: '$.recipe.ingredients[1].amount', stringValue: '1 lb' },
      { jsonPath: '$.recipe.name', stringValue: 'Lasagna' },
      { jsonPath: '$.recipe.steps[0]', stringValue: 'Preheat', willContinue: true },
      { jsonPath: '$.recipe.steps[0]', stringValue: ' oven' },
      { jsonPath: '$.recipe.steps[1]', stringValue: 'Bake' },
      { jsonPath: '$.count', numberValue: 2 },
      { jsonPath: '$.ok', boolValue: true },
      { jsonPath: '$.none', nullValue: 'NULL_VALUE' },
    ]);
    expect(JSON.parse(text)).toEqual({
      recipe: {
        ingredients: [{ amount: '16 oz', name: 'Noodles' }, { amount: '1 lb' }],
        name: 'Lasagna',
        steps: ['Preheat oven', 'Bake'],
      },
      count: 2,
      ok: true,
      none: null,
    });
  });

  it('closes a string left open and fills index gaps with null', () => {
    const text = write([
      { jsonPath: '$.a', stringValue: 'x', willContinue: true },
      { jsonPath: '$.list[1]', numberValue: 5 },
    ]);
    expect(JSON.parse(text)).toEqual({ a: 'x', list: [null, 5] });
  });

  it('ignores entries without a usable path', () => {
    expect(write([{ stringValue: 'x' }, { jsonPath: 'nope', numberValue: 1 }])).toBe('{}');
  });
});
