import type { FieldErrors } from '../../api/errors';
import { ACCESS_LEVELS, AccessLevel } from '../../auth/visibility';

const isAccessLevel = (v: string): v is AccessLevel => (ACCESS_LEVELS as readonly string[]).includes(v);

/**
 * A write's access level (issue 14) from `access_level` and CKAN's `private`, which keeps working as input:
 * `private: true` alone keeps a current level that is not public (else 'private'), `private: false` alone makes the
 * dataset public, neither keeps the current level (a new dataset is public, as CKAN's private defaults to false).
 * Both given must agree (private is true for every level but public); otherwise each gets a field error.
 */
export function resolveAccessLevel(
  input: { access_level?: string; private?: boolean }, current: string | null, errors: FieldErrors,
): AccessLevel {
  const kept: AccessLevel = current && isAccessLevel(current) ? current : 'public';
  const level = input.access_level;
  if (level !== undefined && !isAccessLevel(level)) {
    errors.access_level = [`Value must be one of ${JSON.stringify(ACCESS_LEVELS)}`];
    return kept;
  }
  if (level !== undefined) {
    if (input.private !== undefined && input.private !== (level !== 'public')) {
      const message = `private is ${level !== 'public'} for access_level "${level}": the two contradict each other`;
      errors.private = [message];
      errors.access_level = [message];
    }
    return level;
  }
  if (input.private === undefined) return kept;
  if (!input.private) return 'public';
  return kept === 'public' ? 'private' : kept;
}
