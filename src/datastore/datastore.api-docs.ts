import { EndpointTag, PathItem, plainErrorResponse } from '../api/endpoint-docs';

const text = { schema: { type: 'string' } };
const q = (name: string, description: string, schema: Record<string, unknown> = { type: 'string' }): Record<string, unknown> => ({ name, in: 'query', required: false, description, schema });

/** `GET /datastore/dump/{resource_id}` (datastore-dump.controller.ts), for the API description. */
export const DATASTORE_ENDPOINT_TAG: EndpointTag = { name: 'datastore-dump', description: 'Whole DataStore tables as files (ckanext-datastore\'s dump)' };
export const DATASTORE_ENDPOINT_PATHS: Record<string, PathItem> = {
  '/datastore/dump/{resource_id}': {
    get: {
      operationId: 'datastore_dump',
      tags: ['datastore-dump'],
      summary: 'The rows of a DataStore table as CSV, TSV, JSON, XML or XLSX, streamed',
      description: 'Takes datastore_search\'s q, filters, fields, sort (default _id), distinct, plain, language, offset and limit (default: all rows).',
      parameters: [
        { name: 'resource_id', in: 'path', required: true, schema: { type: 'string' } },
        q('format', 'file format', { type: 'string', enum: ['csv', 'tsv', 'json', 'xml', 'xlsx'], default: 'csv' }),
        q('bom', 'start with a UTF-8 byte order mark (for spreadsheet programs)', { type: 'boolean', default: false }),
        q('q', 'full text'),
        q('filters', 'JSON dict of field: value'),
        q('fields', 'comma-separated fields, in this order'),
        q('sort', 'e.g. "Zeitpunkt desc"'),
        q('limit', 'at most this many rows', { type: 'integer', minimum: 0 }),
        q('offset', 'skip this many rows', { type: 'integer', minimum: 0 }),
      ],
      responses: {
        200: {
          description: 'The table',
          content: { 'text/csv': text, 'text/tab-separated-values': text, 'application/json': text, 'text/xml': text, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } },
        },
        400: plainErrorResponse('Bad parameters'),
        403: plainErrorResponse('The API token lacks the scope "read"'),
        404: plainErrorResponse('No such table, or the caller may not read it'),
      },
    },
  },
};
