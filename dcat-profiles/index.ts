import type { DcatProfile } from '../src/dcat/profile';
import { dcatApDe3 } from './dcat-ap-de-3/profile';
import { dcatAp3 } from './dcat-ap-eu-3/profile';

/** The profiles the catalog can publish, by id (`?profile=` on the RDF endpoints). */
export const DCAT_PROFILES: Record<string, DcatProfile> = {
  [dcatApDe3.id]: dcatApDe3,
  [dcatAp3.id]: dcatAp3,
};

/** DCAT-AP.de 3.0 with the 2.0 terms GovData's importer reads. */
export const DEFAULT_PROFILE = dcatApDe3;
