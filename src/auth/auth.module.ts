import { Module, OnModuleInit } from '@nestjs/common';
import { ActionRegistry } from '../api/action-registry';
import { Authz } from './authz';
import { TokenActions } from './token.actions';
import { UserActions } from './user.actions';
import { UserDicts } from './user-dicts.service';
import { UserRepository } from './user.repository';
import { Visibility } from './visibility';

@Module({
  providers: [Authz, Visibility, UserRepository, UserDicts, UserActions, TokenActions],
  exports: [Authz, Visibility, UserRepository, UserDicts],
})
export class AuthModule implements OnModuleInit {
  constructor(private readonly registry: ActionRegistry, private readonly users: UserActions, private readonly tokens: TokenActions) {}

  onModuleInit(): void {
    this.registry.register([...this.users.all(), ...this.tokens.all()]);
  }
}
