import { ApiProperty } from '@nestjs/swagger';
import type { HealthView } from '../../../contracts/api/health';

export class HealthDto implements HealthView {
  @ApiProperty({ enum: ['ok'] }) status!: 'ok';
  @ApiProperty({ enum: ['up'] }) database!: 'up';
  @ApiProperty({ example: '0.1.0' }) version!: string;
}
