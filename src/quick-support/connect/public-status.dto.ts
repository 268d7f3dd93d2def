import { ApiProperty } from '@nestjs/swagger';
import type { ConnectStatusView } from '../../../contracts/api/quick-support';

/** What the customer's page may know: no ids, no notes, no customer data. */
export class PublicStatusDto implements ConnectStatusView {
  @ApiProperty({ enum: ['waiting', 'active'] }) status!: 'waiting' | 'active';
  @ApiProperty({ enum: ['Waiting', 'Connected'] }) statusText!: string;
  @ApiProperty({ nullable: true, type: String, description: 'The assigned technician’s display name' })
  technician!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Host name of the connected computer (as its agent reported it)',
  })
  device!: string | null;
}
