// The README's NestJS recipe, as an app would write it. Type-checked with this folder's
// tsconfig (decorators) by test/apps/nest.test.ts, which also runs it.
import 'reflect-metadata';
import {
  Catch,
  Controller,
  Get,
  Inject,
  Injectable,
  Module,
  Req,
  UseGuards,
  type ArgumentsHost,
  type CanActivate,
  type DynamicModule,
  type ExecutionContext,
} from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { PassportStrategy } from '@nestjs/passport';
import type { NextFunction, Request, Response } from 'express';
import {
  isSynergyFlowError,
  SynergyFlowStrategy,
  type SynergyFlowAuth,
  type SynergyFlowProfile,
  type TokenSet,
} from 'passport-synergyflow';

/** The injection token of the `synergyFlow()` result. */
export const SYNERGYFLOW = Symbol('SYNERGYFLOW');

/** The app's own user. */
export interface AppUser {
  id: string;
  name: string;
}

/** The app's users (a database in a real app). */
@Injectable()
export class UsersService {
  readonly validated: string[] = [];
  upsert(profile: SynergyFlowProfile): AppUser {
    this.validated.push(profile.id);
    return { id: `user-${profile.id}`, name: profile.name };
  }
}

/** The strategy: validate() is Passport's verify; super(auth) shares the package's configuration. */
@Injectable()
export class SynergyFlowAuthStrategy extends PassportStrategy(SynergyFlowStrategy, 'synergyflow') {
  constructor(
    @Inject(SYNERGYFLOW) auth: SynergyFlowAuth,
    @Inject(UsersService) private readonly users: UsersService,
  ) {
    super(auth);
  }

  async validate(profile: SynergyFlowProfile, _tokens: TokenSet): Promise<AppUser | false> {
    return this.users.upsert(profile);
  }
}

/** A guard around requireUser(): fresh tokens, the profile on req.synergyflow, typed errors. */
@Injectable()
export class SynergyFlowGuard implements CanActivate {
  readonly #requireUser: (req: Request, res: Response, next: NextFunction) => void;
  constructor(@Inject(SYNERGYFLOW) auth: SynergyFlowAuth) {
    this.#requireUser = auth.requireUser();
  }
  canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    return new Promise((resolve, reject) =>
      this.#requireUser(http.getRequest<Request>(), http.getResponse<Response>(), (error?: unknown) =>
        error ? reject(error) : resolve(true),
      ),
    );
  }
}

/** Answers the package's errors with their status and headers (401, 429 + Retry-After, ...). */
@Catch()
export class SynergyFlowExceptionFilter extends BaseExceptionFilter {
  readonly #handle: ReturnType<SynergyFlowAuth['errorHandler']>;
  constructor(auth: SynergyFlowAuth, ...base: ConstructorParameters<typeof BaseExceptionFilter>) {
    super(...base);
    this.#handle = auth.errorHandler();
  }
  override catch(exception: unknown, host: ArgumentsHost): void {
    if (!isSynergyFlowError(exception)) return super.catch(exception, host);
    const http = host.switchToHttp();
    this.#handle(exception, http.getRequest<Request>(), http.getResponse<Response>(), (error: unknown) =>
      super.catch(error, host),
    );
  }
}

@Controller()
export class ProfileController {
  constructor(@Inject(SYNERGYFLOW) private readonly auth: SynergyFlowAuth) {}

  @Get('me')
  @UseGuards(SynergyFlowGuard)
  me(@Req() req: Request): { user: unknown; provider: string | undefined } {
    return { user: req.user, provider: req.synergyflow?.profile?.name };
  }

  @Get('things')
  @UseGuards(SynergyFlowGuard)
  things(@Req() req: Request): Promise<unknown> {
    return this.auth.api(req, { path: '/api/things' });
  }
}

/** The module: the package's pieces as providers. */
@Module({})
// eslint-disable-next-line @typescript-eslint/no-extraneous-class -- a NestJS module is such a class
export class AuthModule {
  static forRoot(auth: SynergyFlowAuth): DynamicModule {
    return {
      module: AuthModule,
      controllers: [ProfileController],
      providers: [{ provide: SYNERGYFLOW, useValue: auth }, UsersService, SynergyFlowAuthStrategy, SynergyFlowGuard],
    };
  }
}
