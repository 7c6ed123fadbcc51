import { signatureFor } from '../../canonical/signature.js';
import type { DocumentPart, ImagePart, Part, ToolResultContent } from '../../canonical/types.js';
import { isObject } from '../../util/json.js';
import type {
  AnthropicContentBlock,
  AnthropicDocumentBlock,
  AnthropicImageBlock,
  AnthropicTextBlock,
  AnthropicToolResultContent,
} from './wire.js';

// Canonical parts -> Anthropic content blocks for an upstream request.
// https://docs.anthropic.com/en/api/messages (content block params)

export interface EncodeContentOptions {
  /** The client spoke Anthropic too, so `file` sources are Anthropic file ids. */
  sameDialect: boolean;
}

// https://docs.anthropic.com/en/docs/build-with-claude/vision#ensuring-image-quality
const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/** Anthropic tool_use ids must match ^[a-zA-Z0-9_-]+$; other vendors' ids may not. */
const ID_OK = /^[a-zA-Z0-9_-]+$/;
export function toolId(id: string): string {
  if (ID_OK.test(id)) return id;
  const fixed = id.replace(/[^a-zA-Z0-9_-]/g, '_');
  return fixed === '' ? 'toolu_empty' : fixed;
}

/** A text block, or undefined for text Anthropic would reject (empty / whitespace-only blocks → 400). */
export function textBlock(text: string, cacheControl?: Record<string, unknown>): AnthropicTextBlock | undefined {
  if (text.trim() === '') return undefined;
  const block: AnthropicTextBlock = { type: 'text', text };
  if (cacheControl) block.cache_control = cacheControl;
  return block;
}

function note(what: string, why: string): AnthropicTextBlock {
  // A placeholder instead of silently dropping: the model should know something was there.
  return { type: 'text', text: `[${what} omitted: ${why}]` };
}

export function encodeImage(part: ImagePart, opts: EncodeContentOptions): AnthropicImageBlock | AnthropicTextBlock {
  const src = part.source;
  let block: AnthropicImageBlock;
  if (src.kind === 'base64') {
    const mediaType = src.mediaType === 'image/jpg' ? 'image/jpeg' : src.mediaType;
    if (!IMAGE_TYPES.has(mediaType)) return note('image', `${src.mediaType} is not supported by this provider`);
    block = { type: 'image', source: { type: 'base64', media_type: mediaType, data: src.data } };
  } else if (src.kind === 'url') {
    block = { type: 'image', source: { type: 'url', url: src.url } };
  } else {
    // File ids are provider-specific; only an Anthropic client's ids mean anything to Anthropic.
    if (!opts.sameDialect) return note('image', `file ${src.fileId} is not available to this provider`);
    block = { type: 'image', source: { type: 'file', file_id: src.fileId } };
  }
  if (part.cacheControl) block.cache_control = part.cacheControl;
  return block;
}

export function encodeDocument(part: DocumentPart, opts: EncodeContentOptions): AnthropicDocumentBlock | AnthropicTextBlock {
  const src = part.source;
  const title = part.title ?? part.filename;
  let block: AnthropicDocumentBlock;
  if (src.kind === 'base64') {
    if (src.mediaType === 'application/pdf') {
      block = { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: src.data } };
    } else if (src.mediaType.startsWith('text/')) {
      const text = Buffer.from(src.data, 'base64').toString('utf8');
      block = { type: 'document', source: { type: 'text', media_type: 'text/plain', data: text } };
    } else {
      return note(`document${title ? ` "${title}"` : ''}`, `${src.mediaType} is not supported by this provider`);
    }
  } else if (src.kind === 'url') {
    // URL documents are fetched by Anthropic and must be PDFs.
    if (src.mediaType !== undefined && src.mediaType !== 'application/pdf') {
      return note(`document${title ? ` "${title}"` : ''}`, `${src.mediaType} at a URL is not supported by this provider`);
    }
    block = { type: 'document', source: { type: 'url', url: src.url } };
  } else {
    if (!opts.sameDialect) return note(`document${title ? ` "${title}"` : ''}`, `file ${src.fileId} is not available to this provider`);
    block = { type: 'document', source: { type: 'file', file_id: src.fileId } };
  }
  if (title) block.title = title;
  if (part.cacheControl) block.cache_control = part.cacheControl;
  return block;
}

/** Tool arguments -> an `input` object (Anthropic requires an object). */
export function toolInput(args: unknown): Record<string, unknown> {
  if (isObject(args)) return args;
  if (typeof args === 'string') {
    try {
      const parsed: unknown = JSON.parse(args);
      if (isObject(parsed)) return parsed;
    } catch {
      // not JSON: fall through
    }
  }
  return {};
}

export function encodeResultContent(content: ToolResultContent[], opts: EncodeContentOptions): AnthropicToolResultContent[] {
  const out: AnthropicToolResultContent[] = [];
  for (const c of content) {
    if (c.type === 'text') {
      const b = textBlock(c.text, c.cacheControl);
      if (b) out.push(b);
    } else if (c.type === 'image') {
      out.push(encodeImage(c, opts));
    } else {
      out.push(encodeDocument(c, opts));
    }
  }
  return out;
}

/**
 * One canonical part -> its Anthropic block, or undefined when it has no place upstream (empty text,
 * thinking that Anthropic did not sign). Tool results are handled by the message builder.
 */
export function encodePart(part: Part, opts: EncodeContentOptions): AnthropicContentBlock | undefined {
  switch (part.type) {
    case 'text':
      return textBlock(part.text, part.cacheControl);
    case 'image':
      return encodeImage(part, opts);
    case 'document':
      return encodeDocument(part, opts);
    case 'tool_call': {
      const block: AnthropicContentBlock = { type: 'tool_use', id: toolId(part.id), name: part.name, input: toolInput(part.arguments) };
      if (part.cacheControl) block.cache_control = part.cacheControl;
      return block;
    }
    case 'thinking': {
      // Only Anthropic can verify its signatures; thinking from elsewhere (or unsigned) is dropped.
      const sig = signatureFor(part.signature, 'anthropic');
      if (!sig) return undefined;
      if (part.redacted) return { type: 'redacted_thinking', data: sig };
      return { type: 'thinking', thinking: part.text, signature: sig };
    }
    case 'tool_result': {
      const block: AnthropicContentBlock = { type: 'tool_result', tool_use_id: toolId(part.callId) };
      const content = encodeResultContent(part.content, opts);
      if (content.length > 0) block.content = content;
      if (part.isError) block.is_error = true;
      if (part.cacheControl) block.cache_control = part.cacheControl;
      return block;
    }
  }
}
