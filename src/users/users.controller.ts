import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ErrorCode } from '../common/domain-error';
import { ApiErrors } from '../common/openapi/api-errors.decorator';
import type { Request } from 'express';
import type { AuthUser } from '../common/auth-user';
import { AdminOnly, TeamView } from '../access/access.decorator';
import { roleIn } from '../../contracts/api/users';
import { CurrentUser } from '../common/decorators';
import { parseId } from '../common/parse-id.pipe';
import {
  CreatedUserDto,
  CreateUserDto,
  TechnicianListDto,
  UpdateUserDto,
  UserDto,
  UserListDto,
} from './dto/user.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @AdminOnly()
  @ApiOperation({ summary: 'List technicians and administrators' })
  @ApiOkResponse({ type: UserListDto })
  async list(): Promise<UserListDto> {
    return { items: (await this.users.list()).map((u) => UserDto.from(u)) };
  }

  @Get('technicians')
  @TeamView({ roles: 'operators' })
  @ApiOperation({
    summary: 'Enabled administrators and technicians by name: whom a quick-support session can be handed to',
  })
  @ApiOkResponse({ type: TechnicianListDto })
  async technicians(): Promise<TechnicianListDto> {
    const users = await this.users.list();
    return {
      items: users
        .filter((u) => u.disabledAt === null && roleIn('operators', u.role))
        .map((u) => ({ id: u.id, displayName: u.displayName, role: u.role })),
    };
  }

  @Post()
  @AdminOnly()
  @ApiOperation({ summary: 'Add a technician; without a password one is generated and returned once' })
  @ApiCreatedResponse({ type: CreatedUserDto })
  @ApiErrors([ErrorCode.EmailTaken, 'a user with this email address already exists'])
  async create(@CurrentUser() actor: AuthUser, @Body() dto: CreateUserDto): Promise<CreatedUserDto> {
    const { user, initialPassword } = await this.users.create(actor, dto);
    return initialPassword ? { user: UserDto.from(user), initialPassword } : { user: UserDto.from(user) };
  }

  @Patch(':id')
  @AdminOnly()
  @ApiOperation({
    summary:
      'Rename, change role, set a password, or disable/enable. Disabling, a role change or a new password signs them out everywhere, closes their event streams and ends their remote sessions (technician_revoked); an administrator setting their own password stays signed in on this login only',
  })
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(
    [ErrorCode.NotFound, 'there is no such user'],
    [ErrorCode.CannotChangeSelf, 'an administrator cannot disable themselves or change their own role'],
    [ErrorCode.LastAdmin, 'the change would leave no active administrator'],
  )
  async update(
    @CurrentUser() actor: AuthUser,
    @Param('id', parseId()) id: string,
    @Body() dto: UpdateUserDto,
    @Req() req: Request,
  ): Promise<UserDto> {
    return UserDto.from(await this.users.update(actor, id, dto, req.sessionID));
  }

  @Delete(':id')
  @AdminOnly()
  @HttpCode(204)
  @ApiOperation({
    summary:
      'Remove a user: signs them out everywhere, closes their event streams and ends their remote sessions (technician_revoked)',
  })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiErrors(
    [ErrorCode.NotFound, 'there is no such user'],
    [ErrorCode.CannotChangeSelf, 'an administrator cannot remove their own account'],
    [ErrorCode.LastAdmin, 'the user is the last active administrator'],
  )
  async remove(@CurrentUser() actor: AuthUser, @Param('id', parseId()) id: string): Promise<void> {
    await this.users.remove(actor, id);
  }
}
