import { describe, expect, it } from 'vitest';
import { GatewayError } from './errors.js';

describe('GatewayError.info', () => {
  it("carries the upstream's own error code or type", () => {
    const err = new GatewayError('invalid_request', 'too long', {
      upstream: { status: 400, message: 'too long', type: 'context_length_exceeded' },
    });
    expect(err.info()).toEqual({ kind: 'invalid_request', status: 400, message: 'too long', code: 'context_length_exceeded' });
  });

  it('has no code when the upstream gave none, or the error is our own', () => {
    expect(new GatewayError('upstream_error', 'boom', { upstream: { status: 502, message: 'boom' } }).info()).toStrictEqual({
      kind: 'upstream_error',
      status: 502,
      message: 'boom',
    });
    expect(new GatewayError('internal', 'oops').info()).toStrictEqual({ kind: 'internal', status: 500, message: 'oops' });
  });
});
