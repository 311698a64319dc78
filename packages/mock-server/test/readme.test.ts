import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');

interface CodeBlock {
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly language: string;
  readonly code: string;
  /** The line just above the opening fence. */
  readonly above: string;
}

function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const open = /^```(\S*)$/.exec(lines[index]!);
    if (open === null) continue;
    const end = lines.indexOf('```', index + 1);
    blocks.push({
      line: index + 1,
      language: open[1]!,
      code: lines.slice(index + 1, end).join('\n'),
      above: lines[index - 1] ?? '',
    });
    index = end;
  }
  return blocks;
}

/** What a `readme-check` annotation may say (see the README's blocks). */
function annotationProblem(block: CodeBlock): string | undefined {
  const match = /^<!-- readme-check: (.*) -->$/.exec(block.above);
  if (match === null) {
    return block.above.startsWith('<!--')
      ? `line ${block.line}: the comment above is not a readme-check annotation`
      : undefined;
  }
  let annotation: unknown;
  try {
    annotation = JSON.parse(match[1]!);
  } catch {
    return `line ${block.line}: the annotation is not JSON`;
  }
  const { mode, requires, reason, ...rest } = annotation as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return `line ${block.line}: unknown annotation keys`;
  if (mode !== undefined && mode !== 'vitest' && mode !== 'typecheck') {
    return `line ${block.line}: mode must be "vitest" or "typecheck"`;
  }
  if (mode === 'typecheck' && typeof reason !== 'string') {
    return `line ${block.line}: a typecheck-only block must say why ("reason")`;
  }
  if (
    requires !== undefined &&
    !(Array.isArray(requires) && requires.every((r) => r === 'docker'))
  ) {
    return `line ${block.line}: requires may only list "docker"`;
  }
  return undefined;
}

describe("the README's TypeScript blocks", () => {
  const blocks = codeBlocks(readme).filter((block) => block.language === 'ts');

  it('are annotated right above their fence, with a valid readme-check comment or none', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    expect(blocks.map(annotationProblem).filter((problem) => problem !== undefined)).toEqual([]);
  });

  it('import what they use from packages, not from relative paths', () => {
    const relative = blocks.filter((block) => /from '\.\.?\//.test(block.code));
    expect(relative.map((block) => block.line)).toEqual([]);
  });

  it('include the vitest example that test/readme-example.test.ts runs, word for word', async () => {
    const vitestBlocks = blocks.filter((block) => block.above.includes('"mode":"vitest"'));
    expect(vitestBlocks).toHaveLength(1);
    const copy = await readFile(new URL('readme-example.test.ts', import.meta.url), 'utf8');
    const body = copy
      .split('\n')
      .filter((line) => !line.startsWith('//'))
      .join('\n')
      .replace("from '../src/index.js'", "from '@ropkit/mock-server'")
      .trim();
    expect(body).toBe(vitestBlocks[0]!.code.trim());
  });
});
