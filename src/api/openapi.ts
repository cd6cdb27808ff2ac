import { ACTION_FAMILIES, ActionDoc } from './api-docs';
import type { EndpointTag, PathItem } from './endpoint-docs';
import type { JsonSchema, ParamDoc } from './input-schema';

export interface OpenApiInfo {
  version: string;
  siteUrl: string;
}

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: JsonSchema, example?: unknown): Record<string, unknown> => ({ 'application/json': { schema, ...(example === undefined ? {} : { example }) } });

/** The CKAN envelope and its errors, shared by every action. */
const COMPONENTS = {
  schemas: {
    CkanSuccess: {
      type: 'object',
      required: ['help', 'success', 'result'],
      properties: {
        help: { type: 'string', format: 'uri', description: "The action's help_show URL" },
        success: { const: true },
        result: { description: "The action's result" },
      },
    },
    CkanError: {
      type: 'object',
      required: ['help', 'success', 'error'],
      properties: {
        help: { type: 'string', format: 'uri' },
        success: { const: false },
        error: {
          type: 'object',
          required: ['__type'],
          properties: {
            __type: { type: 'string', enum: ['Validation Error', 'Not Found Error', 'Authorization Error', 'Integrity Error', 'Search Query Error', 'Rate Limit Error', 'Internal Server Error'] },
            message: { type: 'string' },
          },
          additionalProperties: { description: 'Validation Error: the messages of each invalid field (a list, or one dict per item of a list field)' },
        },
      },
    },
    BadRequest: { type: 'string', description: 'CKAN answers an unknown action, a bad JSON body or a GET of a POST-only action with a bare JSON string', examples: ['Bad request: Action name not known: packge_show'] },
    PlainError: {
      type: 'object',
      required: ['error'],
      properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'integer' }, message: { type: 'string' } } } },
    },
  },
  responses: {
    BadRequest: {
      description: 'Bad request: unknown action, bad JSON, GET of a POST-only action (a bare string); an Integrity or Search Query Error (the envelope)',
      content: json({ oneOf: [ref('BadRequest'), ref('CkanError')] }),
    },
    Forbidden: {
      description: 'Authorization Error: the caller may not do this, or the API token lacks the scope',
      content: json(ref('CkanError'), { help: 'http://localhost:5000/api/3/action/help_show?name=package_create', success: false, error: { __type: 'Authorization Error', message: 'Access denied: Action package_create requires an authenticated user' } }),
    },
    NotFound: {
      description: 'Not Found Error',
      content: json(ref('CkanError'), { help: 'http://localhost:5000/api/3/action/help_show?name=package_show', success: false, error: { __type: 'Not Found Error', message: 'Not found: Dataset not found' } }),
    },
    Conflict: {
      description: 'Validation Error: the messages of each invalid field',
      content: json(ref('CkanError'), { help: 'http://localhost:5000/api/3/action/help_show?name=package_create', success: false, error: { __type: 'Validation Error', name: ['Missing value'] } }),
    },
  },
  securitySchemes: {
    apiToken: {
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
      description: 'An API token (api_token_create), sent as CKAN ≥ 2.10 clients send it: the bare token, or `Bearer <token>`; `X-CKAN-API-Key` works too. Each token has scopes (read, write, datastore, harvest, ingest, admin); an operation names the one it needs in `x-token-scope`.',
    },
  },
};

/** A GET query parameter: scalars and lists as they are, dicts as JSON text (CKAN parses them). */
function queryParameter(p: ParamDoc): Record<string, unknown> {
  const { description, ...schema } = p.schema;
  const base = { name: p.name, in: 'query', required: p.required, ...(description ? { description } : {}) };
  if (schema.type === 'object' || (schema.type === 'array' && (schema.items as JsonSchema | undefined)?.type === 'object')) {
    return { ...base, content: json(schema) };
  }
  return { ...base, schema };
}

function bodySchema(doc: ActionDoc, withFiles: boolean): JsonSchema {
  const properties: Record<string, JsonSchema> = Object.fromEntries(doc.params.map((p) => [p.name, p.schema]));
  const required = doc.params.filter((p) => p.required).map((p) => p.name);
  const schema: JsonSchema = { type: 'object', properties, ...(required.length ? { required } : {}) };
  const files = withFiles ? doc.files : undefined;
  if (!files) return schema;
  const file = {
    type: 'string',
    contentMediaType: 'application/octet-stream',
    description: `A file to store (the resource's url_type becomes "upload"); send ${files.sendFirst.join(' or ')} before it. At most ${files.maxBytes} bytes in all.`,
  };
  if (files.field) properties[files.field] = file;
  if (files.pattern) schema.patternProperties = { [files.pattern]: file };
  return schema;
}

function operation(doc: ActionDoc, method: 'GET' | 'POST', operationId: string): Record<string, unknown> {
  const description = [doc.help, doc.anonymous ? '' : 'Needs an API token (a logged-in user).', `Token scope: ${doc.scope}.`].filter(Boolean).join('\n\n');
  const op: Record<string, unknown> = {
    operationId,
    tags: [doc.family],
    summary: doc.summary,
    description,
    'x-token-scope': doc.scope,
    security: doc.anonymous ? [{}, { apiToken: [] }] : [{ apiToken: [] }],
    responses: {
      200: { description: 'Success: the CKAN envelope with the result', content: json(ref('CkanSuccess')) },
      400: { $ref: '#/components/responses/BadRequest' },
      403: { $ref: '#/components/responses/Forbidden' },
      404: { $ref: '#/components/responses/NotFound' },
      409: { $ref: '#/components/responses/Conflict' },
    },
  };
  if (method === 'GET') {
    op.parameters = doc.params.map(queryParameter);
  } else {
    const content: Record<string, unknown> = json(bodySchema(doc, false), doc.example.method === 'POST' ? doc.example.params : undefined);
    if (doc.files) content['multipart/form-data'] = { schema: bodySchema(doc, true) };
    op.requestBody = { required: doc.params.some((p) => p.required), content };
  }
  if (doc.example.method === method) op['x-codeSamples'] = [{ lang: 'Shell', label: 'curl', source: doc.example.curl }];
  if (method === 'POST' && doc.example.uploadCurl) {
    op['x-codeSamples'] = [...((op['x-codeSamples'] as unknown[] | undefined) ?? []), { lang: 'Shell', label: 'curl (file upload)', source: doc.example.uploadCurl }];
  }
  return op;
}

/** The OpenAPI 3.1 description of the whole API: every action, and the routes modules documented (EndpointDocs). */
export function openApiDocument(actions: ActionDoc[], endpoints: { paths: [string, PathItem][]; tags: EndpointTag[] }, info: OpenApiInfo): Record<string, unknown> {
  const paths: Record<string, PathItem> = {};
  for (const doc of actions) {
    const item: PathItem = {};
    if (doc.methods.includes('GET')) item.get = operation(doc, 'GET', doc.name);
    item.post = operation(doc, 'POST', doc.methods.includes('GET') ? `${doc.name}_post` : doc.name);
    paths[`/api/3/action/${doc.name}`] = item;
  }
  for (const [path, item] of endpoints.paths) paths[path] = item;
  const used = new Set(actions.map((a) => a.family));
  const known = ACTION_FAMILIES.filter((f) => used.has(f.name)).map((f) => ({ name: f.name, description: f.description }));
  const other = [...used].filter((f) => !ACTION_FAMILIES.some((k) => k.name === f)).sort().map((name) => ({ name, description: `${name}_* actions` }));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Open-data catalog API (CKAN-compatible)',
      version: info.version,
      description:
        'The CKAN action API (`/api/3/action/{name}`, answered in the CKAN envelope `{help, success, result}`), generated from the ' +
        'action registry, and the routes beside it: DCAT catalog and dataset RDF, DataStore dumps, resource downloads, SensorThings.',
    },
    servers: [{ url: info.siteUrl }],
    tags: [...known, ...other, ...endpoints.tags],
    paths,
    components: COMPONENTS,
  };
}
