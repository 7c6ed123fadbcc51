// The request bodies the benchmark sends. The Claude Code request is a real capture
// (test/fixtures/clients/claude-code-p-apikey.json: long system prompt, thinking, cache control,
// 12 tools) grown to what a session with a few MCP servers sends: ~60 KB and 20 tools.
import { readFileSync } from 'node:fs';

const fixture = new URL('../../test/fixtures/clients/claude-code-p-apikey.json', import.meta.url);

/** Headers Claude Code sends (from the same capture), minus the ones the transport sets. */
export function claudeCodeHeaders() {
  const capture = JSON.parse(readFileSync(fixture, 'utf8'));
  const h = { ...capture.requests[0].headers };
  for (const k of ['host', 'content-length', 'connection', 'accept-encoding']) delete h[k];
  return h;
}

const MCP_TOOLS = [
  ['mcp__github__create_issue', 'Create a new issue in a GitHub repository.', ['owner', 'repo', 'title', 'body', 'labels', 'assignees', 'milestone']],
  ['mcp__github__create_pull_request', 'Create a new pull request in a GitHub repository.', ['owner', 'repo', 'title', 'body', 'head', 'base', 'draft']],
  ['mcp__github__search_code', 'Search for code across GitHub repositories using the code search syntax.', ['q', 'sort', 'order', 'per_page', 'page']],
  ['mcp__github__get_file_contents', 'Get the contents of a file or directory from a GitHub repository.', ['owner', 'repo', 'path', 'ref']],
  ['mcp__playwright__browser_navigate', 'Navigate the browser to a URL and wait for the page to load.', ['url', 'wait_until', 'timeout_ms']],
  ['mcp__playwright__browser_click', 'Click an element on the page identified by its accessible reference.', ['element', 'ref', 'button', 'modifiers', 'double_click']],
  ['mcp__playwright__browser_snapshot', 'Capture an accessibility snapshot of the current page, better than a screenshot.', ['full_page', 'include_hidden']],
  ['mcp__sentry__search_issues', 'Search Sentry issues of an organization with a natural-language query.', ['organization_slug', 'project_slug', 'query', 'sort', 'limit', 'environment']],
];

function mcpTool([name, description, fields]) {
  return {
    name,
    description: `${description} ${'Use this tool when the user asks for it explicitly or when the task clearly needs it; prefer the narrowest query that answers the question, and report what the tool returned. '.repeat(2)}`,
    input_schema: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(
        fields.map((f, i) => [
          f,
          i % 3 === 2
            ? { type: 'array', items: { type: 'string' }, description: `The ${f.replace(/_/g, ' ')} to use. ${'Leave empty to use the default for this repository or project. '.repeat(2)}` }
            : { type: i % 3 === 1 ? 'string' : ['string', 'null'], description: `The ${f.replace(/_/g, ' ')} of the request. ${'Must match what the service expects exactly; see its documentation. '.repeat(2)}` },
        ]),
      ),
      required: fields.slice(0, 2),
    },
  };
}

/** A realistic Claude Code /v1/messages body: ~60 KB, 20 tools, streaming. */
export function claudeCodeRequest() {
  const capture = JSON.parse(readFileSync(fixture, 'utf8'));
  const body = capture.requests[0].body;
  // The capture kept one tool as a placeholder; give it a schema of the same size class.
  for (const t of body.tools) {
    if (typeof t.input_schema !== 'object' || Object.keys(t.input_schema.properties ?? {}).length === 0) {
      t.input_schema = {
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        additionalProperties: false,
        properties: Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`field_${i}`, { type: 'string', description: 'x'.repeat(180) }])),
        required: ['field_0'],
      };
    }
  }
  body.tools.push(...MCP_TOOLS.map(mcpTool));
  body.stream = true;
  return body;
}

export const SMALL_ANTHROPIC = { model: 'claude-mock', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] };
export const SMALL_ANTHROPIC_STREAM = { ...SMALL_ANTHROPIC, stream: true };
