import { parseDataUrl, sourceFromUrl, toDataUrl } from '../../canonical/data-url.js';
import { invalidRequest } from '../../canonical/errors.js';
import type { DocumentPart, ImagePart, MediaSource } from '../../canonical/types.js';
import { asString, type JsonObject } from '../../util/json.js';

// input_image / input_file content parts <-> canonical media.
// https://platform.openai.com/docs/api-reference/responses/create#responses_create-input

const MEDIA_BY_EXTENSION: Record<string, string> = {
  pdf: 'application/pdf',
  txt: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  json: 'application/json',
  html: 'text/html',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
};

function mediaTypeForFilename(filename: string | undefined): string {
  const ext = filename?.split('.').pop()?.toLowerCase();
  return (ext && MEDIA_BY_EXTENSION[ext]) ?? 'application/pdf';
}

export function decodeInputImage(part: JsonObject, path: string): ImagePart {
  const detail = asString(part.detail);
  const fileId = asString(part.file_id);
  const url = asString(part.image_url);
  let source: MediaSource;
  if (url) {
    source = sourceFromUrl(url);
  } else if (fileId) {
    source = { kind: 'file', fileId };
  } else {
    throw invalidRequest(`${path} needs image_url (a URL or data URL) or file_id`);
  }
  const image: ImagePart = { type: 'image', source };
  if (detail) image.detail = detail;
  return image;
}

export function decodeInputFile(part: JsonObject, path: string): DocumentPart {
  const filename = asString(part.filename);
  const fileData = asString(part.file_data);
  const fileId = asString(part.file_id);
  const fileUrl = asString(part.file_url);
  let source: MediaSource;
  if (fileData) {
    // OpenAI documents a data URL here; bare base64 is accepted too, typed by the file name.
    const parsed = parseDataUrl(fileData);
    source = parsed
      ? { kind: 'base64', mediaType: parsed.mediaType, data: parsed.data }
      : { kind: 'base64', mediaType: mediaTypeForFilename(filename), data: fileData };
  } else if (fileId) {
    source = { kind: 'file', fileId };
  } else if (fileUrl) {
    source = { kind: 'url', url: fileUrl };
  } else {
    throw invalidRequest(`${path} needs file_data, file_id or file_url`);
  }
  const doc: DocumentPart = { type: 'document', source };
  if (filename) doc.filename = filename;
  return doc;
}

export function encodeInputImage(part: ImagePart): JsonObject {
  const src = part.source;
  const out: JsonObject = { type: 'input_image', detail: part.detail ?? 'auto' };
  if (src.kind === 'file') out.file_id = src.fileId;
  else out.image_url = src.kind === 'url' ? src.url : toDataUrl(src.mediaType, src.data);
  return out;
}

export function encodeInputFile(part: DocumentPart): JsonObject {
  const src = part.source;
  if (src.kind === 'file') return { type: 'input_file', file_id: src.fileId };
  if (src.kind === 'url') return { type: 'input_file', file_url: src.url };
  // OpenAI wants a filename next to inline file data.
  const filename = part.filename ?? part.title ?? (src.mediaType === 'application/pdf' ? 'document.pdf' : 'document');
  return { type: 'input_file', filename, file_data: toDataUrl(src.mediaType, src.data) };
}
