import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from './access.decorators';
import { UsersService } from './users.service';

export interface CallerView {
  id: string;
  name: string | null;
  email: string;
  active: boolean;
}

/**
 * The agency's callers, for the people who staff campaigns: account managers assign callers and
 * read reports grouped by caller, so they need names, not ids. Client users never see this.
 */
@ApiTags('users')
@ApiBearerAuth()
@Controller('callers')
@Allow('admin', 'account_manager')
export class CallersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'The callers (name, email, active) for assigning them to campaigns' })
  async list(): Promise<CallerView[]> {
    const users = await this.users.list({ role: 'caller' });
    return users.map((u) => ({ id: u.id, name: u.name, email: u.email, active: u.active }));
  }
}
