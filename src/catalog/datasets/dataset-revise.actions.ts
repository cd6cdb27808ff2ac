import { Injectable } from '@nestjs/common';
import { ActionProvider, AnyAction, defineAction } from '../../api/action';
import type { ActionContext, DataDict } from '../../api/action-context';
import { Field, ignoreMissing, Invalid, listOfStrings, Step } from '../../api/ckan-schema';
import { DataError, NotFound, ValidationError } from '../../api/errors';
import { Authz } from '../../auth/authz';
import { Visibility } from '../../auth/visibility';
import { GroupRepository } from '../organizations/group.repository';
import { authPackageUpdate, loadDataset } from './dataset.auth';
import { DatasetRepository } from './dataset.repository';
import {
  checkStringKey, checkValue, filterGlobMatch, ReviseDataError, updateMergeDict, updateMergeStringKey,
} from './dataset-revise';
import { PackageDict } from './dataset.dict';
import { UploadedFile } from '../resources/uploaded-file';

/** json_or_string: a string holding JSON is parsed, any other string stays a string. */
const jsonOrString: Step = (v) => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
};
/** json_list_or_string: JSON, else a comma-separated list. */
const jsonListOrString: Step = (v) => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    // CKAN compat: CKAN keeps the blanks around the commas ("+title, -*" then names " -*"); we trim them.
    return v.split(',').map((s) => s.trim());
  }
};
const dictOnly: Step = (v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : new Invalid('Must be a dict'));

/** package_revise_schema; `match__*` and `update__*` keys stay on the object as they came. */
export class PackageReviseInput {
  @Field(ignoreMissing, jsonOrString, dictOnly) match?: Record<string, unknown>;
  @Field(ignoreMissing, jsonListOrString, listOfStrings) filter?: string[];
  @Field(ignoreMissing, jsonOrString, dictOnly) update?: Record<string, unknown>;
  @Field(ignoreMissing, jsonListOrString, listOfStrings) include?: string[];
}

/** collect_prefix_validate: the keys starting with `prefix`, without it, their values parsed by json_or_string. */
function collectPrefix(input: PackageReviseInput, prefix: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input as DataDict)) {
    if (k.startsWith(prefix) && k.length > prefix.length) out[k.slice(prefix.length)] = jsonOrString(v, {});
  }
  return out;
}

/** The dataset named by match__id, match.id, match__name or match.name, in CKAN's order of preference. */
function reviseTarget(input: PackageReviseInput): string {
  const flat = collectPrefix(input, 'match__');
  const ref = [flat.id, input.match?.id, flat.name, input.match?.name].find((v) => v !== undefined && v !== null && v !== '');
  if (ref === undefined) throw new ValidationError({ match__id: 'Missing value' });
  return String(ref);
}

/** Removes received files from the revised resources, with the position of the resource each belongs to. */
function takeUploads(revised: Record<string, unknown>): { index: number; file: UploadedFile }[] {
  const out: { index: number; file: UploadedFile }[] = [];
  const resources = Array.isArray(revised.resources) ? (revised.resources as unknown[]) : [];
  resources.forEach((r, index) => {
    if (typeof r !== 'object' || r === null || !('upload' in r)) return;
    const { upload } = r as { upload: unknown };
    delete (r as { upload?: unknown }).upload;
    if (upload instanceof UploadedFile) out.push({ index, file: upload });
  });
  return out;
}

/** A deep copy of a JSON dict (package_show's answer). */
const copy = <T>(v: T): T => structuredClone(v);

/** package_revise: CKAN's match / filter / update / include over package_show and package_update. */
@Injectable()
export class DatasetReviseActions implements ActionProvider {
  constructor(
    private readonly repo: DatasetRepository,
    private readonly groups: GroupRepository,
    private readonly authz: Authz,
    private readonly visibility: Visibility,
  ) {}

  readonly packageRevise = defineAction({
    name: 'package_revise',
    help: `Revise a dataset selectively. Params:
match: dict with the dataset's "id" or "name"; every value given must equal the stored one, else 409 with the differing keys
  under "match" (e.g. {"name": "my-data", "resources": [{"name": "big.csv"}]}).
filter: list (or comma-separated string) of patterns removing fields before the update: "-key" removes, "+key" protects,
  "*" matches all at its level, "__" walks into dicts and lists (an index, negative from the end, or 5+ leading characters of an id),
  e.g. ["+resources", "-*"] clears the dataset-level fields but keeps the resources.
update: dict merged into the dataset (dicts by key, lists by position).
include: patterns as filter, applied to the answer (e.g. "-*" answers nothing).
match__<path> and update__<path> give the same as flattened keys, e.g. update__resources__1f9ab__description or
update__resources__-1__url; update__resources__extend=[{...}] appends resources. Files: multipart fields
update__resources__<index or id>__upload, sent after match__id, match__name or match (e.g. with an extend for a new resource).
Returns {"package": <the dataset as package_update returns it>}. The write is package_update's, with its validation and checks.
Who may call: as package_update (editors and admins of the owning organization, the dataset's editor and admin collaborators,
sysadmins).`,
    sideEffectFree: false,
    anonymous: false,
    input: PackageReviseInput,
    auth: async (ctx, input) => {
      const d = await loadDataset(ctx, this.repo, reviseTarget(input), '');
      return authPackageUpdate(ctx, this.authz, this.visibility, this.groups, this.repo, d);
    },
    handler: async (ctx, input) => this.revise(ctx, input),
  });

  private async revise(ctx: ActionContext, input: PackageReviseInput): Promise<Record<string, unknown>> {
    const row = await this.repo.findRow(ctx.db, reviseTarget(input), { lock: true });
    if (!row) throw new NotFound();
    const orig = await ctx.withIgnoreAuth().call<PackageDict>('package_show', { id: row.id });
    const stored = orig as unknown as Record<string, unknown>;

    const unmatched = input.match ? checkValue(stored, input.match) : [];
    const flatMatch = collectPrefix(input, 'match__');
    for (const k of Object.keys(flatMatch).sort()) {
      try {
        unmatched.push(...checkStringKey(stored, k, flatMatch[k]));
      } catch (e) {
        // CKAN lets this DataError reach its API view, which answers 400 Integrity Error with the message.
        if (e instanceof ReviseDataError) throw new DataError(e.message);
        throw e;
      }
    }
    if (unmatched.length) throw new ValidationError({ match: unmatched.map((p) => p.map(String).join('__')) });

    const revised = copy(stored);
    delete revised.metadata_modified; // so package_update sets a new one
    if (input.filter) {
      filterGlobMatch(revised, input.filter);
      revised.id = orig.id;
    }
    if (input.update) this.merge('update', () => updateMergeDict(revised, input.update));
    const flatUpdate = collectPrefix(input, 'update__');
    // CKAN's order: sorted by key, except that `…extend` keys sort by the character six from their end,
    // which puts them first, so a file can go to a resource added in the same call.
    const sortKey = (k: string): string => (k.endsWith('extend') ? k.at(-6) ?? '' : k);
    const keys = Object.keys(flatUpdate).sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
    for (const k of keys) this.merge(k, () => updateMergeStringKey(revised, k, flatUpdate[k]));

    const files = takeUploads(revised);
    // The same pipeline as a client's package_update: its auth (group changes), validation, DCAT check and search refresh.
    let pkg = await ctx.call<PackageDict>('package_update', revised);
    if (files.length) {
      // CKAN compat: CKAN stores the files within package_update; here the resource writes own uploads, so each file
      // goes to its resource (found by position after the update) through resource_patch, in the same transaction.
      for (const { index, file } of files) await ctx.call('resource_patch', { id: pkg.resources[index].id, upload: file });
      pkg = await ctx.withIgnoreAuth().call<PackageDict>('package_show', { id: pkg.id });
    }
    const rval: Record<string, unknown> = { package: pkg };
    if (input.include) filterGlobMatch(rval, input.include);
    return rval;
  }

  private merge(field: string, apply: () => void): void {
    try {
      apply();
    } catch (e) {
      if (e instanceof ReviseDataError) throw new ValidationError({ [field]: [e.message] });
      throw e;
    }
  }

  all = (): AnyAction[] => [this.packageRevise];
}
