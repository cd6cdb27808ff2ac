import { EndpointTag, PathItem } from '../../api/endpoint-docs';

/** The SensorThings API's landing page (sta-read.controller.ts): the API itself is OGC's, documented there. */
export const STA_ENDPOINT_TAG: EndpointTag = {
  name: 'sensorthings',
  description: 'OGC SensorThings API v1.1 for live sensor data (Things, Datastreams, Observations; reads, writes, MQTT). Its landing page lists the entity sets.',
  externalDocs: { url: 'https://docs.ogc.org/is/18-088/18-088.html', description: 'OGC SensorThings API Part 1: Sensing, version 1.1' },
};
export const STA_ENDPOINT_PATHS: Record<string, PathItem> = {
  '/sta/v1.1': {
    get: {
      operationId: 'sta_landing',
      tags: ['sensorthings'],
      summary: 'The SensorThings API landing page: its entity sets and conformance classes',
      externalDocs: { url: 'https://docs.ogc.org/is/18-088/18-088.html' },
      responses: {
        200: {
          description: 'The landing page',
          content: { 'application/json': { schema: { type: 'object', properties: { value: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, url: { type: 'string', format: 'uri' } } } }, serverSettings: { type: 'object' } } } } },
        },
      },
    },
  },
};
