import type { Harvester } from './harvester';

/**
 * The plug-ins of harvesters/<type>/ this service offers, registered by HarvestModule at start-up (one per source
 * type). Add a plug-in here when it lands, e.g. `new CkanHarvester()` from harvesters/ckan/ckan.harvester.ts.
 */
export const HARVESTER_PLUGINS: readonly Harvester[] = [];
