import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';

/**
 * TypeORM on PostgreSQL. The URL is the configured DATABASE_URL, or the embedded server's URL that
 * main.ts put there after starting it. Migrations run at boot; `synchronize` is never on.
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config.databaseUrl ?? ''),
        autoLoadEntities: true,
      }),
    }),
  ],
})
export class DatabaseModule {}
