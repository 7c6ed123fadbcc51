import { invalidRequest } from '../../canonical/errors.js';
import type { DocumentPart, ImagePart, MediaSource } from '../../canonical/types.js';
import type { JsonObject } from '../../util/json.js';
import { optString } from './json.js';
import type { GeminiPart } from './wire.js';

// inlineData {mimeType, data} and fileData {mimeType, fileUri} <-> canonical image/document parts.
// The canonical model has no audio/video part: those media types travel as documents.

const IMAGE_EXT = /\.(png|jpe?g|gif|webp|heic|heif)(\?|#|$)/i;

function mediaPart(source: MediaSource, mime: string | undefined, hint: string): ImagePart | DocumentPart {
  const image = mime !== undefined ? mime.startsWith('image/') : IMAGE_EXT.test(hint);
  return image ? { type: 'image', source } : { type: 'document', source };
}

export function fromInlineData(blob: JsonObject, path: string): ImagePart | DocumentPart {
  const mimeType = optString(blob, path, 'mimeType', 'mime_type');
  const data = optString(blob, path, 'data');
  if (mimeType === undefined) throw invalidRequest(`${path}.mimeType is required`);
  if (data === undefined) throw invalidRequest(`${path}.data is required (base64)`);
  return mediaPart({ kind: 'base64', mediaType: mimeType, data }, mimeType, '');
}

/**
 * Gemini File API uris (https://generativelanguage.googleapis.com/…/files/…) and Cloud Storage
 * uris (gs://) name provider-side files; anything else over http(s) is a plain URL.
 */
export function fromFileData(file: JsonObject, path: string): ImagePart | DocumentPart {
  const uri = optString(file, path, 'fileUri', 'file_uri');
  if (uri === undefined) throw invalidRequest(`${path}.fileUri is required`);
  const mediaType = optString(file, path, 'mimeType', 'mime_type');
  const providerFile = uri.startsWith('gs://') || uri.startsWith('files/') || /^https:\/\/generativelanguage\.googleapis\.com\/.*\/files\//.test(uri);
  const source: MediaSource =
    !providerFile && /^https?:\/\//i.test(uri)
      ? { kind: 'url', url: uri, ...(mediaType !== undefined && { mediaType }) }
      : { kind: 'file', fileId: uri, ...(mediaType !== undefined && { mediaType }) };
  return mediaPart(source, mediaType, uri);
}

const DATA_URL = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s;

/** Canonical media source -> a Gemini part. */
export function toGeminiMediaPart(source: MediaSource): GeminiPart {
  switch (source.kind) {
    case 'base64':
      return { inlineData: { mimeType: source.mediaType, data: source.data } };
    case 'url': {
      const m = DATA_URL.exec(source.url);
      if (m) return { inlineData: { mimeType: m[1], data: m[2] } };
      return fileData(source.url, source.mediaType);
    }
    case 'file':
      return fileData(source.fileId, source.mediaType);
  }
}

/** A `fileData` part: the MIME type first, when known, as Gemini documents it. */
function fileData(fileUri: string, mimeType: string | undefined): GeminiPart {
  return { fileData: mimeType !== undefined ? { mimeType, fileUri } : { fileUri } };
}
