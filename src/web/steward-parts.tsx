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
 * Whether the caller is an editor or admin of the dataset's organization (a sysadmin: all of them), as
 * organization_list_for_user answers it: who gets the access page (level, shares) and the workflow's buttons.
 * The changes themselves are still each action's decision.
 */
export async function mayEditDataset(ctx: ActionContext, d: PackageDict & { owner_org?: string | null }): Promise<boolean> {
  const owner = d.owner_org ?? d.organization?.id;
  if (!ctx.user || !owner) return false;
  const orgs = await ctx.call<{ id: string }[]>('organization_list_for_user', { permission: 'create_dataset' });
  return orgs.some((o) => o.id === owner);
}

/** Asks an action's auth rule without running the action (WebPages.may). */
export interface ActionCheck {
  may(ctx: ActionContext, action: string, data: Record<string, unknown>): Promise<boolean>;
}

/**
 * Whether the caller may change the dataset's content and resources: package_patch's own auth rule, asked without
 * running it, so the organization's editors, editor collaborators and organizations it is shared with for editing get
 * the forms exactly when the API would let them write (and nobody gets them for a harvested, read-only dataset).
 */
export function mayChangeDataset(pages: ActionCheck, ctx: ActionContext, d: { id: string }): Promise<boolean> {
  return pages.may(ctx, 'package_patch', { id: d.id });
}

/** "Edit dataset" and "add resource" on the dataset page, for those who may change it (`mayChange`: mayChangeDataset's answer). */
export function datasetStewardLinks(env: PageEnv, d: PackageDict, mayChange: boolean): VNode | null {
  if (!mayChange) return null;
  return (
    <StewardLinks env={env} links={[
      { href: `/dataset/edit/${encodeURIComponent(d.name)}`, label: 'dataset.edit' },
      { href: `${datasetPath(d)}/resource/new`, label: 'dataset.addResource' },
    ]} />
  );
}

/** "Edit resource" on the resource page, for those who may change the dataset. */
export async function resourceStewardLinks(pages: ActionCheck, ctx: ActionContext, env: PageEnv, d: PackageDict, r: ResourceDict): Promise<VNode | null> {
  if (!(await mayChangeDataset(pages, ctx, d))) return null;
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
