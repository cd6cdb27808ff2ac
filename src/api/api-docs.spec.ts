import { curlOf, exampleQuery, familyOf, paramDescriptions, summaryOf, uploadCurlOf, whoMayCallOf } from './api-docs';
import { booleanValidator, Field, ignoreEmpty, ignoreMissing, maxItems, maxLength, NestedList, naturalNumber, notEmpty, oneOf, unicodeSafe } from './ckan-schema';
import { inputParams, objectSchema } from './input-schema';

class ItemInput {
  @Field(notEmpty, unicodeSafe) name!: string;
}

class SampleInput {
  @Field(notEmpty, unicodeSafe, maxLength(100)) id!: string;
  @Field(ignoreEmpty, naturalNumber) rows = 10;
  @Field(ignoreMissing, oneOf(['asc', 'desc'])) order?: string;
  @Field(ignoreMissing, booleanValidator) all?: boolean;
  @NestedList(ItemInput, { before: [maxItems(5, 'items')] }) items?: ItemInput[];
}

describe('the API documentation model', () => {
  it('derives each parameter from its rules: type, bounds, enum, default, and whether it is required', () => {
    const params = Object.fromEntries(inputParams(SampleInput).map((p) => [p.name, p]));
    expect(params.id).toEqual({ name: 'id', required: true, type: 'string', schema: { type: 'string', maxLength: 100 } });
    // A default makes a parameter optional, whatever its chain says.
    expect(params.rows).toEqual({ name: 'rows', required: false, type: 'integer ≥ 0', schema: { type: 'integer', minimum: 0, default: 10 } });
    expect(params.order).toMatchObject({ type: 'one of asc, desc', schema: { type: 'string', enum: ['asc', 'desc'] } });
    expect(params.all.schema).toEqual({ type: 'boolean' });
    expect(params.items).toMatchObject({ required: false, type: 'list of dict', schema: { type: 'array', maxItems: 5, items: { type: 'object', required: ['name'] } } });
    expect(objectSchema(SampleInput).required).toEqual(['id']);
  });

  it('takes parameter descriptions from the help text, nested parentheses included', () => {
    const help = 'Do it. Params: id (the id (or name) of the dataset), rows (default 10), q. Who may call: sysadmins, editors.';
    expect(paramDescriptions(help, ['id', 'rows', 'q', 'nope'])).toEqual({ id: 'the id (or name) of the dataset', rows: 'default 10' });
    expect(whoMayCallOf(help)).toBe('sysadmins, editors');
    expect(summaryOf(help)).toBe('Do it.');
    expect(paramDescriptions('No parameters here (really).', ['here'])).toEqual({});
  });

  it('sorts actions into families by their longest matching prefix', () => {
    expect(familyOf('package_show')).toBe('package');
    expect(familyOf('package_activity_list')).toBe('activity');
    expect(familyOf('dataset_follower_count')).toBe('user');
    expect(familyOf('member_create')).toBe('group');
    expect(familyOf('xloader_submit')).toBe('datastore');
    expect(familyOf('frobnicate_things')).toBe('frobnicate');
  });

  it('writes copyable curl lines: GET with JSON text for lists, POST with a quoted JSON body, uploads as form fields', () => {
    expect(exampleQuery({ q: 'Pegel Köln', 'facet.field': ['tags'] })).toBe('q=Pegel+K%C3%B6ln&facet.field=%5B%22tags%22%5D');
    expect(curlOf('http://x', 'package_show', 'GET', { id: 'a' }, false)).toBe("curl 'http://x/api/3/action/package_show?id=a'");
    expect(curlOf('http://x', 'package_create', 'POST', { title: "Rhein's Pegel" }, true)).toBe(
      `curl -X POST -H "Authorization: $CKAN_API_TOKEN" -H 'Content-Type: application/json' 'http://x/api/3/action/package_create' -d '{"title":"Rhein'\\''s Pegel"}'`,
    );
    expect(uploadCurlOf('http://x', 'resource_create', { package_id: 'p', url: 'https://a', extras: {} })).toBe(
      `curl -X POST -H "Authorization: $CKAN_API_TOKEN" -F 'package_id=p' -F upload=@daten.csv 'http://x/api/3/action/resource_create'`,
    );
  });
});
