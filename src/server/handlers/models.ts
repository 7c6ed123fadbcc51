import { GatewayError } from '../../canonical/errors.js';
import type { CatalogEntry, ModelCatalog } from '../../providers/model-catalog.js';
import type { ClientDialect } from '../paths/resolve-path.js';

// One model list, three shapes: the same names clients can send, in the shape each SDK parses.

// A fixed timestamp: upstream creation dates are unknown for aliases, and a stable value keeps
// clients that cache model lists from seeing churn.
const CREATED = 1_700_000_000;
const CREATED_ISO = new Date(CREATED * 1000).toISOString();

function openaiModel(e: CatalogEntry) {
  return { id: e.id, object: 'model', created: CREATED, owned_by: e.ownedBy };
}
function anthropicModel(e: CatalogEntry) {
  return { type: 'model', id: e.id, display_name: e.id, created_at: CREATED_ISO };
}
function geminiModel(e: CatalogEntry) {
  return {
    name: `models/${e.id}`,
    version: '001',
    displayName: e.id,
    description: `Served by Switchyard via ${e.ownedBy}`,
    inputTokenLimit: 1_048_576,
    outputTokenLimit: 65_536,
    supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'],
  };
}

export function listModels(catalog: ModelCatalog, dialect: ClientDialect): unknown {
  const entries = catalog.list();
  if (dialect === 'anthropic') {
    const data = entries.map(anthropicModel);
    return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null };
  }
  if (dialect === 'gemini') return { models: entries.map(geminiModel) };
  return { object: 'list', data: entries.map(openaiModel) };
}

export function getModel(catalog: ModelCatalog, dialect: ClientDialect, id: string): unknown {
  const entry = catalog.find(id);
  if (!entry) {
    const known = catalog.ids();
    throw new GatewayError(
      'not_found',
      `The model "${id}" is not served by Switchyard.${known.length ? ` Available: ${known.slice(0, 40).join(', ')}.` : ''}`,
    );
  }
  if (dialect === 'anthropic') return anthropicModel(entry);
  if (dialect === 'gemini') return geminiModel(entry);
  return openaiModel(entry);
}
