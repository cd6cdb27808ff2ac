import type { VNode } from 'preact';
import type { ActionContext } from '../api/action-context';
import { CkanError } from '../api/errors';
import type { PackageDict, ResourceDict } from './dataset-fields';
import type { PageEnv } from './pages/layout';
import { LoaderSection, LoaderStatus, StewardLinks } from './pages/resource-form';

/** A dataset's path and its resources' paths and forms (CKAN's addresses). */
export const datasetPath = (d: { name: string }): string => `/dataset/${encodeURIComponent(d.name)}`;
export const resourcePagePath = (d: { name: string }, rid: string): string => `${datasetPath(d)}/resource/${encodeURIComponent(rid)}`;
/** ckanext-xloader's address for a resource's DataStore page (here: its "load again" POST). */
export const resourceDataPath = (d: { name: string }, rid: string): string => `${datasetPath(d)}/resource_data/${encodeURIComponent(rid)}`;

/**
 * Whether the caller gets the steward's forms for this dataset: the rule the dataset edit form uses, from an action's
 * answer (organization_list_for_user with create_dataset holds the dataset's organization; all of them for sysadmins).
 * The writes themselves are still each action's decision.
 */
export async function mayEditDataset(ctx: ActionContext, d: PackageDict & { owner_org?: string | null }): Promise<boolean> {
  const owner = d.owner_org ?? d.organization?.id;
  if (!ctx.user || !owner) return false;
  const orgs = await ctx.call<{ id: string }[]>('organization_list_for_user', { permission: 'create_dataset' });
  return orgs.some((o) => o.id === owner);
}

/** "Edit dataset" and "add resource" on the dataset page, for those who may edit (`mayEdit`: mayEditDataset's answer). */
export function datasetStewardLinks(env: PageEnv, d: PackageDict, mayEdit: boolean): VNode | null {
  if (!mayEdit) return null;
  return (
    <StewardLinks env={env} links={[
      { href: `/dataset/edit/${encodeURIComponent(d.name)}`, label: 'dataset.edit' },
      { href: `${datasetPath(d)}/resource/new`, label: 'dataset.addResource' },
    ]} />
  );
}

/** "Edit resource" on the resource page, for those who may edit. */
export async function resourceStewardLinks(ctx: ActionContext, env: PageEnv, d: PackageDict, r: ResourceDict): Promise<VNode | null> {
  if (!(await mayEditDataset(ctx, d))) return null;
  return <StewardLinks env={env} links={[{ href: `${resourcePagePath(d, r.id)}/edit`, label: 'resource.edit' }]} />;
}

/**
 * The loader's state on a resource page (xloader_status), for those its rule lets read it (whoever may edit the
 * dataset) once a load has run: nothing for others, nor for a live resource (its table is a view on the sensor readings). `busy` while a
 * load waits or runs (the page then takes the loader island).
 */
export async function loaderPart(ctx: ActionContext, env: PageEnv, d: PackageDict, r: ResourceDict & { resource_type?: string }): Promise<{ body: VNode | null; busy: boolean }> {
  if (!ctx.user || r.resource_type === 'sensor_datastream') return { body: null, busy: false };
  let status: LoaderStatus;
  try {
    status = await ctx.call<LoaderStatus>('xloader_status', { resource_id: r.id });
  } catch (err) {
    // Not allowed: not the caller's to see. Not found: no load ever ran (a link, a PDF, a table written through the API).
    if (err instanceof CkanError) return { body: null, busy: false };
    throw err;
  }
  let rows: number | undefined;
  if (status.status === 'complete' && r.datastore_active) {
    rows = await ctx.call<{ total?: number }>('datastore_search', { resource_id: r.id, limit: 0 }).then((x) => x.total, (err: unknown) => {
      if (err instanceof CkanError) return undefined;
      throw err;
    });
  }
  const busy = status.status === 'pending' || status.status === 'running';
  return {
    busy,
    body: <LoaderSection env={env} status={status} rows={rows} submitAction={resourceDataPath(d, r.id)} refreshHref={`${resourcePagePath(d, r.id)}#loader`} />,
  };
}
