import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsIn, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { IsDisplayText } from '../../common/validation';
import type { User, UserRole } from '../entities/user.entity';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

export class UserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: ['admin', 'technician'] }) role!: UserRole;
  @ApiProperty() disabled!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) lastLoginAt!: string | null;

  static from(u: User): UserDto {
    return {
      id: u.id,
      email: u.email,
      displayName: u.displayName,
      role: u.role,
      disabled: u.disabledAt !== null,
      createdAt: u.createdAt.toISOString(),
      lastLoginAt: u.lastLoginAt ? u.lastLoginAt.toISOString() : null,
    };
  }
}

export class UserListDto {
  @ApiProperty({ type: [UserDto] }) items!: UserDto[];
}

export class CreateUserDto {
  @ApiProperty({ maxLength: 254 })
  @Transform(trim)
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  @ApiProperty({ minLength: 1, maxLength: 100 })
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  @IsDisplayText()
  displayName!: string;

  @ApiProperty({ enum: ['admin', 'technician'] })
  @IsIn(['admin', 'technician'])
  role!: UserRole;

  @ApiProperty({ required: false, minLength: 12, maxLength: 256, description: 'Leave out to generate one' })
  @IsOptional()
  @IsString()
  @Length(12, 256, { message: 'password must be 12 to 256 characters long' })
  password?: string;
}

export class CreatedUserDto {
  @ApiProperty({ type: UserDto }) user!: UserDto;
  @ApiProperty({ required: false, description: 'Only when the server generated the password; shown once' })
  initialPassword?: string;
}

export class UpdateUserDto {
  @ApiProperty({ required: false, maxLength: 100 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  @IsDisplayText()
  displayName?: string;

  @ApiProperty({ required: false, enum: ['admin', 'technician'] })
  @IsOptional()
  @IsIn(['admin', 'technician'])
  role?: UserRole;

  @ApiProperty({ required: false })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;

  @ApiProperty({ required: false, minLength: 12, maxLength: 256 })
  @IsOptional()
  @IsString()
  @Length(12, 256, { message: 'password must be 12 to 256 characters long' })
  password?: string;
}
