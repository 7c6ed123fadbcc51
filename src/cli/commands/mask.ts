/** A key as it may be shown: its first 4 and last 4 characters. */
export function maskClientKey(key: string): string {
  return key.length <= 10 ? `${key.slice(0, 2)}…` : `${key.slice(0, 4)}…${key.slice(-4)}`;
}
