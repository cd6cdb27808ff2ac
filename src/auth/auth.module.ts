import { Module, OnModuleInit } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { ActionRegistry } from '../api/action-registry';
import { CallerResolver } from '../api/caller-resolver';
import { ConstraintErrors } from '../api/constraint-errors';
import { AUTH_CONSTRAINTS } from './auth.entities';
import { Authenticator } from './authenticator';
import { Authz } from './authz';
import { Collaborations } from './collaborations';
import { LiveTokens } from './live-tokens';
import { MembershipRepository } from './membership.repository';
import { TokenActions } from './token.actions';
import { TokenSweep } from './token-sweep';
import { UserActions } from './user.actions';
import { UserWriteActions } from './user-write.actions';
import { Credentials } from './credentials';
import { LoginThrottle } from './login-throttle';
import { UserDicts } from './user-dicts.service';
import { UserRepository } from './user.repository';
import { Visibility } from './visibility';
import { WebSessions } from './web-sessions';

@Module({
  imports: [JobsModule],
  providers: [Authz, Collaborations, MembershipRepository, Visibility, Authenticator, { provide: CallerResolver, useExisting: Authenticator }, UserRepository, UserDicts, LoginThrottle, Credentials, UserActions, UserWriteActions, TokenActions, TokenSweep, LiveTokens, WebSessions],
  exports: [Authz, Collaborations, Visibility, Authenticator, CallerResolver, UserRepository, UserDicts, Credentials, LiveTokens, WebSessions],
})
export class AuthModule implements OnModuleInit {
  constructor(private readonly registry: ActionRegistry, private readonly constraints: ConstraintErrors, private readonly users: UserActions, private readonly userWrites: UserWriteActions, private readonly tokens: TokenActions) {}

  onModuleInit(): void {
    this.registry.register([...this.users.all(), ...this.userWrites.all(), ...this.tokens.all()]);
    this.constraints.register(AUTH_CONSTRAINTS);
  }
}
