import { EndpointTag, PathItem, plainErrorResponse } from '../api/endpoint-docs';
import { RDF_FORMATS } from './rdf-formats';

const EXTS = RDF_FORMATS.map((f) => f.ext);
const RDF_CONTENT = Object.fromEntries([...new Set(RDF_FORMATS.map((f) => f.mediaType))].map((t) => [t, { schema: { type: 'string' } }]));
const format = { name: 'format', in: 'path', required: true, schema: { type: 'string', enum: EXTS } };
const profile = { name: 'profile', in: 'query', required: false, description: 'DCAT profile(s) to serialise with, comma-separated (default: the site\'s)', schema: { type: 'string' } };
const rdf = (what: string): Record<string, unknown> => ({ description: what, content: RDF_CONTENT });
const errors = { 404: plainErrorResponse('Not found, or an unknown format'), 403: plainErrorResponse('The API token lacks the scope "read"') };

const catalogOp = (negotiated: boolean): Record<string, unknown> => ({
  tags: ['dcat-rdf'],
  summary: negotiated ? 'The DCAT-AP.de catalog, in the RDF format the Accept header asks for' : 'The DCAT-AP.de catalog in one RDF format',
  description: 'Public active datasets, paged as hydra:PagedCollection (ckanext-dcat). Filters as in package_search.',
  parameters: [
    ...(negotiated ? [] : [format]),
    { name: 'page', in: 'query', required: false, schema: { type: 'integer', minimum: 1, default: 1 } },
    { name: 'modified_since', in: 'query', required: false, description: 'only datasets modified since this ISO 8601 time', schema: { type: 'string' } },
    { name: 'q', in: 'query', required: false, schema: { type: 'string' } },
    { name: 'fq', in: 'query', required: false, schema: { type: 'string' } },
    profile,
  ],
  responses: { 200: rdf('The catalog page'), ...errors, ...(negotiated ? { 406: plainErrorResponse('No RDF format acceptable') } : {}) },
});

const datasetOp = (negotiated: boolean): Record<string, unknown> => ({
  tags: ['dcat-rdf'],
  summary: negotiated ? 'One dataset as RDF, by content negotiation (browsers get the HTML page)' : 'One dataset in one RDF format',
  parameters: [{ name: 'id', in: 'path', required: true, description: 'id or name of the dataset', schema: { type: 'string' } }, ...(negotiated ? [] : [format]), profile],
  responses: { 200: rdf('The dataset as DCAT-AP.de'), ...errors },
});

/** The DCAT routes beside the actions (dcat.controller.ts), for the API description. */
export const DCAT_ENDPOINT_TAG: EndpointTag = { name: 'dcat-rdf', description: 'DCAT-AP.de RDF endpoints (ckanext-dcat): the catalog and each dataset' };
export const DCAT_ENDPOINT_PATHS: Record<string, PathItem> = {
  '/catalog': { get: { operationId: 'dcat_catalog_negotiated', ...catalogOp(true) } },
  '/catalog.{format}': { get: { operationId: 'dcat_catalog', ...catalogOp(false) } },
  '/dataset/{id}': { get: { operationId: 'dcat_dataset_negotiated', ...datasetOp(true) } },
  '/dataset/{id}.{format}': { get: { operationId: 'dcat_dataset', ...datasetOp(false) } },
};
