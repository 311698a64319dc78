import { readFileSync } from 'node:fs';

/** The kit's package name and version (from its package.json, in src/ and dist/ alike). */
export function kitInfo(): { name: string; version: string } {
  try {
    const parsed: unknown = JSON.parse(
      readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
    );
    const field = (name: string): unknown =>
      typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, name) : undefined;
    const name = field('name');
    const version = field('version');
    return {
      name: typeof name === 'string' ? name : '@ropkit/conformance',
      version: typeof version === 'string' ? version : 'unknown',
    };
  } catch {
    return { name: '@ropkit/conformance', version: 'unknown' };
  }
}
