import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../common/app-error';
import { ACCESS_KEY, type AccessRule } from './access.decorators';
import { AuthService } from './auth.service';
import { API_KEY, type Audience, type Principal } from './roles';

/**
 * The one guard in front of every route (registered as APP_GUARD). A route without an access
 * rule is denied; a route with one needs a valid bearer token (staff or client user) or API key
 * whose audience the rule names. 401 = who are you?; 403 = not for your role.
 * Tenant checks (another client's resource answers 404) live in the services.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!rule) throw new AppError('forbidden', 'This route has no access rule and is closed');
    if (rule.public) return true;

    const request = context.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw new AppError('unauthenticated', 'Missing bearer token or API key');
    const principal = await this.auth.authenticate(match[1]);
    if (!principal)
      throw new AppError('unauthenticated', 'Invalid, expired or revoked credentials');

    const audience: Audience = principal.kind === 'api_key' ? API_KEY : principal.role;
    if (!rule.audiences.includes(audience)) {
      throw new AppError('forbidden', `Not allowed for ${audience.replace('_', ' ')}`);
    }
    request.principal = principal;
    return true;
  }
}
