import { findLicense, licenseIri } from '../../../dcat-profiles/vocabularies/licenses';
import { ckanTimestamp } from '../../common/ckan-time';
import { mungeFilename } from '../../common/munge';
import type { DatasetDictRow, StoredApproval, StoredRelationship } from './dataset.repository';

export type PackageDict = Record<string, unknown> & { id: string; name: string; resources: ResourceDict[] };
export type ResourceDict = Record<string, unknown> & { id: string; url: string };

/** A resource as stored or as aggregated to JSON by PostgreSQL. */
export interface StoredResource {
  id: string;
  package_id: string;
  position: number;
  url: string;
  name: string | null;
  description: string | null;
  format: string | null;
  mimetype: string | null;
  mimetype_inner: string | null;
  size: number | string | null;
  hash: string | null;
  url_type: string | null;
  resource_type: string | null;
  cache_url: string | null;
  cache_last_updated: string | null;
  created: string;
  last_modified: string | null;
  metadata_modified: string;
  state: string;
  extras: Record<string, unknown> | null;
  upload_key?: string | null;
}

/** The public download URL of an uploaded file: always by dataset id, so renames never break it. */
export function downloadUrl(siteUrl: string, packageId: string, resourceId: string, filename: string): string {
  return `${siteUrl}/dataset/${packageId}/resource/${resourceId}/download/${encodeURIComponent(mungeFilename(filename))}`;
}

/** resource_dictize: stored columns, extras as top-level keys, URLs made absolute. */
export function toResourceDict(r: StoredResource, siteUrl: string): ResourceDict {
  let url = r.url ?? '';
  // A resource is an upload when it has a stored file; url_type "upload" alone (copied from another catalog) stays a link.
  if (r.url_type === 'upload' && r.upload_key) {
    url = downloadUrl(siteUrl, r.package_id, r.id, url.split('/').pop() ?? '');
  } else if (url && !/^[a-z][a-z0-9+.-]*:/i.test(url)) {
    url = `http://${url.replace(/^\/+/, '')}`;
  }
  return {
    cache_last_updated: ckanTimestamp(r.cache_last_updated),
    cache_url: r.cache_url,
    created: ckanTimestamp(r.created),
    description: r.description,
    format: r.format,
    hash: r.hash,
    id: r.id,
    last_modified: ckanTimestamp(r.last_modified),
    metadata_modified: ckanTimestamp(r.metadata_modified),
    mimetype: r.mimetype,
    mimetype_inner: r.mimetype_inner,
    name: r.name,
    package_id: r.package_id,
    position: r.position,
    resource_type: r.resource_type,
    size: r.size === null || r.size === undefined ? null : Number(r.size),
    state: r.state,
    url,
    url_type: r.url_type,
    ...(r.extras ?? {}),
  };
}

/** package_dictize + the show schema: the dataset dict exactly as CKAN's package_show returns it. */
export function toPackageDict(row: DatasetDictRow, siteUrl: string, opts: { includePluginData?: boolean } = {}): PackageDict {
  const license = findLicense(row.license_id);
  const org = row.organization;
  const dict: PackageDict = {
    author: row.author,
    author_email: row.author_email,
    creator_user_id: row.creator_user_id,
    id: row.id,
    isopen: license?.isOpen ?? false,
    license_id: row.license_id,
    license_title: license ? license.title : row.license_id,
    ...(license?.url ? { license_url: license.url } : {}),
    maintainer: row.maintainer,
    maintainer_email: row.maintainer_email,
    metadata_created: ckanTimestamp(row.metadata_created),
    metadata_modified: ckanTimestamp(row.metadata_modified),
    name: row.name,
    notes: row.notes,
    num_resources: row.resources.length,
    num_tags: row.tags.length,
    organization: org ? { ...org, created: ckanTimestamp(org.created as string) } : null,
    owner_org: row.owner_org,
    private: row.private,
    access_level: row.access_level,
    state: row.state,
    title: row.title === null ? null : row.title.trim(),
    type: row.type || 'dataset',
    url: row.url,
    version: row.version,
    extras: Object.keys(row.extras ?? {})
      .sort()
      .map((key) => ({ key, value: row.extras[key] })),
    groups: row.groups.map((g) => ({
      description: g.description,
      display_name: g.title || g.name,
      id: g.id,
      image_display_url: g.image_url,
      name: g.name,
      title: g.title,
    })),
    resources: row.resources.map((r) => toResourceDict(r as unknown as StoredResource, siteUrl)),
    tags: row.tags.map((t) => ({ display_name: t.name, id: t.id, name: t.name, state: 'active', vocabulary_id: t.vocabulary_id ?? null })),
    relationships_as_object: (row.relationships_as_object ?? []).map(toShownRelationship),
    relationships_as_subject: (row.relationships_as_subject ?? []).map(toShownRelationship),
  };
  // Computed fields (e.g. `quality`) after the stored ones, never in their place.
  for (const [key, value] of Object.entries(row.derived ?? {})) if (!(key in dict)) dict[key] = value;
  const approval = toApprovalDict(row);
  if (approval) dict.approval = approval;
  if (opts.includePluginData) dict.plugin_data = row.plugin_data;
  return dict;
}

/** Where a dataset stands in the approval workflow, as package_show shows it to its readers (issue 14). */
export interface ApprovalDict {
  /** From the dataset's state: 'published' (active), 'pending', 'sent_back' (a draft an approver returned) or 'draft'. */
  status: 'draft' | 'pending' | 'published' | 'sent_back';
  /** The approver's note of the last send-back, until the dataset is published. */
  note: string | null;
  /** Who brought the current status about (the submitter while pending, the approver once decided) and when. */
  by: string | null;
  at: string | null;
  submitted_by: string | null;
  submitted_at: string | null;
}

/**
 * The `approval` of a dataset whose organization requires approval or that has been through the workflow; none for
 * others (CKAN's dict unchanged) and for deleted ones. The state is the truth; the record adds the names and the note.
 */
export function toApprovalDict(row: Pick<DatasetDictRow, 'state' | 'approval_required'> & { approval: StoredApproval | null }): ApprovalDict | undefined {
  const a = row.approval;
  if ((!row.approval_required && !a) || row.state === 'deleted') return undefined;
  const status: ApprovalDict['status'] =
    row.state === 'active' ? 'published' : row.state === 'pending' ? 'pending' : a?.status === 'sent_back' ? 'sent_back' : 'draft';
  const decided = a && a.status === status && (status === 'published' || status === 'sent_back');
  const submitted = a && status === 'pending' && a.status === 'pending';
  return {
    status,
    note: status === 'published' ? null : (a?.note ?? null),
    by: decided ? a.decided_by : submitted ? a.submitted_by : null,
    at: ckanTimestamp(decided ? a.decided_at : submitted ? a.submitted_at : null),
    submitted_by: a?.submitted_by ?? null,
    submitted_at: ckanTimestamp(a?.submitted_at ?? null),
  };
}

/**
 * A relationship in package_show as CKAN 2.11 shows it: package_dictize's table row put through the default show
 * schema, which drops `state` and moves the columns it does not know (the two dataset ids) into `__extras`.
 */
function toShownRelationship(r: StoredRelationship): Record<string, unknown> {
  return {
    __extras: { object_package_id: r.object_package_id, subject_package_id: r.subject_package_id },
    comment: r.comment,
    id: r.id,
    type: r.type,
  };
}

/** The other datasets a dataset's relationships name (not itself). */
export function relatedDatasetIds(row: Pick<DatasetDictRow, 'id' | 'relationships_as_subject' | 'relationships_as_object'>): string[] {
  const ids = new Set([...(row.relationships_as_subject ?? []).map((r) => r.object_package_id), ...(row.relationships_as_object ?? []).map((r) => r.subject_package_id)]);
  ids.delete(row.id);
  return [...ids];
}

/** The ids a shown relationship links (see toShownRelationship). */
const linkedIds = (r: unknown): string[] => {
  const extras = ((r ?? {}) as { __extras?: { object_package_id?: string; subject_package_id?: string } }).__extras ?? {};
  return [extras.subject_package_id ?? '', extras.object_package_id ?? ''];
};

/** The dict without the relationships that name one of `hidden` (datasets the reader may not read); the same dict when none does. */
export function withoutRelationshipsTo<T extends Record<string, unknown>>(dict: T, hidden: ReadonlySet<string>): T {
  if (!hidden.size) return dict;
  const keep = (list: unknown): unknown => (Array.isArray(list) ? list.filter((r) => !linkedIds(r).some((id) => hidden.has(id))) : list);
  return { ...dict, relationships_as_subject: keep(dict.relationships_as_subject), relationships_as_object: keep(dict.relationships_as_object) };
}

/** The other datasets a rendered dict's relationships name. */
export function relatedIdsOfDict(dict: Record<string, unknown>): string[] {
  const ids = new Set<string>();
  for (const key of ['relationships_as_subject', 'relationships_as_object']) {
    const list = dict[key];
    if (Array.isArray(list)) for (const r of list) for (const id of linkedIds(r)) if (id) ids.add(id);
  }
  ids.delete(dict.id as string);
  return [...ids];
}

/** The licence IRI for a licence key, when it is a DCAT-AP.de licence. */
export function licenseIriOf(licenseId: string | null): string | undefined {
  const l = findLicense(licenseId);
  return l ? licenseIri(l) : undefined;
}
