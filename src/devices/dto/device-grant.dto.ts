import { ApiProperty } from '@nestjs/swagger';

/** A technician granted a persistent device. */
export class DeviceGrantDto {
  @ApiProperty({ format: 'uuid' }) deviceId!: string;
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty() email!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: ['admin', 'technician'] }) role!: 'admin' | 'technician';
  @ApiProperty({ format: 'date-time' }) grantedAt!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The admin who granted it' })
  grantedBy!: string | null;
}

export class DeviceGrantListDto {
  @ApiProperty({ type: [DeviceGrantDto] }) items!: DeviceGrantDto[];
}
