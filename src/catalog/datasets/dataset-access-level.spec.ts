import type { FieldErrors } from '../../api/errors';
import { resolveAccessLevel } from './dataset-access-level';

const resolve = (input: { access_level?: string; private?: boolean }, current: string | null): { level: string; errors: FieldErrors } => {
  const errors: FieldErrors = {};
  return { level: resolveAccessLevel(input, current, errors), errors };
};

describe('a write\'s access level from access_level and private (issue 14)', () => {
  it('makes a new dataset public when neither is given, and keeps the current level on update', () => {
    expect(resolve({}, null)).toEqual({ level: 'public', errors: {} });
    expect(resolve({}, 'shared')).toEqual({ level: 'shared', errors: {} });
  });

  it('reads private alone as CKAN clients mean it: true keeps a level that is not public, false makes it public', () => {
    expect(resolve({ private: true }, null).level).toBe('private');
    expect(resolve({ private: true }, 'public').level).toBe('private');
    expect(resolve({ private: true }, 'internal').level).toBe('internal');
    expect(resolve({ private: false }, 'shared').level).toBe('public');
  });

  it('takes access_level, with a private that agrees', () => {
    expect(resolve({ access_level: 'internal' }, 'public')).toEqual({ level: 'internal', errors: {} });
    expect(resolve({ access_level: 'internal', private: true }, null)).toEqual({ level: 'internal', errors: {} });
    expect(resolve({ access_level: 'public', private: false }, 'private')).toEqual({ level: 'public', errors: {} });
  });

  it('reports a contradiction on both fields and an unknown level on access_level', () => {
    expect(resolve({ access_level: 'public', private: true }, null).errors).toEqual({
      private: [expect.stringContaining('contradict')], access_level: [expect.stringContaining('contradict')],
    });
    expect(Object.keys(resolve({ access_level: 'shared', private: false }, null).errors).sort()).toEqual(['access_level', 'private']);
    expect(resolve({ access_level: 'geheim' }, 'internal')).toEqual({
      level: 'internal', errors: { access_level: ['Value must be one of ["public","internal","shared","private"]'] },
    });
  });
});
