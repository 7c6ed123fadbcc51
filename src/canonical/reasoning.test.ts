import { describe, expect, it } from 'vitest';
import { parseEffort } from './reasoning.js';

describe('parseEffort', () => {
  it.each(['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const)('%s is itself', (level) => {
    expect(parseEffort(level)).toBe(level);
  });

  it('max folds into xhigh, the top of the canonical scale', () => {
    expect(parseEffort('max')).toBe('xhigh');
  });

  it.each([['extreme'], ['HIGH'], [''], ['constructor'], ['__proto__'], [3], [null], [undefined], [{ effort: 'high' }]])(
    'rejects %j',
    (value) => {
      expect(parseEffort(value)).toBeUndefined();
    },
  );
});
