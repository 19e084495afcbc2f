import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Client } from '../clients/client.entity';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { LoginThrottle } from './login-throttle';
import { Tokens } from './tokens';
import { User } from './user.entity';
import { UsersController } from './users.controller';
import { CallersController } from './callers.controller';
import { UsersService } from './users.service';
import { UserStates } from './user-states';

@Module({
  imports: [TypeOrmModule.forFeature([User, Client])],
  controllers: [AuthController, UsersController, CallersController],
  providers: [
    Tokens,
    AuthService,
    UsersService,
    LoginThrottle,
    UserStates,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [UsersService],
})
export class AuthModule {}
