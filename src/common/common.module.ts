import { type DynamicModule, Global, Module } from '@nestjs/common';
import { Clock } from './clock';

/** What every room shares at run time: the clock (replaceable in tests). */
@Global()
@Module({})
export class CommonModule {
  static register(clock: Clock = new Clock()): DynamicModule {
    return {
      module: CommonModule,
      providers: [{ provide: Clock, useValue: clock }],
      exports: [Clock],
    };
  }
}
