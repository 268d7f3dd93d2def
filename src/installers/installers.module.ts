import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { QuickSupportModule } from '../quick-support/quick-support.module';
import { AgentAssets } from './agent-assets';
import { InstallerToken } from './entities/installer-token.entity';
import { InstallerDownloadController } from './installer-download.controller';
import { InstallerTokensService } from './installer-tokens.service';
import { InstallersController } from './installers.controller';
import { InstallersService } from './installers.service';

/**
 * One-shot installer tokens and the per-OS install scripts rendered around them: the public download
 * route of the connect page, and the admin's persistent-agent install command. Exports the token
 * service for agent registration.
 */
@Module({
  imports: [TypeOrmModule.forFeature([InstallerToken]), AuditModule, QuickSupportModule],
  controllers: [InstallerDownloadController, InstallersController],
  providers: [InstallersService, InstallerTokensService, AgentAssets],
  exports: [InstallersService, InstallerTokensService],
})
export class InstallersModule {}
