import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import {
  INSTALLER_OSES,
  type CreateInstallerRequest,
  type InstallerCommandView,
  type InstallerOs,
} from '../../../contracts/api/installers';

export class CreateInstallerDto implements CreateInstallerRequest {
  @ApiProperty({ enum: INSTALLER_OSES })
  @IsIn(INSTALLER_OSES as InstallerOs[], {
    message: `os must be one of: ${INSTALLER_OSES.join(', ')}`,
  })
  os!: InstallerOs;
}

export class InstallerCommandDto implements InstallerCommandView {
  @ApiProperty({ enum: INSTALLER_OSES }) os!: InstallerOs;
  @ApiProperty({ enum: ['persistent'] }) mode!: 'persistent';
  @ApiProperty({
    description:
      'One line to paste on the device, elevated; it holds a one-shot token (show it to admins only)',
  })
  command!: string;
  @ApiProperty({ description: 'Where to paste it, in words' }) steps!: string;
  @ApiProperty({
    description: 'The command fetches its script from here, with the token in an Authorization header',
  })
  scriptUrl!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
}
