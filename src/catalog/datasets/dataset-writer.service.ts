import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ActionContext } from '../../api/action-context';
import { declaredFields } from '../../api/ckan-schema';
import { FieldErrors, NotAuthorized, NotFound, ValidationError } from '../../api/errors';
import { Authz } from '../../auth/authz';
import { Collaborations } from '../../auth/collaborations';
import { Visibility } from '../../auth/visibility';
import { ApprovalGate } from '../approval/approval-gate';
import { GroupRepository } from '../organizations/group.repository';
import { ResourceInput } from '../resources/resource.dto';
import { cleanFormat, guessFormatFromUrl } from '../resources/resource-formats';
import { ResourceRepository, ResourceRow, ResourceValues } from '../resources/resource.repository';
import { VocabularyRepository } from '../tags/vocabulary.repository';
import { resolveAccessLevel } from './dataset-access-level';
import { ownerOrganization, visibilityOf } from './dataset.auth';
import { DatasetChanges } from './dataset-changes';
import { ResourceFiles } from '../resources/resource-files.service';
import { EXTRA_VALUE_MAX, PackageCreateInput, PackageUpdateInput } from './dataset.dto';
import { DatasetRepository, DatasetRow, DatasetValues } from './dataset.repository';
import { spatialProblem } from '../../common/geojson';

/** The extra holding a dataset's extent as GeoJSON (ckanext-spatial's convention). */
const SPATIAL_EXTRA = 'spatial';

/** 'pending' (issue 14): submitted for approval; like a draft it is never public (src/auth/visibility.ts). */
const DATASET_STATES = ['active', 'draft', 'pending', 'deleted'];
type NameHolder = { id: string; state: string } | null;
/** Keys of the package schema: an extra may not reuse one (CKAN's extra_key_not_in_root_schema). */
const ROOT_KEYS = declaredFields(PackageCreateInput);
const RESOURCE_KEYS = declaredFields(ResourceInput);

/** Columns CKAN clears on update when a resource dict leaves them out (doc='remove_if_not_provided'). */
const RESOURCE_CLEARED: Partial<Record<keyof ResourceValues, null | ''>> = {
  url: '', description: null, resource_type: null, mimetype: null, mimetype_inner: null,
};

/**
 * The logic package_create, package_update and package_patch share: reference checks worded as
 * CKAN words them, CKAN's create/replace semantics for every field, and the writes. Callers run
 * it inside the action's transaction, so a failure leaves nothing behind.
 */
@Injectable()
export class DatasetWriter {
  constructor(
    private readonly datasets: DatasetRepository,
    private readonly resources: ResourceRepository,
    private readonly groups: GroupRepository,
    private readonly authz: Authz,
    private readonly changes: DatasetChanges,
    private readonly files: ResourceFiles,
    private readonly vocabularies: VocabularyRepository,
    private readonly collaborations: Collaborations,
    private readonly visibility: Visibility,
    private readonly approval: ApprovalGate,
  ) {}

  async create(ctx: ActionContext, input: PackageCreateInput): Promise<string> {
    const errors: FieldErrors = {};
    const privileged = ctx.isSysadmin || ctx.ignoreAuth;
    let id: string = randomUUID();
    if (input.id !== undefined) {
      if (!privileged) errors.id = ['The input field id was not expected.'];
      else if (await this.datasets.exists(ctx.db, input.id)) errors.id = ['Dataset id already exists'];
      else id = input.id.toLowerCase();
    }
    const { values, nameHolder } = await this.values(ctx, input, null, errors);
    const tags = await this.tags(ctx, input, errors);
    const groupIds = await this.groupIds(ctx, input);
    const resources = await this.checkResources(ctx, input.resources ?? [], null, errors);
    if (Object.keys(errors).length) throw new ValidationError(errors);
    values.state = await this.approval.stateOnCreate(ctx, values, input.state !== undefined);

    await this.releaseName(ctx, nameHolder);
    await this.datasets.insert(ctx.db, id, values, ctx.user?.id ?? null, {
      created: privileged ? input.metadata_created : undefined,
      modified: privileged ? input.metadata_modified : undefined,
    }, tags.names);
    await this.datasets.linkTags(ctx.db, id, tags.names);
    await this.datasets.linkTagIds(ctx.db, id, tags.vocabularyTagIds);
    await this.datasets.setGroups(ctx.db, id, groupIds, { fresh: true });
    await this.saveResources(ctx, id, resources, []);
    await this.approval.recordWrite(ctx, id, null, values);
    return id;
  }

  /** Replaces the dataset with `input` (package_update semantics). */
  async update(ctx: ActionContext, existing: DatasetRow, input: PackageUpdateInput): Promise<void> {
    const errors: FieldErrors = {};
    if (input.id !== undefined && input.id !== existing.id && input.id !== existing.name) {
      errors.id = [`Cannot change value of key from ${existing.id} to ${input.id}. This key is read-only`];
    }
    const { values, nameHolder } = await this.values(ctx, input, existing, errors);
    const tags = await this.tags(ctx, input, errors);
    const groupIds = await this.groupIds(ctx, input);
    const current = await this.resources.listForDataset(ctx.db, existing.id);
    const resources = await this.checkResources(ctx, input.resources ?? [], existing.id, errors);
    if (Object.keys(errors).length) throw new ValidationError(errors);
    await this.checkOwnerOnlyChanges(ctx, existing, values);
    await this.approval.checkUpdate(ctx, existing, values);

    if (values.name !== existing.name) await this.releaseName(ctx, nameHolder);
    await this.datasets.update(ctx.db, existing.id, values);
    await this.datasets.setTags(ctx.db, existing.id, tags.names, tags.vocabularyTagIds);
    await this.datasets.setGroups(ctx.db, existing.id, values.state === 'deleted' ? [] : groupIds);
    await this.saveResources(ctx, existing.id, resources, current);
    await this.approval.recordWrite(ctx, existing.id, existing.state, values);
  }

  /**
   * Issue 14: an 'edit' share lets another organization edit a dataset's content, not what only its own organization
   * decides: its access level (and so `private`), its owner, its state (deleting it, or taking it back to draft).
   */
  private async checkOwnerOnlyChanges(ctx: ActionContext, existing: DatasetRow, values: DatasetValues): Promise<void> {
    const changes = values.access_level !== existing.access_level || values.owner_org !== existing.owner_org || values.state !== existing.state;
    if (!changes || ctx.ignoreAuth || ctx.isSysadmin) return;
    if (!(await this.visibility.canEditAsOwner(ctx, visibilityOf(existing)))) {
      throw new NotAuthorized(`User ${ctx.user?.name ?? ''} not authorized to change the access level, organization or state of package ${existing.id}`);
    }
  }

  /** A deleted dataset holding the name a write takes gives it up (renamed to its id, as CKAN does). */
  private async releaseName(ctx: ActionContext, holder: NameHolder): Promise<void> {
    if (!holder) return;
    await this.datasets.releaseNameOfDeleted(ctx.db, holder.id);
    await this.changes.changed(ctx, holder.id);
  }

  /**
   * CKAN's owner_org_validator: unless AUTH_ALLOW_COLLABORATORS_TO_CHANGE_OWNER_ORG, a caller who edits the dataset as its
   * editor or admin collaborator only (not as editor in its organization) may not move it to another organization.
   */
  private async movedByCollaborator(ctx: ActionContext, existing: DatasetRow): Promise<boolean> {
    if (ctx.isSysadmin || ctx.ignoreAuth || this.collaborations.collaboratorsMoveDatasets) return false;
    if (!(await this.collaborations.is(ctx, existing.id, ['admin', 'editor']))) return false;
    return !(await this.authz.can(ctx, existing.owner_org, 'update_dataset'));
  }

  /**
   * The package row's values, with reference and rule checks collected into `errors`, and the other dataset that
   * holds the name sent (looked up once: it is both the "in use" check and the deleted dataset that must give it up).
   */
  private async values(
    ctx: ActionContext, input: PackageCreateInput, existing: DatasetRow | null, errors: FieldErrors,
  ): Promise<{ values: DatasetValues; nameHolder: NameHolder }> {
    const name = input.name ?? existing?.name ?? '';
    let nameHolder: NameHolder = null;
    if (input.name !== undefined) {
      nameHolder = await this.datasets.nameHolder(ctx.db, input.name, existing?.id);
      if (nameHolder && nameHolder.state !== 'deleted') errors.name = ['That URL is already in use.'];
    }

    let ownerOrg = existing?.owner_org ?? null;
    if (input.owner_org === undefined || input.owner_org === '') {
      if (!existing) errors.owner_org = ['An organization must be provided'];
    } else {
      const org = await ownerOrganization(ctx, this.groups, input.owner_org);
      if (org) this.approval.knowOrganization(ctx, org);
      if (existing && org?.id !== existing.owner_org && (await this.movedByCollaborator(ctx, existing))) {
        errors.owner_org = ['You cannot move this dataset to another organization'];
      } else if (!org || org.state !== 'active') errors.owner_org = ['Organization does not exist'];
      else if (org.id !== existing?.owner_org && !ctx.ignoreAuth && !(await this.authz.can(ctx, org.id, 'create_dataset'))) {
        errors.owner_org = ['You cannot add a dataset to this organization'];
      } else ownerOrg = org.id;
    }

    const accessLevel = resolveAccessLevel(input, existing?.access_level ?? null, errors);
    const isPrivate = accessLevel !== 'public';
    // CKAN's datasets_with_no_organization_cannot_be_private looks at the owner_org sent, so a missing one gets both
    // errors, and a named organization that does not exist only its own.
    if (isPrivate && !ownerOrg && !input.owner_org) errors.private = ["Datasets with no organization can't be private."];

    const state = input.state ?? existing?.state ?? 'active';
    if (!DATASET_STATES.includes(state)) errors.state = [`Value must be one of ${JSON.stringify(DATASET_STATES)}`];

    const extras = this.extras(input, errors);
    const privileged = ctx.isSysadmin || ctx.ignoreAuth;
    const values: DatasetValues = {
      name,
      // package_create: if_empty_same_as("name"); package_update clears omitted text fields (remove_if_not_provided).
      title: existing ? (input.title ?? null) : input.title || name,
      notes: input.notes ?? null,
      url: input.url ?? null,
      version: input.version ?? null,
      author: input.author ?? null,
      author_email: input.author_email ?? null,
      maintainer: input.maintainer ?? null,
      maintainer_email: input.maintainer_email ?? null,
      license_id: input.license_id ?? null,
      owner_org: ownerOrg,
      private: isPrivate,
      access_level: accessLevel,
      state,
      // CKAN compat: a dataset's type never changes on update.
      type: existing?.type ?? input.type ?? 'dataset',
      extras,
      plugin_data: privileged ? (input.plugin_data ?? null) : null,
      // Only sysadmins and the site (the harvest runner) set it; everyone else's writes keep it as it is.
      read_only: privileged && input.read_only !== undefined ? input.read_only : (existing?.read_only ?? false),
    };
    return { values, nameHolder };
  }

  private extras(input: PackageCreateInput, errors: FieldErrors): Record<string, string> {
    const out: Record<string, string> = {};
    const perItem: FieldErrors[] = [];
    let bad = false;
    const seen = new Set<string>();
    for (const e of input.extras ?? []) {
      const itemErrors: FieldErrors = {};
      if (e.deleted) {
        perItem.push(itemErrors);
        continue;
      }
      if (ROOT_KEYS.has(e.key)) itemErrors.key = ['There is a schema field with the same name'];
      const value = e.value === null || typeof e.value === 'string' ? e.value : JSON.stringify(e.value);
      if (typeof value === 'string' && value.length > EXTRA_VALUE_MAX) itemErrors.value = [`Must be a maximum of ${EXTRA_VALUE_MAX} characters long`];
      // ckanext-spatial's check_spatial_extra: the extent must be a GeoJSON geometry on the globe, reported as `spatial`.
      if (e.key === SPATIAL_EXTRA && typeof value === 'string' && value.trim() && !itemErrors.value) {
        const problem = spatialProblem(value);
        if (problem) errors.spatial = [problem];
      }
      if (seen.has(e.key) && !errors.extras_validation) errors.extras_validation = [`Duplicate key "${e.key}"`];
      seen.add(e.key);
      if (Object.keys(itemErrors).length) bad = true;
      else if (value !== null) out[e.key] = value;
      perItem.push(itemErrors);
    }
    if (bad) errors.extras = perItem;
    return out;
  }

  /**
   * Free tag names from `tags` and `tag_string`, each once, and the ids of the vocabulary tags in `tags`: those must
   * exist in their vocabulary (CKAN's vocabulary_id_exists and tag_in_vocabulary_validator; a dataset never creates
   * one). Their errors go to `errors.tags`, flat as CKAN reports tag errors.
   */
  private async tags(ctx: ActionContext, input: PackageCreateInput, errors: FieldErrors): Promise<{ names: string[]; vocabularyTagIds: string[] }> {
    const names = new Set<string>(input.tag_string ?? []);
    const byVocabulary = new Map<string, string[]>();
    for (const t of input.tags ?? []) {
      if (!t.vocabulary_id) names.add(t.name);
      else byVocabulary.set(t.vocabulary_id, [...(byVocabulary.get(t.vocabulary_id) ?? []), t.name]);
    }
    const messages: string[] = [];
    const vocabularyTagIds: string[] = [];
    for (const [vocabularyId, wanted] of byVocabulary) {
      const vocabulary = await this.vocabularies.findById(ctx.db, vocabularyId);
      if (!vocabulary) {
        messages.push('Tag vocabulary was not found.');
        continue;
      }
      const found = await this.vocabularies.tagsNamed(ctx.db, vocabulary.id, wanted);
      for (const name of new Set(wanted)) {
        const tag = found.find((f) => f.name === name);
        if (tag) vocabularyTagIds.push(tag.id);
        else messages.push(`Tag ${name} does not belong to vocabulary ${vocabulary.name}`);
      }
    }
    if (messages.length) errors.tags = [...((errors.tags as string[] | undefined) ?? []), ...messages];
    return { names: [...names], vocabularyTagIds };
  }

  private async groupIds(ctx: ActionContext, input: PackageCreateInput): Promise<string[]> {
    const refs = (input.groups ?? []).map((g) => g.id || g.name).filter((r): r is string => !!r);
    if (!refs.length) return [];
    const found = await this.groups.findMany(ctx.db, refs);
    const ids: string[] = [];
    for (const ref of refs) {
      const g = found.find((x) => x.id === ref || x.name === ref);
      if (!g || g.is_organization || g.state !== 'active') throw new NotFound('Group was not found.');
      if (!ids.includes(g.id)) ids.push(g.id);
    }
    return ids;
  }

  /** Resource ids must not belong to another dataset; formats are normalised or guessed. */
  private async checkResources(ctx: ActionContext, list: ResourceInput[], packageId: string | null, errors: FieldErrors): Promise<ResourceInput[]> {
    const ids = list.map((r) => r.id).filter((id): id is string => !!id);
    const taken = await this.resources.idsOfOtherDatasets(ctx.db, ids, packageId);
    if (taken.size) errors.resources = list.map((r) => (r.id && taken.has(r.id) ? { id: ['Resource id already exists.'] } : {}));
    return list;
  }

  /** Stores the resource list in order: known ids are updated, others inserted (in one statement), missing ones removed. */
  async saveResources(ctx: ActionContext, packageId: string, list: ResourceInput[], current: ResourceRow[]): Promise<void> {
    const byId = new Map(current.map((r) => [r.id, r]));
    const kept = new Set<string>();
    const inserts: { id: string; position: number; values: ResourceValues }[] = [];
    for (const [position, input] of list.entries()) {
      const existing = input.id ? byId.get(input.id.toLowerCase()) : undefined;
      const values = resourceValues(input, existing);
      if (existing) {
        kept.add(existing.id);
        await this.resources.update(ctx.db, existing.id, position, values);
      } else {
        inserts.push({ id: input.id?.toLowerCase() ?? randomUUID(), position, values });
      }
    }
    await this.resources.deleteMany(ctx.db, current.filter((r) => !kept.has(r.id)).map((r) => r.id));
    await this.resources.insertMany(ctx.db, packageId, inserts);
    // Files of dropped or unlinked upload resources are removed once this commits.
    if (current.some((r) => r.upload_key)) this.files.settle(ctx);
  }
}

/** resource_dict_save: provided keys are set, CKAN's cleared columns reset, the rest kept; unknown keys become extras. */
export function resourceValues(input: ResourceInput, existing?: ResourceRow): ResourceValues {
  const v: ResourceValues = {};
  const given = input as unknown as Record<string, unknown>;
  const set = <K extends keyof ResourceValues>(k: K, value: ResourceValues[K]): void => {
    v[k] = value;
  };
  for (const key of ['url', 'name', 'description', 'format', 'mimetype', 'mimetype_inner', 'hash', 'url_type', 'resource_type', 'cache_url'] as const) {
    if (given[key] !== undefined) set(key, given[key] as string | null);
    else if (existing && key in RESOURCE_CLEARED) set(key, RESOURCE_CLEARED[key] as never);
  }
  for (const key of ['size', 'created', 'last_modified', 'cache_last_updated'] as const) {
    if (given[key] !== undefined) set(key, given[key] as never);
  }
  // clear_upload, or another url_type: the resource is a link again and its file goes (CKAN sets url_type '').
  if (input.clear_upload) v.url_type = '';
  // An upload keeps its file name whatever URL a client sends back (CKAN keeps the last path segment).
  if (existing?.upload_key && (v.url_type ?? existing.url_type) === 'upload' && typeof v.url === 'string') v.url = v.url.split('/').pop() ?? '';
  if (existing?.upload_key && v.url_type !== undefined && v.url_type !== 'upload') {
    v.upload_key = null;
    // Left pointing at its own former download URL it would redirect to itself.
    if (typeof v.url === 'string' && (v.url === existing.url || v.url.endsWith(`/resource/${existing.id}/download/${existing.url}`))) v.url = '';
  }
  if (typeof v.format === 'string' && v.format) v.format = cleanFormat(v.format);
  else if (!existing && !input.id && !v.format) {
    const guessed = typeof v.url === 'string' && v.url ? guessFormatFromUrl(v.url) : undefined;
    if (guessed) v.format = guessed;
  }
  if (!existing && v.url === undefined) v.url = '';
  v.extras = resourceExtras(input);
  return v;
}

/** The keys of a resource dict that are not resource columns: CKAN keeps them as resource extras. */
export function resourceExtras(input: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(input)) {
    if (!RESOURCE_KEYS.has(k) && k !== 'package_id' && k !== 'dcat_validation' && val !== undefined) out[k] = val;
  }
  return out;
}
