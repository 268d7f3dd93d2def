import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsIn, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import {
  USER_LIMITS,
  USER_ROLES,
  type CreatedUserView,
  type CreateUserRequest,
  type TechnicianListView,
  type TechnicianView,
  type UpdateUserRequest,
  type UserListView,
  type UserRole,
  type UserView,
} from '../../../contracts/api/users';
import { IsDisplayText } from '../../common/validation';
import type { User } from '../entities/user.entity';

const { emailMax, displayNameMax, passwordMin, passwordMax } = USER_LIMITS;

const PASSWORD_LENGTH_MESSAGE = `password must be ${passwordMin} to ${passwordMax} characters long`;
const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

/** Someone a support session can be handed to: an enabled admin or technician, by name. */
export class TechnicianDto implements TechnicianView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: USER_ROLES }) role!: UserRole;
}

export class TechnicianListDto implements TechnicianListView {
  @ApiProperty({ type: [TechnicianDto] }) items!: TechnicianDto[];
}

export class UserDto implements UserView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: USER_ROLES }) role!: UserRole;
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

export class UserListDto implements UserListView {
  @ApiProperty({ type: [UserDto] }) items!: UserDto[];
}

export class CreateUserDto implements CreateUserRequest {
  @ApiProperty({ maxLength: emailMax })
  @Transform(trim)
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(emailMax)
  email!: string;

  @ApiProperty({ minLength: 1, maxLength: displayNameMax })
  @Transform(trim)
  @IsString()
  @Length(1, displayNameMax)
  @IsDisplayText()
  displayName!: string;

  @ApiProperty({ enum: USER_ROLES })
  @IsIn(USER_ROLES)
  role!: UserRole;

  @ApiProperty({
    required: false,
    minLength: passwordMin,
    maxLength: passwordMax,
    description: 'Leave out to generate one',
  })
  @IsOptional()
  @IsString()
  @Length(passwordMin, passwordMax, { message: PASSWORD_LENGTH_MESSAGE })
  password?: string;
}

export class CreatedUserDto implements CreatedUserView {
  @ApiProperty({ type: UserDto }) user!: UserDto;
  @ApiProperty({ required: false, description: 'Only when the server generated the password; shown once' })
  initialPassword?: string;
}

export class UpdateUserDto implements UpdateUserRequest {
  @ApiProperty({ required: false, maxLength: displayNameMax })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, displayNameMax)
  @IsDisplayText()
  displayName?: string;

  @ApiProperty({ required: false, enum: USER_ROLES })
  @IsOptional()
  @IsIn(USER_ROLES)
  role?: UserRole;

  @ApiProperty({ required: false })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;

  @ApiProperty({ required: false, minLength: passwordMin, maxLength: passwordMax })
  @IsOptional()
  @IsString()
  @Length(passwordMin, passwordMax, { message: PASSWORD_LENGTH_MESSAGE })
  password?: string;
}
