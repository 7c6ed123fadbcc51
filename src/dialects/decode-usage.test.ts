import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dialect } from '../canonical/types.js';
import { codecs } from './index.js';

// The relay's usage tap reads only the usage object of a relayed JSON answer (codec.decodeUsage);
// it must report exactly what decoding the whole answer reports, for every recorded vendor answer.

const recordings = join(import.meta.dirname, '../../test/fixtures/vendor-recordings');
const dirs: Record<Dialect, string> = {
  anthropic: 'anthropic',
  gemini: 'gemini',
  'openai-chat': 'openai-chat',
  'openai-responses': 'openai-responses',
};

describe('decodeUsage agrees with decodeResponse on recorded answers', () => {
  for (const [dialect, dir] of Object.entries(dirs) as Array<[Dialect, string]>) {
    const answers = readdirSync(join(recordings, dir))
      .filter((f) => f.endsWith('.json'))
      .map((f) => ({ f, body: JSON.parse(readFileSync(join(recordings, dir, f), 'utf8')) as Record<string, unknown> }))
      .filter(({ body }) => body.error === undefined && (body.usage !== undefined || body.usageMetadata !== undefined));

    it(`${dialect} (${answers.length} recordings)`, () => {
      expect(answers.length).toBeGreaterThan(0);
      for (const { f, body } of answers) {
        const usage = codecs[dialect].decodeUsage(body);
        expect(usage, f).toBeDefined();
        expect(usage, f).toEqual(codecs[dialect].decodeResponse(body).usage);
        expect((usage?.inputTokens ?? 0) + (usage?.outputTokens ?? 0), f).toBeGreaterThan(0);
      }
    });
  }
});
