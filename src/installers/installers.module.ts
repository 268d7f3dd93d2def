import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { AgentAssets } from './agent-assets';
import { InstallerToken } from './entities/installer-token.entity';
import { InstallerTokenQueries } from './installer-token.queries';
import { InstallerTokensService } from './installer-tokens.service';
import { InstallersController } from './installers.controller';
import { InstallersService } from './installers.service';

/**
 * One-shot installer tokens and the per-OS install scripts rendered around them, and the admin's
 * persistent-agent install command. Exports InstallersService (the connect page's download route in
 * quick-support/connect renders through it) and the token service for agent registration.
 */
@Module({
  imports: [TypeOrmModule.forFeature([InstallerToken]), AuditModule],
  controllers: [InstallersController],
  providers: [InstallersService, InstallerTokensService, InstallerTokenQueries, AgentAssets],
  exports: [InstallersService, InstallerTokensService],
})
export class InstallersModule {}
