// Model-name globs: `*` matches any run of characters, `?` one character; everything else is literal.

const cache = new Map<string, RegExp>();

export function isGlob(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

export function globToRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${body}$`);
    cache.set(pattern, re);
  }
  return re;
}

export function matchesGlob(pattern: string, name: string): boolean {
  return isGlob(pattern) ? globToRegExp(pattern).test(name) : pattern === name;
}
