import { Injectable } from '@nestjs/common';

/** An OpenAPI 3.1 Path Item object, as plain data. */
export type PathItem = Record<string, unknown>;

/** An OpenAPI tag: a group of operations, optionally pointing to outside documentation. */
export interface EndpointTag {
  name: string;
  description: string;
  externalDocs?: { url: string; description?: string };
}

/**
 * The routes that are not CKAN actions (DCAT's /catalog, DataStore dumps, downloads, SensorThings), described by the
 * modules that serve them, for the API description: the action API knows no domain, so each module registers its own
 * path items at start-up, as it registers its actions.
 */
@Injectable()
export class EndpointDocs {
  private readonly paths = new Map<string, PathItem>();
  private readonly tags = new Map<string, EndpointTag>();

  register(tag: EndpointTag, paths: Record<string, PathItem>): void {
    this.tags.set(tag.name, tag);
    for (const [path, item] of Object.entries(paths)) {
      if (this.paths.has(path)) throw new Error(`API path documented twice: ${path}`);
      this.paths.set(path, item);
    }
  }

  allPaths(): [string, PathItem][] {
    return [...this.paths].sort(([a], [b]) => a.localeCompare(b));
  }

  allTags(): EndpointTag[] {
    return [...this.tags.values()];
  }
}

/** A plain-JSON error of a non-action route: `{error: {code, message}}`. */
export const plainErrorResponse = (description: string): Record<string, unknown> => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/PlainError' } } },
});
