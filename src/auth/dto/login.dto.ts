import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import type { LoginRequest, LoginResultView } from '../../../contracts/api/users';
import { UserDto } from '../../users/dto/user.dto';

export class LoginDto implements LoginRequest {
  @ApiProperty({ maxLength: 254 })
  @IsString()
  @Length(1, 254)
  email!: string;

  @ApiProperty({ maxLength: 256 })
  @IsString()
  @Length(1, 256)
  password!: string;
}

export class LoginResultDto implements LoginResultView {
  @ApiProperty({ type: UserDto }) user!: UserDto;
}

export class CsrfTokenDto {
  @ApiProperty() csrfToken!: string;
}
