import { InitialSchema1795239203795 } from './1795239203795-InitialSchema';
import { AddSearchIndex1795300000000 } from './1795300000000-AddSearchIndex';
import { SearchWordsInOrder1795400000000 } from './1795400000000-SearchWordsInOrder';
import { ResourceUploads1795500000000 } from './1795500000000-ResourceUploads';
import { JobQueue1795600000000 } from './1795600000000-JobQueue';
import { SearchRefreshFoldOnce1795650000000 } from './1795650000000-SearchRefreshFoldOnce';
import { SearchRefreshIndexLookups1795660000000 } from './1795660000000-SearchRefreshIndexLookups';
import { Datastore1795700000000 } from './1795700000000-Datastore';
import { DatastoreLoad1795720000000 } from './1795720000000-DatastoreLoad';
import { DatastoreReader1795750000000 } from './1795750000000-DatastoreReader';
import { DatastoreFullTextWhen1795760000000 } from './1795760000000-DatastoreFullTextWhen';
import { Sensors1795800000000 } from './1795800000000-Sensors';
import { SensorGeo1795810000000 } from './1795810000000-SensorGeo';
import { SensorCatalog1795830000000 } from './1795830000000-SensorCatalog';
import { SensorAggregatePending1795820000000 } from './1795820000000-SensorAggregatePending';
import { SensorSourceWarnings1795870000000 } from './1795870000000-SensorSourceWarnings';
import { SensorViewsResultJson1795880000000 } from './1795880000000-SensorViewsResultJson';
import { SensorFeatureUse1795890000000 } from './1795890000000-SensorFeatureUse';
import { Following1795900000000 } from './1795900000000-Following';
import { TagVocabularies1795910000000 } from './1795910000000-TagVocabularies';
import { SiteSettings1795920000000 } from './1795920000000-SiteSettings';
import { ResourceViews1795930000000 } from './1795930000000-ResourceViews';
import { SearchVocabularyTags1795937000000 } from './1795937000000-SearchVocabularyTags';
import { PackageRelationships1795940000000 } from './1795940000000-PackageRelationships';
import { ResourceDefaultViews1795945000000 } from './1795945000000-ResourceDefaultViews';
import { ApiTokenScopes1795960000000 } from './1795960000000-ApiTokenScopes';
import { AuditTrail1795970000000 } from './1795970000000-AuditTrail';
import { AccessLevels1795985000000 } from './1795985000000-AccessLevels';
import { PackageCollaborators1795990000000 } from './1795990000000-PackageCollaborators';
import { OrganizationHierarchy1796004000000 } from './1796004000000-OrganizationHierarchy';
import { ApprovalWorkflow1796010000000 } from './1796010000000-ApprovalWorkflow';
import { Harvest1796100000000 } from './1796100000000-Harvest';
import { DatasetReadOnly1796200000000 } from './1796200000000-DatasetReadOnly';
import { HarvestDataset1796300000000 } from './1796300000000-HarvestDataset';
import { SpatialSearch1796400000000 } from './1796400000000-SpatialSearch';
import { DatasetQuality1796430000000 } from './1796430000000-DatasetQuality';
import { WebSessions1796450000000 } from './1796450000000-WebSessions';
import { SearchHvdCategory1796460000000 } from './1796460000000-SearchHvdCategory';

/** Every migration in order. `npm run migration:generate -- <Name>` writes a new file; add its class here. */
export const MIGRATIONS = [
  InitialSchema1795239203795, AddSearchIndex1795300000000, SearchWordsInOrder1795400000000, ResourceUploads1795500000000, JobQueue1795600000000,
  SearchRefreshFoldOnce1795650000000, SearchRefreshIndexLookups1795660000000, Datastore1795700000000, DatastoreLoad1795720000000,
  DatastoreReader1795750000000, DatastoreFullTextWhen1795760000000, Sensors1795800000000, SensorGeo1795810000000, SensorAggregatePending1795820000000,
  SensorCatalog1795830000000, SensorSourceWarnings1795870000000, SensorViewsResultJson1795880000000, SensorFeatureUse1795890000000,
  Following1795900000000, TagVocabularies1795910000000, SiteSettings1795920000000, ResourceViews1795930000000,
  SearchVocabularyTags1795937000000, PackageRelationships1795940000000, ResourceDefaultViews1795945000000, ApiTokenScopes1795960000000,
  AuditTrail1795970000000, AccessLevels1795985000000, PackageCollaborators1795990000000, OrganizationHierarchy1796004000000,
  ApprovalWorkflow1796010000000, Harvest1796100000000, DatasetReadOnly1796200000000,
  HarvestDataset1796300000000, SpatialSearch1796400000000, DatasetQuality1796430000000, WebSessions1796450000000,
  SearchHvdCategory1796460000000,
];
