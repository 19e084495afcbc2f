import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { Allow, CurrentPrincipal, Public } from './access.decorators';
import { AuthService, type LoginResult } from './auth.service';
import { deviceCookie, readDeviceToken } from './device-cookie';
import { LoginDto } from './dto/login.dto';
import type { Principal } from './roles';
import { UsersService, type UserView } from './users.service';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post('login')
  @HttpCode(200)
  @Public()
  @ApiOperation({
    summary: 'Sign in with email and password; answers a bearer token',
    description:
      'Failed attempts are limited per account and per address (429 with Retry-After); a correct ' +
      'password from an address, or a browser (its `rd_device` cookie, set here at each success), ' +
      'where the account signed in before is not held back by failures from elsewhere.',
  })
  async login(
    @Body() dto: LoginDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LoginResult> {
    const { body, deviceToken } = await this.auth.login(dto.email, dto.password, {
      ip: req.ip,
      deviceToken: readDeviceToken(req.headers.cookie),
    });
    reply.header(
      'set-cookie',
      deviceCookie(
        deviceToken,
        this.config.login.knownDays * 86400,
        this.config.publicBaseUrl.startsWith('https:'),
      ),
    );
    return body;
  }

  @Get('me')
  @Allow('admin', 'account_manager', 'caller', 'client')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The signed-in user' })
  me(@CurrentPrincipal() p: Principal): Promise<UserView> {
    // Only users reach here: the rule names no API-key audience.
    return this.users.get(p.kind === 'user' ? p.userId : '');
  }
}
