import { PackageCreateInput, PackageUpdateInput } from '../catalog/datasets/dataset.dto';
import { PackagePatchInput } from '../catalog/datasets/dataset-write.actions';
import { booleanValidator, Field, ignoreMissing, intValidator, naturalNumber, notEmpty, parseInput, runChain, unicodeSafe, validateInto } from './ckan-schema';
import { ValidationError } from './errors';

describe('CKAN-style validator chains', () => {
  it('stops at the first failing validator of a field, so each field has one message', () => {
    class Input {
      @Field(notEmpty, unicodeSafe, naturalNumber) limit!: number;
    }
    expect(validateInto(Input, {}).errors).toEqual({ limit: ['Missing value'] });
    expect(validateInto(Input, { limit: '-3' }).errors).toEqual({ limit: ['Must be a natural number'] });
    expect(validateInto(Input, { limit: 'ten' }).errors).toEqual({ limit: ['Invalid integer'] });
  });

  it('converts values as it validates: GET strings become numbers and booleans', () => {
    class Input {
      @Field(ignoreMissing, intValidator) rows?: number;
      @Field(ignoreMissing, booleanValidator) include_private?: boolean;
    }
    expect(parseInput(Input, { rows: ' 20 ', include_private: 'True' })).toMatchObject({ rows: 20, include_private: true });
    expect(parseInput(Input, { include_private: 'nonsense' }).include_private).toBe(false);
  });

  it('treats false and 0 as values, not as missing (CKAN not_empty)', () => {
    expect(runChain([notEmpty], false)).toBe(false);
    expect(runChain([notEmpty], 0)).toBe(0);
    expect(runChain([notEmpty], [])).toMatchObject({ message: 'Missing value' });
  });

  it('throws a ValidationError carrying the CKAN field map', () => {
    try {
      parseInput(PackageCreateInput, { name: 'Upper' });
      throw new Error('expected a ValidationError');
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).fields).toEqual({ name: ['Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_'] });
    }
  });

  it('lets update and patch schemas leave the name out, while create requires it', () => {
    expect(validateInto(PackageCreateInput, {}).errors).toEqual({ name: ['Missing value'] });
    expect(validateInto(PackageUpdateInput, { id: 'x' }).errors).toBeUndefined();
    expect(validateInto(PackagePatchInput, { id: 'x' }).errors).toBeUndefined();
    expect(validateInto(PackagePatchInput, {}).errors).toEqual({ id: ['Missing value'] });
  });

  it('shapes errors of nested lists per item, with {} for good items', () => {
    const { errors } = validateInto(PackageCreateInput, { name: 'ok-name', resources: [{ url: 'http://a' }, { size: 'x' }] });
    expect(errors).toEqual({ resources: [{}, { size: ['Invalid integer'] }] });
  });
});
