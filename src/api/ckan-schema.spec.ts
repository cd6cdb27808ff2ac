import { PackageCreateInput, PackageUpdateInput } from '../catalog/datasets/dataset.dto';
import { PackagePatchInput } from '../catalog/datasets/dataset-write.actions';
import type { ClassConstructor } from 'class-transformer';
import { getMetadataStorage } from 'class-validator';
import { Env } from '../config/env';
import { booleanValidator, declaredFields, Field, ignoreMissing, intValidator, naturalNumber, notEmpty, parseInput, ruledClasses, runChain, unicodeSafe, usesDirectExecutor, validateInto } from './ckan-schema';
import { ValidationError } from './errors';
// Loading the app declares every action's input class, as the service does at start.
import '../app.module';

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

describe('the direct validator executor', () => {
  /** Every input class the service declares with CKAN rules (importing the app loads every action's schema), and the settings class. */
  function inputClasses(): ClassConstructor<object>[] {
    return [...ruledClasses(), Env];
  }

  const samples = (fields: string[]): Record<string, unknown>[] => {
    const all = (v: unknown): Record<string, unknown> => Object.fromEntries(fields.map((f) => [f, structuredClone(v)]));
    return [
      {}, all('x'), all(''), all('  7 '), all(-3), all(0), all(1.5), all(true), all(null), all(['a', 'b']), all([{}]), all([{ name: 'a', key: 'k', value: 'v', url: 'http://x' }]),
      all({ a: 1 }), all('y'.repeat(5000)), all('2025-02-30'), all('a\u0000b'), all('ok-name_1'), { unknown_key: 'kept', [fields[0] ?? 'id']: 'first-only' },
    ];
  };

  it('leaves class-validator\'s metadata storage as the library made it: no method replaced, nothing added', () => {
    const storage = getMetadataStorage();
    const added = Object.getOwnPropertyNames(storage).filter((k) => typeof (storage as unknown as Record<string, unknown>)[k] === 'function' || k.startsWith('__'));
    expect(added).toEqual([]);
  });

  it('gives exactly the verdicts, messages and converted values of class-validator for every input class of the service', () => {
    let direct = 0;
    for (const cls of inputClasses()) {
      const fields = [...declaredFields(cls)];
      for (const raw of samples(fields)) {
        const a = validateInto(cls, structuredClone(raw));
        const b = validateInto(cls, structuredClone(raw), 'class-validator');
        expect({ cls: cls.name, raw, errors: a.errors, value: { ...a.value } }).toEqual({ cls: cls.name, raw, errors: b.errors, value: { ...b.value } });
      }
      if (usesDirectExecutor(cls)) direct++;
    }
    // Nearly every action schema runs directly; the settings class (class-validator's own rules) does not.
    expect(direct).toBeGreaterThan(30);
    expect(usesDirectExecutor(Env)).toBe(false);
  });
});
