import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow, CurrentPrincipal } from '../auth/access.decorators';
import type { Principal } from '../auth/roles';
import { ClientsService } from './clients.service';

/** The client-facing API (`/v1`), called by a client's systems with an API key. */
@ApiTags('client API')
@ApiBearerAuth()
@Controller('v1')
export class ClientApiController {
  constructor(private readonly clients: ClientsService) {}

  @Get('me')
  @Allow('api_key')
  @ApiOperation({ summary: "The key's client: lets an integrator check a key" })
  async me(
    @CurrentPrincipal() p: Principal,
  ): Promise<{ id: string; name: string; timezone: string }> {
    const c = await this.clients.get(p, p.clientId ?? '');
    return { id: c.id, name: c.name, timezone: c.timezone };
  }
}
