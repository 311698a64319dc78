/** The adapters the example API can be built with. */
export const FRAMEWORKS = ['express', 'koa', 'fastify'] as const;

export type Framework = (typeof FRAMEWORKS)[number];

export function isFramework(value: string): value is Framework {
  return (FRAMEWORKS as readonly string[]).includes(value);
}
