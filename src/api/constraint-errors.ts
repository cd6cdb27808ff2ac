import { Injectable } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { FieldErrors, ValidationError } from './errors';

/** A module's unique constraints by name, each with the field error CKAN gives for a taken value. */
export type ConstraintMessages = Record<string, FieldErrors>;

/**
 * Unique constraints that two concurrent writers can both pass in their checks and then hit at insert time:
 * the loser gets the same field error the check would have given, never a 500. Each module registers the
 * messages of its own tables (next to its entities); the dispatcher asks here.
 */
@Injectable()
export class ConstraintErrors {
  private readonly messages = new Map<string, FieldErrors>();

  register(messages: ConstraintMessages): void {
    for (const [name, fields] of Object.entries(messages)) {
      if (this.messages.has(name)) throw new Error(`constraint message registered twice: ${name}`);
      this.messages.set(name, fields);
    }
  }

  /** The CKAN error for a unique violation of a registered constraint, or undefined. */
  toValidationError(err: unknown): ValidationError | undefined {
    if (!(err instanceof QueryFailedError)) return undefined;
    const e = err.driverError as { code?: string; constraint?: string };
    const fields = e.code === '23505' && e.constraint ? this.messages.get(e.constraint) : undefined;
    return fields && new ValidationError(fields);
  }
}
