import { Ajv, type Options } from 'ajv';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';

const common: Options = { useDefaults: true, removeAdditional: false, allErrors: false, strict: false };

/**
 * Two Ajv instances instead of Fastify's one. Query strings, params and headers arrive as
 * text, so they are coerced (`limit=10` → 10, `types=A` → ['A']). Bodies are JSON and are
 * not: `"type": 123` or `"expectedVersion": "5"` is a 400, never silently turned into
 * something else. Unknown body fields are refused, never stripped, so a typo such as
 * `metdata` cannot drop data on the floor.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<FastifySchema> {
  const text = new Ajv({ ...common, coerceTypes: 'array' });
  const json = new Ajv({ ...common, coerceTypes: false });
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? json : text;
    return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<FastifySchema>>;
  };
}
