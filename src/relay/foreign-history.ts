import { unwrapSignature } from '../canonical/signature.js';
import type { Dialect } from '../canonical/types.js';
import { isObject, type JsonObject } from '../util/json.js';
import { readToolCallCarrier } from '../dialects/openai-responses/reasoning-signature.js';

// The same-dialect relay forwards the client's own bytes. That is right only while the history in
// them came from this dialect's upstreams. A conversation that went through another vendor earlier
// (a model switch, a mapping change) carries what only that vendor can verify: its signatures, which
// the client holds wrapped (see canonical/signature.ts), Gemini call signatures riding in Responses
// reasoning items, or thinking no vendor signed. Relayed as they are, they fail the whole request
// ("Invalid `signature` in `thinking` block", "Corrupted thought signature", "Item with id 'rs_…' not
// found"). Such a request takes the codec path instead, whose encoders send each signature only to
// the dialect that issued it.

type Json = JsonObject;

const list = (v: unknown): Json[] => (Array.isArray(v) ? (v as unknown[]).filter(isObject) : []);

/** A signature string the client echoed that this dialect's upstream did not issue. */
function foreign(raw: unknown, dialect: Dialect): boolean {
  return typeof raw === 'string' && raw !== '' && unwrapSignature(raw, dialect).origin !== dialect;
}

/** Whether the request's history holds reasoning state another dialect's upstream produced. */
export function carriesForeignHistory(dialect: Dialect, body: Json): boolean {
  switch (dialect) {
    case 'anthropic':
      return list(body.messages).some((m) =>
        list(m.content).some((b) =>
          b.type === 'thinking'
            ? // Unsigned thinking (from an upstream that does not sign) is rejected as well.
              typeof b.signature !== 'string' || b.signature === '' || foreign(b.signature, dialect)
            : b.type === 'redacted_thinking' && foreign(b.data, dialect),
        ),
      );
    case 'gemini':
      return list(body.contents).some((c) => list(c.parts).some((p) => foreign(p.thoughtSignature ?? p.thought_signature, dialect)));
    case 'openai-responses': {
      const stateless = body.store === false;
      return list(body.input).some((item) => {
        if (item.type !== 'reasoning') return false;
        const enc = item.encrypted_content;
        if (typeof enc !== 'string' || enc === '') {
          // Without encrypted content a reasoning item names a stored item; under store:false none
          // exists upstream, so it came from another upstream's thinking.
          return stateless;
        }
        return foreign(enc, dialect) || readToolCallCarrier(enc) !== undefined;
      });
    }
    case 'openai-chat':
      return false; // chat has no signed reasoning
  }
}
