import { describe, expect, it } from 'vitest';
import { codeExamples, installedPackages } from '../src/readme-examples/markdown-examples.ts';

const README = [
  '# pkg',
  '',
  '```sh',
  'npm install @ropkit/express express',
  'npm install --save-dev typescript @types/express # the types',
  '```',
  '',
  '```ts',
  "console.log('runs');",
  '```',
  '',
  '<!-- readme-check: {"mode":"server","requests":[{"method":"GET","path":"/","status":401}]} -->',
  '```ts',
  'app.listen(3000);',
  '```',
  '',
  '```js',
  'not checked',
  '```',
].join('\n');

const block = (comment: string) => `${comment}\n\`\`\`ts\nx;\n\`\`\`\n`;

describe('codeExamples', () => {
  it('finds every ts block, with its line and settings', () => {
    const examples = codeExamples('README.md', README);
    expect(examples.map((example) => [example.line, example.settings.mode])).toEqual([
      [8, 'run'],
      [13, 'server'],
    ]);
    expect(examples[0]?.code).toBe("console.log('runs');\n");
    expect(examples[1]?.settings.requests).toEqual([{ method: 'GET', path: '/', status: 401 }]);
  });

  it('refuses what would let an example pass unchecked', () => {
    expect(() => codeExamples('R', block('<!-- readme-check: {"mode":"typecheck"} -->'))).toThrow(
      /must say why/,
    );
    expect(() => codeExamples('R', block('<!-- readme-check: {"mode":"server"} -->'))).toThrow(
      /needs "requests"/,
    );
    expect(() => codeExamples('R', block('<!-- readme-check: {"skip":true} -->'))).toThrow(
      /unknown readme-check setting "skip"/,
    );
    expect(() => codeExamples('R', block('<!-- readme-check: {mode:run} -->'))).toThrow(/not JSON/);
    expect(() => codeExamples('R', '```ts\nnever closed\n')).toThrow(/never closed/);
  });

  it('reads a comment separated from its fence by a blank line, as prettier leaves it', () => {
    const [example] = codeExamples(
      'R',
      '<!-- readme-check: {"mode":"vitest"} -->\n\n```ts\nx;\n```\n',
    );
    expect(example?.settings.mode).toBe('vitest');
  });
});

describe('installedPackages', () => {
  it('reads every npm install line of shell blocks, flags and comments left out', () => {
    expect(installedPackages(README)).toEqual([
      '@ropkit/express',
      'express',
      'typescript',
      '@types/express',
    ]);
  });
});
