import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Allow, CurrentPrincipal, Public } from './access.decorators';
import { AuthService, type LoginResult } from './auth.service';
import { LoginDto } from './dto/login.dto';
import type { Principal } from './roles';
import { UsersService, type UserView } from './users.service';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  @Post('login')
  @HttpCode(200)
  @Public()
  @ApiOperation({
    summary: 'Sign in with email and password; answers a bearer token',
    description: 'Failed attempts are limited per account and per address (429 with Retry-After).',
  })
  login(@Body() dto: LoginDto, @Req() req: FastifyRequest): Promise<LoginResult> {
    return this.auth.login(dto.email, dto.password, req.ip);
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
