import type { IncomingHttpHeaders } from "node:http";
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchema,
  FastifySchemaCompiler,
  FastifySerializerCompiler,
} from "fastify";
import { serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import type { Endpoint, EndpointParsed, EndpointResult } from "../../shared/api/endpoint.js";
import { errorBodySchema } from "../../shared/errors.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The route needs a live session; the session hook sets `request.personId`. */
    auth?: boolean;
    /** A session that must change its password first may use the route. */
    beforePasswordChange?: boolean;
  }
  interface FastifyRequest {
    /** The logged-in person on routes declared with `auth: true`. */
    personId: string;
  }
}

export type EndpointRequest<E extends Endpoint> = EndpointParsed<E> & {
  personId: E extends { auth: true } ? string : undefined;
  log: FastifyBaseLogger;
  headers: IncomingHttpHeaders;
};

/** The 200 body, or nothing for a 204. */
// biome-ignore lint/suspicious/noConfusingVoidType: a 204 handler is an async function that returns nothing.
type HandlerAnswer<E extends Endpoint> = EndpointResult<E> extends undefined ? void : EndpointResult<E>;

/** Answers the endpoint's body, or the reply it sent itself. */
export type EndpointHandler<E extends Endpoint> = (
  request: EndpointRequest<E>,
  reply: FastifyReply,
) => Promise<HandlerAnswer<E> | FastifyReply>;

/**
 * Registers the route of a declared endpoint: its zod schemas validate the request and check the
 * answer on its way out (fastify-type-provider-zod's compilers); every refusal is an ErrorBody. The
 * handler gets the parsed params, query and body, and the person.
 */
export function serve<E extends Endpoint>(app: FastifyInstance, endpoint: E, handler: EndpointHandler<E>): void {
  const responses = endpoint.responses as Record<number, unknown>;
  const response: Record<string, unknown> = { "4xx": errorBodySchema, "5xx": errorBodySchema };
  for (const [status, schema] of Object.entries(responses)) {
    if (schema !== null && schema !== "download") response[status] = schema;
  }
  app.route({
    method: endpoint.method,
    url: endpoint.path,
    ...(endpoint.bodyLimit ? { bodyLimit: endpoint.bodyLimit } : {}),
    ...(endpoint.quiet ? { logLevel: "warn" } : {}),
    config: { auth: endpoint.auth, beforePasswordChange: endpoint.beforePasswordChange === true },
    // The schemas are zod's: the route validates and serialises with them, whatever the app's defaults.
    validatorCompiler: validatorCompiler as FastifySchemaCompiler<FastifySchema>,
    serializerCompiler: serializerCompiler as FastifySerializerCompiler<unknown>,
    schema: {
      summary: endpoint.summary,
      ...(endpoint.params ? { params: endpoint.params } : {}),
      ...(endpoint.query ? { querystring: endpoint.query } : {}),
      ...(endpoint.body ? { body: endpoint.body } : {}),
      response,
    } as FastifySchema,
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const result = await handler(
        {
          params: request.params,
          query: request.query,
          body: request.body,
          personId: request.personId,
          log: request.log,
          headers: request.headers,
        } as EndpointRequest<E>,
        reply,
      );
      if (result === reply) return reply;
      if (204 in responses) return reply.code(204).send();
      return result;
    },
  });
}
