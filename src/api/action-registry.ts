import { Injectable } from '@nestjs/common';
import { AnyAction } from './action';

/** Every CKAN action of the service, by public name. A duplicate name fails start-up. */
@Injectable()
export class ActionRegistry {
  private readonly actions = new Map<string, AnyAction>();

  register(actions: AnyAction[]): void {
    for (const a of actions) {
      if (this.actions.has(a.name)) throw new Error(`CKAN action registered twice: ${a.name}`);
      this.actions.set(a.name, a);
    }
  }

  get(name: string): AnyAction | undefined {
    return this.actions.get(name);
  }

  names(): string[] {
    return [...this.actions.keys()].sort();
  }
}
