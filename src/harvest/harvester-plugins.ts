import { CkanHarvester } from '../../harvesters/ckan/ckan.harvester';
import { DcatRdfHarvester } from '../../harvesters/dcat-rdf/dcat-rdf.harvester';
import type { Harvester } from './harvester';

/**
 * The plug-ins of harvesters/<type>/ this service offers, registered by HarvestModule at start-up (one per source
 * type): ckanext-harvest's `ckan` and ckanext-dcat's `dcat_rdf`.
 */
export const HARVESTER_PLUGINS: readonly Harvester[] = [new CkanHarvester(), new DcatRdfHarvester()];
