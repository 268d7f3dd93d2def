import { Body, Controller, Get, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBody, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode } from '../common/domain-error';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import type { Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import { OwnAccount } from '../access/access.decorator';
import type { AuthUser } from '../common/auth-user';
import { commonErrors } from '../common/common.errors';
import { CurrentUser, Public } from '../common/decorators';
import { AccountRevocations } from '../users/account-revocations';
import { RateLimit } from '../common/rate-limit/rate-limit.decorator';
import { UsersService } from '../users/users.service';
import { UserDto } from '../users/dto/user.dto';
import { AuthService } from './auth.service';
import { CsrfTokenDto, LoginDto, LoginResultDto } from './dto/login.dto';
import { LoginGuard } from './login.guard';
import { AppConfig } from '../config/app-config';
import { sessionCookieOptions } from './session-cookie';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
    private readonly revocations: AccountRevocations,
    private readonly config: AppConfig,
  ) {}

  @Public()
  @RateLimit('auth')
  @Post('login')
  @HttpCode(200)
  @UseGuards(LoginGuard)
  @ApiBody({ type: LoginDto })
  @ApiOperation({ summary: 'Log in with email and password; sets the session cookie' })
  @ApiOkResponse({ type: LoginResultDto, description: 'Signed in: the session cookie is set' })
  @ApiErrors(
    [ErrorCode.InvalidCredentials, 'the email or password is not correct (or the account is disabled)'],
    [ErrorCode.ValidationFailed, 'email or password missing, or too long'],
    [ErrorCode.RateLimited, 'too many failed passwords for this account or address'],
  )
  async login(@CurrentUser() user: AuthUser, @Body() _body: LoginDto): Promise<LoginResultDto> {
    await this.auth.recordLogin(user);
    return { user: await this.userDto(user.id) };
  }

  @Post('logout')
  @OwnAccount()
  @HttpCode(204)
  @ApiOperation({
    summary: 'End this login: its open event streams close and the technician’s open remote sessions end',
  })
  @ApiNoContentResponse({ description: 'Signed out: the session cookie is cleared' })
  async logout(
    @CurrentUser() user: AuthUser,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    const loginSessionId = req.sessionID;
    await new Promise<void>((resolve, reject) =>
      req.logout({ keepSessionInfo: false }, (err) => (err ? reject(err as Error) : resolve())),
    );
    await new Promise<void>((resolve, reject) =>
      req.session.destroy((err) => (err ? reject(err as Error) : resolve())),
    );
    const cookie = sessionCookieOptions(this.config.portalOrigin);
    res.clearCookie(cookie.name, {
      path: cookie.path,
      httpOnly: cookie.httpOnly,
      sameSite: cookie.sameSite,
      secure: cookie.secure === true || req.secure,
    });
    this.revocations.publish({ kind: 'logout', userId: user.id, loginSessionId });
  }

  @Get('me')
  @OwnAccount()
  @ApiOperation({ summary: 'The logged-in technician' })
  @ApiOkResponse({ type: UserDto })
  async me(@CurrentUser() user: AuthUser): Promise<UserDto> {
    return this.userDto(user.id);
  }

  @Public()
  @RateLimit('auth')
  @Get('csrf')
  @ApiOperation({
    summary: 'A CSRF token for clients that send neither Origin nor Sec-Fetch-Site (send it as X-CSRF-Token)',
  })
  @ApiOkResponse({ type: CsrfTokenDto })
  csrf(@Req() req: Request): CsrfTokenDto {
    req.session.csrfToken ??= randomBytes(24).toString('base64url');
    return { csrfToken: req.session.csrfToken };
  }

  private async userDto(id: string): Promise<UserDto> {
    const u = await this.users.findById(id);
    if (!u) throw commonErrors.notLoggedIn();
    return UserDto.from(u);
  }
}
