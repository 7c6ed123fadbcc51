import { describe, expect, it } from 'vitest';
import { ConfigFileError, deepMerge, editDotenv, editToml, mergeJsonText, stripJsonComments, tomlTopLevel } from './config-edits.js';

describe('editToml', () => {
  const table = { name: 'model_providers.switchyard', values: { name: 'Switchyard', base_url: 'http://127.0.0.1:8045/v1', env_key: 'SWITCHYARD_API_KEY', wire_api: 'responses' } };

  it('writes a new file', () => {
    expect(editToml(undefined, { model: 'gpt-5', model_provider: 'switchyard' }, table)).toBe(
      'model = "gpt-5"\nmodel_provider = "switchyard"\n\n[model_providers.switchyard]\nname = "Switchyard"\nbase_url = "http://127.0.0.1:8045/v1"\nenv_key = "SWITCHYARD_API_KEY"\nwire_api = "responses"\n',
    );
  });

  it('replaces only its keys and its table, keeping comments, other keys and other tables', () => {
    const before = [
      '# my codex config',
      'model = "o3"',
      'approval_policy = "on-request"',
      '',
      '[model_providers.switchyard]',
      'name = "old"',
      'base_url = "http://old"',
      '',
      '# mcp servers',
      '[mcp_servers.docs]',
      'command = "docs-mcp"',
      '',
    ].join('\n');
    const after = editToml(before, { model: 'gpt-5', model_provider: 'switchyard' }, table);
    expect(after).toContain('# my codex config');
    expect(after).toContain('approval_policy = "on-request"');
    expect(after).toContain('# mcp servers\n[mcp_servers.docs]\ncommand = "docs-mcp"');
    expect(after).toContain('model = "gpt-5"');
    expect(after).not.toContain('"o3"');
    expect(after).not.toContain('http://old');
    expect(after.match(/\[model_providers\.switchyard\]/g)).toHaveLength(1);
    // the new top-level key goes before the first table, where TOML wants it
    expect(after.indexOf('model_provider = "switchyard"')).toBeLessThan(after.indexOf('['));
    expect(editToml(after, { model: 'gpt-5', model_provider: 'switchyard' }, table)).toBe(after); // idempotent
  });

  it('reads a top-level key but not one inside a table', () => {
    expect(tomlTopLevel('profile = "work"\n[profiles.work]\nmodel = "x"\n', 'profile')).toBe('work');
    expect(tomlTopLevel('[profiles.work]\nprofile = "x"\n', 'profile')).toBeUndefined();
  });
});

describe('JSON configs', () => {
  it('deep-merges and keeps everything else', () => {
    expect(deepMerge({ a: 1, provider: { other: { x: 1 } } }, { provider: { switchyard: { y: 2 } } })).toEqual({
      a: 1,
      provider: { other: { x: 1 }, switchyard: { y: 2 } },
    });
  });

  it('reads JSONC (comments, trailing commas) but not broken JSON', () => {
    expect(stripJsonComments('{\n  // c\n  "a": "http://x", /* b */ "b": [1,],\n}')).toMatch(/"a": "http:\/\/x"/);
    expect(JSON.parse(mergeJsonText('{ // hi\n "theme": "dark", }', { env: { A: '1' } }, 'f'))).toEqual({ theme: 'dark', env: { A: '1' } });
    expect(() => mergeJsonText('{ nope', {}, 'settings.json')).toThrow(ConfigFileError);
    expect(() => mergeJsonText('[1]', {}, 'settings.json')).toThrow(/JSON object/);
  });
});

describe('editDotenv', () => {
  it('replaces its keys and keeps the rest', () => {
    expect(editDotenv('# env\nexport GEMINI_API_KEY=old\nOTHER=1\n', { GEMINI_API_KEY: 'new', GOOGLE_GEMINI_BASE_URL: 'http://x' })).toBe(
      '# env\nGEMINI_API_KEY=new\nOTHER=1\nGOOGLE_GEMINI_BASE_URL=http://x\n',
    );
  });
});
