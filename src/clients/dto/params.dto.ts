import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { IdParam } from '../../common/id-param.dto';

export class RepParams extends IdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  repId!: string;
}

export class ApiKeyParams extends IdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  keyId!: string;
}
