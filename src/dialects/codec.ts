import type { GatewayError } from '../canonical/errors.js';
import type { CanonicalRequest, CanonicalResponse, Dialect, StreamEvent, Usage } from '../canonical/types.js';
import type { SseEvent } from '../util/sse.js';

/** What the client's URL said, for dialects that put request facts in the path (Gemini). */
export interface RequestContext {
  /** Model from the path (`/v1beta/models/{model}:…`), when the dialect carries it there. */
  pathModel?: string;
  /** Streaming decided by the route (`:streamGenerateContent`), when the dialect decides it there. */
  pathStream?: boolean;
}

export interface EncodeRequestContext {
  /** The model id to send upstream (after mapping). */
  upstreamModel: string;
}

export interface EncodeResponseContext {
  /** The model id the client asked for; answers name it, not the upstream's id. */
  requestModel: string;
}

export interface StreamEncoderContext extends EncodeResponseContext {
  /** OpenAI chat: whether to emit the usage chunk (`stream_options.include_usage`). */
  includeUsage?: boolean;
  /** Gemini: `?alt=sse` (SSE) or a streamed JSON array. */
  geminiSse?: boolean;
}

/** Turns an upstream's stream (parsed SSE events) into canonical events. Stateful, one per stream. */
export interface StreamDecoder {
  push(event: SseEvent): StreamEvent[];
  /** The upstream stream ended; returns trailing events (an `error` if it ended before finishing). */
  end(): StreamEvent[];
}

/** Turns canonical events into the client dialect's wire text. Stateful, one per stream. */
export interface StreamEncoder {
  /** Text to write for the event ('' when nothing is due yet). */
  push(event: StreamEvent): string;
  /** Text to write when the stream closes normally after `finish` or `error`. */
  end(): string;
}

export interface RenderedError {
  status: number;
  body: unknown;
}

/**
 * A dialect: its wire format on both sides of Switchyard. As a CLIENT dialect it decodes requests and
 * encodes responses/streams/errors; as an UPSTREAM dialect it encodes requests and decodes
 * responses/streams/errors.
 */
export interface DialectCodec {
  readonly dialect: Dialect;
  /** Client body -> canonical. Throws GatewayError('invalid_request') naming the bad field. */
  decodeRequest(body: unknown, ctx: RequestContext): CanonicalRequest;
  /** Canonical -> upstream body. */
  encodeRequest(req: CanonicalRequest, ctx: EncodeRequestContext): Record<string, unknown>;
  /** Upstream JSON body -> canonical. */
  decodeResponse(body: unknown): CanonicalResponse;
  /** The usage an upstream JSON body reports, without decoding the rest (the relay's usage tap). */
  decodeUsage(body: unknown): Usage | undefined;
  /** The top-level member of this dialect's JSON answers that holds the usage (read alone by the usage tap). */
  readonly usageMember: 'usage' | 'usageMetadata';
  /** Canonical -> client JSON body. */
  encodeResponse(res: CanonicalResponse, ctx: EncodeResponseContext): unknown;
  createStreamDecoder(): StreamDecoder;
  createStreamEncoder(ctx: StreamEncoderContext): StreamEncoder;
  /** GatewayError -> this dialect's error body and status. */
  encodeError(err: GatewayError): RenderedError;
  /** An upstream error answer in this dialect -> GatewayError (upstream details filled in). */
  decodeError(status: number, body: unknown, headers: Record<string, string | string[] | undefined>): GatewayError;
}
