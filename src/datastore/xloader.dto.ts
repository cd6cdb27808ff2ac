import { booleanValidator, declaredFields, DROP, Field, ignoreMissing, Invalid, maxLength, notEmpty, Step, unicodeSafe } from '../api/ckan-schema';

/** `__before: [rename('id', 'resource_id')]`: a given `id` names the resource. */
const idOrResourceId: Step = (v, o) => (o.id !== undefined && o.id !== null && o.id !== '' ? o.id : v);

/** `'__junk': [empty]`: an unknown parameter is refused, not ignored. */
const noJunk = (cls: () => object): Step => (_v, o) => {
  const known = declaredFields(cls() as never);
  return Object.keys(o).some((k) => !known.has(k) && k !== 'id' && k !== '__junk') ? new Invalid('The input field __junk was not expected.') : DROP;
};

/** xloader_submit_schema. */
export class XloaderSubmitInput {
  @Field(noJunk(() => XloaderSubmitInput)) __junk?: never;
  @Field(idOrResourceId, notEmpty, unicodeSafe, maxLength(100)) resource_id!: string;
  /** Reload even when the file is the one loaded last. */
  @Field(ignoreMissing, booleanValidator) ignore_hash?: boolean;
  /** xloader's set_url_type: once loaded, the resource's url_type becomes `datapusher` and its URL the DataStore dump. */
  @Field(ignoreMissing, booleanValidator) set_url_type?: boolean;
}

/** xloader_status: `resource_id` or `id`. */
export class XloaderStatusInput {
  @Field(idOrResourceId, notEmpty, unicodeSafe, maxLength(100)) resource_id!: string;
}
