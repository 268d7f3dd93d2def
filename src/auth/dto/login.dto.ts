import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import {
  USER_LIMITS,
  type CsrfTokenView,
  type LoginRequest,
  type LoginResultView,
} from '../../../contracts/api/users';
import { UserDto } from '../../users/dto/user.dto';

export class LoginDto implements LoginRequest {
  @ApiProperty({ maxLength: USER_LIMITS.emailMax })
  @IsString()
  @Length(1, USER_LIMITS.emailMax)
  email!: string;

  @ApiProperty({ maxLength: USER_LIMITS.passwordMax })
  @IsString()
  @Length(1, USER_LIMITS.passwordMax)
  password!: string;
}

export class LoginResultDto implements LoginResultView {
  @ApiProperty({ type: UserDto }) user!: UserDto;
}

export class CsrfTokenDto implements CsrfTokenView {
  @ApiProperty() csrfToken!: string;
}
