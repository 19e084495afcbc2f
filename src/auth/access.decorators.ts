import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Audience, Principal } from './roles';

export const ACCESS_KEY = 'access';
export type AccessRule = { public: true } | { public: false; audiences: Audience[] };

/**
 * Who may call a route. Every route must say: the global guard denies a route with no rule.
 * `@Allow('admin', 'account_manager')`, `@Allow('api_key')`.
 */
export const Allow = (...audiences: Audience[]) =>
  SetMetadata<string, AccessRule>(ACCESS_KEY, { public: false, audiences });

/** A route anyone may call, signed in or not (login, health). */
export const Public = () => SetMetadata<string, AccessRule>(ACCESS_KEY, { public: true });

/** The authenticated principal of the request (set by the guard). */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal =>
    ctx.switchToHttp().getRequest<{ principal: Principal }>().principal,
);
