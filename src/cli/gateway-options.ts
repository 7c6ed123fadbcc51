import type { CliFlags } from '../config/load.js';

/**
 * The flags every command uses to find the gateway's configuration (serve reads it; setup and doctor
 * read it to learn the address, key and models). One definition, so they cannot drift apart.
 */
export const GATEWAY_OPTIONS = {
  config: { type: 'string', short: 'c' },
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The parsed GATEWAY_OPTIONS as loadConfig's flags. */
export function configFlags(values: { config?: string; port?: string; host?: string; 'data-dir'?: string }): CliFlags {
  return { config: values.config, port: values.port, host: values.host, dataDir: values['data-dir'] };
}
