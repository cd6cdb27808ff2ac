import { EndpointTag, PathItem, plainErrorResponse } from '../../api/endpoint-docs';

const param = (name: string, description: string): Record<string, unknown> => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });

const download = (withFilename: boolean): Record<string, unknown> => ({
  operationId: withFilename ? 'resource_download_named' : 'resource_download',
  tags: ['download'],
  summary: 'Download a resource: the uploaded file (with byte ranges, ETag), or a redirect to its URL',
  parameters: [param('id', 'id or name of the dataset'), param('rid', 'id of the resource'), ...(withFilename ? [param('filename', 'any file name (CKAN links carry it)')] : [])],
  responses: {
    200: { description: 'The file', content: { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } },
    206: { description: 'The requested byte range' },
    302: { description: 'A link resource: redirect to its URL' },
    304: { description: 'Not modified (If-None-Match, If-Modified-Since)' },
    403: plainErrorResponse('The caller may not read the dataset'),
    404: plainErrorResponse('No such resource in this dataset'),
  },
});

/** CKAN's download route (resource-download.controller.ts), for the API description. */
export const DOWNLOAD_ENDPOINT_TAG: EndpointTag = { name: 'download', description: 'Resource files, at CKAN\'s addresses' };
export const DOWNLOAD_ENDPOINT_PATHS: Record<string, PathItem> = {
  '/dataset/{id}/resource/{rid}/download': { get: download(false) },
  '/dataset/{id}/resource/{rid}/download/{filename}': { get: download(true) },
};
