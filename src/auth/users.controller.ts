import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../common/id-param.dto';
import { Allow } from './access.decorators';
import { CreateUserDto } from './dto/create-user.dto';
import { ListUsersQuery } from './dto/list-users.query';
import { UpdateUserDto } from './dto/update-user.dto';
import { UsersService, type UserView } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
@Allow('admin')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @ApiOperation({ summary: 'Create a staff user or a client user (admin)' })
  create(@Body() dto: CreateUserDto): Promise<UserView> {
    return this.users.create(dto);
  }

  @Get()
  @ApiOperation({ summary: 'List users, optionally by role or client (admin)' })
  list(@Query() query: ListUsersQuery): Promise<UserView[]> {
    return this.users.list(query);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename, reset the password of, or deactivate a user (admin)' })
  update(@Param() { id }: IdParam, @Body() dto: UpdateUserDto): Promise<UserView> {
    return this.users.update(id, dto);
  }
}
