import type { FastifyReply, FastifyRequest, RawServerBase, RouteGenericInterface } from 'fastify';

// The hooks and handlers take these rather than Fastify's defaults (HTTP/1.1 only), so they fit
// the routes of an HTTP/2 or HTTPS instance as well.

/** A request of any Fastify server (HTTP/1.1, HTTPS, HTTP/2). */
export type AnyFastifyRequest = FastifyRequest<RouteGenericInterface, RawServerBase>;

/** A reply of any Fastify server (HTTP/1.1, HTTPS, HTTP/2). */
export type AnyFastifyReply = FastifyReply<RouteGenericInterface, RawServerBase>;
