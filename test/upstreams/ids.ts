// Vendor-looking ids. A process-wide counter keeps them unique and readable in test failures.
let counter = 0;

export function newId(prefix: string): string {
  counter += 1;
  return `${prefix}local${counter.toString().padStart(6, '0')}`;
}
