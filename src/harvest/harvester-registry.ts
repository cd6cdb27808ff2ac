import { Injectable } from '@nestjs/common';
import type { Harvester, HarvestTools } from './harvester';

/** Nest token of the catalog's tools for plug-ins (RDF parsing through the DCAT profiles); optional. */
export const HARVEST_TOOLS = Symbol('HARVEST_TOOLS');
export type { HarvestTools };

/** The plug-ins by source type. HarvestModule registers those in harvesters/; tests may register their own. */
@Injectable()
export class HarvesterRegistry {
  private readonly byType = new Map<string, Harvester>();

  register(harvester: Harvester): void {
    if (this.byType.has(harvester.type)) throw new Error(`A harvester of type ${harvester.type} is already registered`);
    this.byType.set(harvester.type, harvester);
  }

  get(type: string): Harvester | undefined {
    return this.byType.get(type);
  }

  types(): string[] {
    return [...this.byType.keys()].sort();
  }

  all(): Harvester[] {
    return this.types().map((t) => this.byType.get(t)!);
  }
}
