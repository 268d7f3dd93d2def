import { ApiProperty } from '@nestjs/swagger';
import type { DeviceGrantListView, DeviceGrantView } from '../../../contracts/api/devices';
import { USER_ROLES, type UserRole } from '../../../contracts/api/users';

/** A technician granted a persistent device. */
export class DeviceGrantDto implements DeviceGrantView {
  @ApiProperty({ format: 'uuid' }) deviceId!: string;
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty() email!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: USER_ROLES }) role!: UserRole;
  @ApiProperty({ format: 'date-time' }) grantedAt!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The admin who granted it' })
  grantedBy!: string | null;
}

export class DeviceGrantListDto implements DeviceGrantListView {
  @ApiProperty({ type: [DeviceGrantDto] }) items!: DeviceGrantDto[];
}
