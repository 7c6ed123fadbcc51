import type { MediaSource } from './types.js';

// OpenAI's dialects carry inline media as data URLs (`data:image/png;base64,…`): Chat Completions in
// image_url.url and file.file_data, Responses in input_image.image_url and input_file.file_data. The
// canonical model keeps the media type and base64 apart.

/** Parses a base64 data URL; undefined when `url` is not one. No copy of the payload beyond slice. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  if (!url.startsWith('data:')) return undefined;
  const comma = url.indexOf(',');
  if (comma < 0) return undefined;
  const meta = url.slice(5, comma);
  if (!meta.endsWith(';base64')) return undefined;
  // Media type may carry parameters (`image/png;name=x.png;base64`); keep only the type.
  const semi = meta.indexOf(';');
  const mediaType = (semi < 0 ? meta : meta.slice(0, semi)) || 'application/octet-stream';
  return { mediaType, data: url.slice(comma + 1) };
}

/** Inline media -> a base64 data URL. */
export function toDataUrl(mediaType: string, data: string): string {
  return `data:${mediaType};base64,${data}`;
}

/** An image URL (chat image_url.url, Responses input_image.image_url) → canonical source: data URLs become base64, anything else stays a URL. */
export function sourceFromUrl(url: string): MediaSource {
  const parsed = parseDataUrl(url);
  return parsed ? { kind: 'base64', mediaType: parsed.mediaType, data: parsed.data } : { kind: 'url', url };
}
