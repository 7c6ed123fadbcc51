import { invalidRequest } from '../../canonical/errors.js';
import { unwrapSignature } from '../../canonical/signature.js';
import type {
  DocumentPart,
  ImagePart,
  MediaSource,
  Part,
  Signature,
  TextPart,
  ThinkingPart,
  ToolCallPart,
  ToolResultContent,
  ToolResultPart,
} from '../../canonical/types.js';
import { asString, isObject } from '../../util/json.js';
import type { JsonObject } from '../../util/json.js';

// Content blocks of a client request -> canonical parts.
// https://docs.anthropic.com/en/api/messages (MessageParam.content)

const BLOCK_TYPES =
  'text, image, document, tool_use, tool_result, thinking, redacted_thinking, search_result, or a server tool block';

/**
 * Keeps a block's `cache_control` on its canonical part or tool definition. Claude Code marks text,
 * image, document, tool_use and tool_result blocks and tool definitions; losing a marker would
 * silently break prompt caching for Anthropic -> Anthropic traffic. Only the Anthropic encoder reads it.
 */
export function setCacheControl(target: { cacheControl?: JsonObject }, cacheControl: unknown): void {
  if (isObject(cacheControl)) target.cacheControl = cacheControl;
}

/** Shared across the messages of one request: tool_use id -> tool name, for tool_result.name. */
export interface ContentContext {
  toolNames: Map<string, string>;
}

/**
 * Blocks produced and consumed by Anthropic's own servers (server tools such as web search, code
 * execution, MCP connector, tool search, advisor; context-management compaction bookkeeping). They are
 * dropped on purpose: the canonical model has no place for them, no other upstream could execute or
 * verify them, and the model's visible answer (text) already carries what they produced. Matching by
 * suffix keeps new server tools (`*_tool_use`, `*_tool_result`) from breaking requests.
 */
function isServerBlock(type: string): boolean {
  if (type === 'tool_use' || type === 'tool_result') return false;
  return (
    type.endsWith('_tool_use') ||
    type.endsWith('_tool_result') ||
    type === 'container_upload' ||
    type === 'tool_reference' ||
    type === 'fallback'
  );
}

function req(v: unknown, path: string): string {
  if (typeof v !== 'string') throw invalidRequest(`${path} must be a string`);
  return v;
}

/** Decodes a message's `content` (string or block array). */
export function decodeContent(content: unknown, path: string, ctx: ContentContext): Part[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw invalidRequest(`${path} must be a string or an array of content blocks`);
  const parts: Part[] = [];
  // A Gemini thought signature travels to an Anthropic client as an empty thinking block right before
  // the tool_use it belongs to (see encode-response.ts); it is held here and re-attached to that call.
  let heldSignature: { part: ThinkingPart; signature: Signature } | undefined;
  for (let i = 0; i < content.length; i++) {
    const block: unknown = content[i];
    const bpath = `${path}[${i}]`;
    if (!isObject(block)) throw invalidRequest(`${bpath} must be an object`);
    const type = block.type;
    if (typeof type !== 'string') throw invalidRequest(`${bpath}.type must be a string`);
    if (heldSignature && type !== 'tool_use') {
      parts.push(heldSignature.part);
      heldSignature = undefined;
    }
    switch (type) {
      case 'text': {
        const part: TextPart = { type: 'text', text: req(block.text, `${bpath}.text`) };
        setCacheControl(part, block.cache_control);
        parts.push(part); // citations are dropped: no canonical place for them
        break;
      }
      case 'image':
        parts.push(decodeImage(block, bpath));
        break;
      case 'document':
        pushDocument(parts, block, bpath);
        break;
      case 'search_result':
        pushSearchResult(parts, block, bpath);
        break;
      case 'tool_use': {
        const id = req(block.id, `${bpath}.id`);
        const name = req(block.name, `${bpath}.name`);
        const part: ToolCallPart = { type: 'tool_call', id, name, arguments: block.input ?? {} };
        if (heldSignature) {
          part.signature = heldSignature.signature;
          heldSignature = undefined;
        }
        setCacheControl(part, block.cache_control);
        ctx.toolNames.set(id, name);
        parts.push(part);
        break;
      }
      case 'tool_result':
        parts.push(decodeToolResult(block, bpath, ctx));
        break;
      case 'thinking': {
        const text = block.thinking === undefined ? '' : req(block.thinking, `${bpath}.thinking`);
        const part: ThinkingPart = { type: 'thinking', text };
        const raw = block.signature === undefined || block.signature === null ? '' : req(block.signature, `${bpath}.signature`);
        // An empty signature (thinking from an upstream that does not sign) is no signature at all.
        if (raw !== '') part.signature = unwrapSignature(raw, 'anthropic');
        if (part.signature?.origin === 'gemini' && text === '') {
          heldSignature = { part, signature: part.signature };
        } else {
          parts.push(part);
        }
        break;
      }
      case 'redacted_thinking': {
        const data = req(block.data, `${bpath}.data`);
        parts.push({ type: 'thinking', text: '', redacted: true, signature: unwrapSignature(data, 'anthropic') });
        break;
      }
      case 'compaction': {
        // Context-management compaction: the summary replaces the history before it. Kept as text so
        // other upstreams still see the summary (they cannot honour the compaction semantics).
        const summary = asString(block.content);
        if (summary) parts.push({ type: 'text', text: summary });
        break;
      }
      default:
        if (!isServerBlock(type)) throw invalidRequest(`${bpath}.type must be one of ${BLOCK_TYPES}; got "${type}"`);
    }
  }
  if (heldSignature) parts.push(heldSignature.part);
  return parts;
}

function decodeImage(block: JsonObject, path: string): ImagePart {
  const part: ImagePart = { type: 'image', source: decodeSource(block.source, `${path}.source`, false) };
  setCacheControl(part, block.cache_control);
  return part;
}

function decodeSource(source: unknown, path: string, allowText: false): MediaSource;
function decodeSource(source: unknown, path: string, allowText: true): MediaSource | { kind: 'text'; text: string };
function decodeSource(source: unknown, path: string, allowText: boolean): MediaSource | { kind: 'text'; text: string } {
  if (!isObject(source)) throw invalidRequest(`${path} must be an object`);
  switch (source.type) {
    case 'base64':
      return {
        kind: 'base64',
        mediaType: req(source.media_type, `${path}.media_type`),
        data: req(source.data, `${path}.data`),
      };
    case 'url':
      return { kind: 'url', url: req(source.url, `${path}.url`) };
    case 'file':
      return { kind: 'file', fileId: req(source.file_id, `${path}.file_id`) };
    case 'text':
      if (allowText) return { kind: 'text', text: req(source.data, `${path}.data`) };
      break;
  }
  const allowed = allowText ? 'base64, url, file, text, content' : 'base64, url, file';
  throw invalidRequest(`${path}.type must be one of ${allowed}`);
}

/** `document` -> DocumentPart; plain-text and content-block documents become text / image parts. */
function pushDocument(out: Array<Part | ToolResultContent>, block: JsonObject, path: string): void {
  const title = asString(block.title);
  const source = block.source;
  if (isObject(source) && source.type === 'content') {
    // A "custom content" document: its blocks are ordinary text / image blocks.
    const inner = source.content;
    if (typeof inner === 'string') {
      out.push({ type: 'text', text: inner });
      return;
    }
    if (!Array.isArray(inner)) throw invalidRequest(`${path}.source.content must be a string or an array`);
    for (let i = 0; i < inner.length; i++) {
      const b: unknown = inner[i];
      const bpath = `${path}.source.content[${i}]`;
      if (isObject(b) && b.type === 'text') out.push({ type: 'text', text: req(b.text, `${bpath}.text`) });
      else if (isObject(b) && b.type === 'image') out.push(decodeImage(b, bpath));
      else throw invalidRequest(`${bpath}.type must be one of text, image`);
    }
    return;
  }
  const src = decodeSource(source, `${path}.source`, true);
  if (src.kind === 'text') {
    // Plain-text documents are text to every other upstream; the title keeps its context.
    out.push({ type: 'text', text: title ? `${title}\n\n${src.text}` : src.text });
    return;
  }
  const part: DocumentPart = { type: 'document', source: src };
  if (title) part.title = title;
  setCacheControl(part, block.cache_control);
  out.push(part);
}

/** `search_result` (RAG results with citations) -> its text, since only Anthropic knows the block. */
function pushSearchResult(out: Array<Part | ToolResultContent>, block: JsonObject, path: string): void {
  const content = block.content;
  if (!Array.isArray(content)) throw invalidRequest(`${path}.content must be an array of text blocks`);
  const texts: string[] = [];
  const title = asString(block.title);
  if (title) texts.push(title);
  for (let i = 0; i < content.length; i++) {
    const b: unknown = content[i];
    if (isObject(b) && typeof b.text === 'string') texts.push(b.text);
  }
  out.push({ type: 'text', text: texts.join('\n\n') });
}

function decodeToolResult(block: JsonObject, path: string, ctx: ContentContext): ToolResultPart {
  const callId = req(block.tool_use_id, `${path}.tool_use_id`);
  const content: ToolResultContent[] = [];
  const raw = block.content;
  if (typeof raw === 'string') {
    content.push({ type: 'text', text: raw });
  } else if (Array.isArray(raw)) {
    for (let i = 0; i < raw.length; i++) {
      const b: unknown = raw[i];
      const bpath = `${path}.content[${i}]`;
      if (!isObject(b)) throw invalidRequest(`${bpath} must be an object`);
      switch (b.type) {
        case 'text': {
          const part: TextPart = { type: 'text', text: req(b.text, `${bpath}.text`) };
          setCacheControl(part, b.cache_control);
          content.push(part);
          break;
        }
        case 'image':
          content.push(decodeImage(b, bpath));
          break;
        case 'document':
          pushDocument(content, b, bpath);
          break;
        case 'search_result':
          pushSearchResult(content, b, bpath);
          break;
        case 'tool_reference':
          // Tool-search results name deferred tools for Anthropic to load; meaningless elsewhere.
          break;
        default:
          if (typeof b.type === 'string' && isServerBlock(b.type)) break;
          throw invalidRequest(`${bpath}.type must be one of text, image, document, search_result, tool_reference`);
      }
    }
  } else if (raw !== undefined && raw !== null) {
    throw invalidRequest(`${path}.content must be a string or an array of content blocks`);
  }
  const part: ToolResultPart = { type: 'tool_result', callId, content };
  const name = ctx.toolNames.get(callId);
  if (name !== undefined) part.name = name;
  if (block.is_error === true) part.isError = true;
  setCacheControl(part, block.cache_control);
  return part;
}
