import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type {
  DeviceGrantListView,
  DeviceGrantView,
  DeviceListView,
  DeviceSupportSessionView,
  DeviceView,
  ListDevicesQuery,
  SetConsentPolicyRequest,
} from '../../contracts/api/devices';
import type {
  AuditActorView,
  AuditEventPageView,
  AuditEventView,
  AuditTargetView,
  ExportAuditEventsQuery,
  ListAuditEventsQuery,
  RemoteSessionTimelineView,
} from '../../contracts/api/audit';
import type { RegisterRequest, RegisterResponse } from '../../contracts/agent-protocol/registration';
import type { HealthView } from '../../contracts/api/health';
import type { CreateInstallerRequest, InstallerCommandView } from '../../contracts/api/installers';
import type {
  ConnectStatusView,
  CreateSupportSessionRequest,
  ListSupportSessionsQuery,
  QuickSupportKpisView,
  SessionDeviceView,
  SupportNoteView,
  SupportSessionListView,
  SupportSessionView,
  UserRefView,
} from '../../contracts/api/quick-support';
import type {
  RemoteHelpInstallStartedView,
  RemoteHelpStartedView,
  RemoteHelpStatusView,
  RemoteHelpStoppedView,
} from '../../contracts/api/remote-help';
import type {
  CommandStartedView,
  ListRemoteSessionsQuery,
  RelayAccessView,
  RelayChannelTokenView,
  RemoteChannelStateView,
  RemoteSessionHistoryQuery,
  RemoteSessionHistoryView,
  RemoteSessionListView,
  RemoteSessionView,
  RunCommandRequest,
  ScreenMonitorView,
  SelectMonitorRequest,
  StartedRemoteSessionView,
  StartRemoteSessionRequest,
} from '../../contracts/api/remote-sessions';
import type {
  CreatedUserView,
  CreateUserRequest,
  CsrfTokenView,
  LoginRequest,
  LoginResultView,
  TechnicianListView,
  TechnicianView,
  UpdateUserRequest,
  UserListView,
  UserView,
} from '../../contracts/api/users';
import {
  AuditActorDto,
  AuditEventDto,
  AuditEventPageDto,
  AuditTargetDto,
  ExportAuditEventsQueryDto,
  ListAuditEventsQueryDto,
  RemoteSessionTimelineDto,
} from '../../src/audit-log/dto/audit-event.dto';
import type {
  RelayClosedEvent,
  RecordingStartedEvent,
  RecordingProgressEvent,
  RecordingFailedEvent,
  RecordingFinishedEvent,
  RelayEventBatch,
  RelayEventsAcceptedResponse,
  RelayPairedEvent,
} from '../../contracts/relay-events';
import {
  RegisterAgentDto,
  RegisterAgentResponseDto,
} from '../../src/agent-registration/dto/register-agent.dto';
import { CsrfTokenDto, LoginDto, LoginResultDto } from '../../src/auth/dto/login.dto';
import { HealthDto } from '../../src/health/dto/health.dto';
import { PublicStatusDto } from '../../src/quick-support/connect/public-status.dto';
import {
  RelayClosedEventDto,
  RecordingStartedEventDto,
  RecordingProgressEventDto,
  RecordingFailedEventDto,
  RecordingFinishedEventDto,
  RelayEventBatchDto,
  RelayEventsAcceptedDto,
  RelayPairedEventDto,
} from '../../src/relay-link/dto/relay-events.dto';
import { DeviceGrantDto, DeviceGrantListDto } from '../../src/devices/dto/device-grant.dto';
import {
  DeviceDto,
  DeviceSupportSessionDto,
  DeviceListDto,
  ListDevicesQueryDto,
  SetConsentPolicyDto,
} from '../../src/devices/dto/device.dto';
import { CreateInstallerDto, InstallerCommandDto } from '../../src/installers/dto/installer.dto';
import {
  CreateSupportSessionDto,
  ListSupportSessionsQueryDto,
  QuickSupportKpisDto,
  SessionDeviceDto,
  SupportNoteDto,
  SupportSessionDto,
  SupportSessionListDto,
  UserRefDto,
} from '../../src/quick-support/dto/support-session.dto';
import {
  RemoteHelpInstallDto,
  RemoteHelpStartDto,
  RemoteHelpStatusDto,
  RemoteHelpStopDto,
} from '../../src/remote-help/dto/remote-help.dto';
import { CommandStartedDto, RunCommandDto } from '../../src/remote-sessions/dto/remote-command.dto';
import {
  CreateRemoteSessionDto,
  ListRemoteSessionsQueryDto,
  RelayAccessDto,
  RelayChannelTokenDto,
  RemoteChannelStateDto,
  RemoteSessionDto,
  RemoteSessionHistoryDto,
  RemoteSessionHistoryQueryDto,
  RemoteSessionListDto,
  ScreenMonitorDto,
  SelectMonitorDto,
  StartedRemoteSessionDto,
} from '../../src/remote-sessions/dto/remote-session.dto';
import type { BrandingBody } from '../../contracts/api/branding';
import type { ChatMessageListView, ChatMessageView, SendChatMessageRequest } from '../../contracts/api/chat';
import { BrandingDto } from '../../src/branding/branding.dto';
import {
  ChatMessageDto,
  ChatMessageListDto,
  SendChatMessageDto,
} from '../../src/support-chat/dto/chat-message.dto';
import type {
  ListRecordingsQuery,
  RecordingChunkView,
  RecordingListView,
  RecordingPlaybackView,
  RecordingSettingsView,
  RecordingView,
  SetLegalHoldRequest,
} from '../../contracts/api/recordings';
import {
  ListRecordingsQueryDto,
  RecordingChunkDto,
  RecordingDto,
  RecordingListDto,
  RecordingPlaybackDto,
  RecordingSettingsDto,
  SetLegalHoldDto,
} from '../../src/recordings/dto/recording.dto';
import {
  CreatedUserDto,
  CreateUserDto,
  UpdateUserDto,
  UserDto,
  TechnicianDto,
  TechnicianListDto,
  UserListDto,
} from '../../src/users/dto/user.dto';

/**
 * Every DTO class that `implements` a contracts/api shape has exactly that shape's data fields, both
 * ways and all the way down: `implements` alone lets a DTO add a field, drop an optional one or narrow
 * a type. The comparison is in the types, so `npm run check` (tsc) is what fails on a drift, with the
 * differing fields in the message; the test below only proves that the table covers every such DTO.
 */

/** The data fields of a class instance or an interface, recursively: methods dropped, `?` kept. */
type Fields<T> = T extends readonly (infer E)[]
  ? Fields<E>[]
  : T extends object
    ? { [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: Fields<T[K]> }
    : T;

/** Identical types (not merely assignable one way). */
type Same<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;

/** `true`, or what differs: fields on one side only, and fields whose type or `?` differ. */
type Drift<Dto, Shape, D = Fields<Dto>, S = Fields<Shape>> =
  Same<D, S> extends true
    ? true
    : {
        onlyInDto: Exclude<keyof D, keyof S>;
        onlyInShape: Exclude<keyof S, keyof D>;
        differing: {
          [K in keyof D & keyof S]: Same<Pick<D, K>, Pick<S, K>> extends true ? never : K;
        }[keyof D & keyof S];
      };

/** Compiles only when the DTO's fields are exactly the shape's (`exact` must be `true`). */
function pair<Dto extends object, Shape extends object>(
  dto: abstract new () => Dto,
  shape: string,
  exact: Drift<Dto, Shape>,
): string {
  void exact;
  return `${dto.name} implements ${shape}`;
}

const CHECKED = [
  pair<ListAuditEventsQueryDto, ListAuditEventsQuery>(ListAuditEventsQueryDto, 'ListAuditEventsQuery', true),
  pair<ExportAuditEventsQueryDto, ExportAuditEventsQuery>(
    ExportAuditEventsQueryDto,
    'ExportAuditEventsQuery',
    true,
  ),
  pair<AuditActorDto, AuditActorView>(AuditActorDto, 'AuditActorView', true),
  pair<AuditTargetDto, AuditTargetView>(AuditTargetDto, 'AuditTargetView', true),
  pair<AuditEventDto, AuditEventView>(AuditEventDto, 'AuditEventView', true),
  pair<AuditEventPageDto, AuditEventPageView>(AuditEventPageDto, 'AuditEventPageView', true),
  pair<RemoteSessionTimelineDto, RemoteSessionTimelineView>(
    RemoteSessionTimelineDto,
    'RemoteSessionTimelineView',
    true,
  ),
  pair<UserDto, UserView>(UserDto, 'UserView', true),
  pair<UserListDto, UserListView>(UserListDto, 'UserListView', true),
  pair<TechnicianDto, TechnicianView>(TechnicianDto, 'TechnicianView', true),
  pair<TechnicianListDto, TechnicianListView>(TechnicianListDto, 'TechnicianListView', true),
  pair<CreateUserDto, CreateUserRequest>(CreateUserDto, 'CreateUserRequest', true),
  pair<CreatedUserDto, CreatedUserView>(CreatedUserDto, 'CreatedUserView', true),
  pair<UpdateUserDto, UpdateUserRequest>(UpdateUserDto, 'UpdateUserRequest', true),
  pair<LoginDto, LoginRequest>(LoginDto, 'LoginRequest', true),
  pair<LoginResultDto, LoginResultView>(LoginResultDto, 'LoginResultView', true),
  pair<CsrfTokenDto, CsrfTokenView>(CsrfTokenDto, 'CsrfTokenView', true),
  pair<HealthDto, HealthView>(HealthDto, 'HealthView', true),
  pair<PublicStatusDto, ConnectStatusView>(PublicStatusDto, 'ConnectStatusView', true),
  pair<RegisterAgentDto, RegisterRequest>(RegisterAgentDto, 'RegisterRequest', true),
  pair<RegisterAgentResponseDto, RegisterResponse>(RegisterAgentResponseDto, 'RegisterResponse', true),
  pair<RelayPairedEventDto, RelayPairedEvent>(RelayPairedEventDto, 'RelayPairedEvent', true),
  pair<RelayClosedEventDto, RelayClosedEvent>(RelayClosedEventDto, 'RelayClosedEvent', true),
  pair<RecordingStartedEventDto, RecordingStartedEvent>(
    RecordingStartedEventDto,
    'RecordingStartedEvent',
    true,
  ),
  pair<RecordingProgressEventDto, RecordingProgressEvent>(
    RecordingProgressEventDto,
    'RecordingProgressEvent',
    true,
  ),
  pair<RecordingFailedEventDto, RecordingFailedEvent>(RecordingFailedEventDto, 'RecordingFailedEvent', true),
  pair<RecordingFinishedEventDto, RecordingFinishedEvent>(
    RecordingFinishedEventDto,
    'RecordingFinishedEvent',
    true,
  ),
  pair<RelayEventBatchDto, RelayEventBatch>(RelayEventBatchDto, 'RelayEventBatch', true),
  pair<RelayEventsAcceptedDto, RelayEventsAcceptedResponse>(
    RelayEventsAcceptedDto,
    'RelayEventsAcceptedResponse',
    true,
  ),
  pair<DeviceDto, DeviceView>(DeviceDto, 'DeviceView', true),
  pair<DeviceSupportSessionDto, DeviceSupportSessionView>(
    DeviceSupportSessionDto,
    'DeviceSupportSessionView',
    true,
  ),
  pair<DeviceListDto, DeviceListView>(DeviceListDto, 'DeviceListView', true),
  pair<ListDevicesQueryDto, ListDevicesQuery>(ListDevicesQueryDto, 'ListDevicesQuery', true),
  pair<SetConsentPolicyDto, SetConsentPolicyRequest>(SetConsentPolicyDto, 'SetConsentPolicyRequest', true),
  pair<DeviceGrantDto, DeviceGrantView>(DeviceGrantDto, 'DeviceGrantView', true),
  pair<DeviceGrantListDto, DeviceGrantListView>(DeviceGrantListDto, 'DeviceGrantListView', true),
  pair<CreateInstallerDto, CreateInstallerRequest>(CreateInstallerDto, 'CreateInstallerRequest', true),
  pair<InstallerCommandDto, InstallerCommandView>(InstallerCommandDto, 'InstallerCommandView', true),
  pair<CreateSupportSessionDto, CreateSupportSessionRequest>(
    CreateSupportSessionDto,
    'CreateSupportSessionRequest',
    true,
  ),
  pair<ListSupportSessionsQueryDto, ListSupportSessionsQuery>(
    ListSupportSessionsQueryDto,
    'ListSupportSessionsQuery',
    true,
  ),
  pair<UserRefDto, UserRefView>(UserRefDto, 'UserRefView', true),
  pair<SessionDeviceDto, SessionDeviceView>(SessionDeviceDto, 'SessionDeviceView', true),
  pair<SupportNoteDto, SupportNoteView>(SupportNoteDto, 'SupportNoteView', true),
  pair<SupportSessionDto, SupportSessionView>(SupportSessionDto, 'SupportSessionView', true),
  pair<SupportSessionListDto, SupportSessionListView>(SupportSessionListDto, 'SupportSessionListView', true),
  pair<QuickSupportKpisDto, QuickSupportKpisView>(QuickSupportKpisDto, 'QuickSupportKpisView', true),
  pair<RemoteHelpStatusDto, RemoteHelpStatusView>(RemoteHelpStatusDto, 'RemoteHelpStatusView', true),
  pair<RemoteHelpStartDto, RemoteHelpStartedView>(RemoteHelpStartDto, 'RemoteHelpStartedView', true),
  pair<RemoteHelpStopDto, RemoteHelpStoppedView>(RemoteHelpStopDto, 'RemoteHelpStoppedView', true),
  pair<RemoteHelpInstallDto, RemoteHelpInstallStartedView>(
    RemoteHelpInstallDto,
    'RemoteHelpInstallStartedView',
    true,
  ),
  pair<RunCommandDto, RunCommandRequest>(RunCommandDto, 'RunCommandRequest', true),
  pair<CommandStartedDto, CommandStartedView>(CommandStartedDto, 'CommandStartedView', true),
  pair<CreateRemoteSessionDto, StartRemoteSessionRequest>(
    CreateRemoteSessionDto,
    'StartRemoteSessionRequest',
    true,
  ),
  pair<ListRemoteSessionsQueryDto, ListRemoteSessionsQuery>(
    ListRemoteSessionsQueryDto,
    'ListRemoteSessionsQuery',
    true,
  ),
  pair<RelayChannelTokenDto, RelayChannelTokenView>(RelayChannelTokenDto, 'RelayChannelTokenView', true),
  pair<RelayAccessDto, RelayAccessView>(RelayAccessDto, 'RelayAccessView', true),
  pair<RemoteChannelStateDto, RemoteChannelStateView>(RemoteChannelStateDto, 'RemoteChannelStateView', true),
  pair<RemoteSessionDto, RemoteSessionView>(RemoteSessionDto, 'RemoteSessionView', true),
  pair<RemoteSessionListDto, RemoteSessionListView>(RemoteSessionListDto, 'RemoteSessionListView', true),
  pair<RemoteSessionHistoryDto, RemoteSessionHistoryView>(
    RemoteSessionHistoryDto,
    'RemoteSessionHistoryView',
    true,
  ),
  pair<RemoteSessionHistoryQueryDto, RemoteSessionHistoryQuery>(
    RemoteSessionHistoryQueryDto,
    'RemoteSessionHistoryQuery',
    true,
  ),
  pair<StartedRemoteSessionDto, StartedRemoteSessionView>(
    StartedRemoteSessionDto,
    'StartedRemoteSessionView',
    true,
  ),
  pair<BrandingDto, BrandingBody>(BrandingDto, 'BrandingBody', true),
  pair<ChatMessageDto, ChatMessageView>(ChatMessageDto, 'ChatMessageView', true),
  pair<ChatMessageListDto, ChatMessageListView>(ChatMessageListDto, 'ChatMessageListView', true),
  pair<SendChatMessageDto, SendChatMessageRequest>(SendChatMessageDto, 'SendChatMessageRequest', true),
  pair<ScreenMonitorDto, ScreenMonitorView>(ScreenMonitorDto, 'ScreenMonitorView', true),
  pair<SelectMonitorDto, SelectMonitorRequest>(SelectMonitorDto, 'SelectMonitorRequest', true),
  pair<RecordingDto, RecordingView>(RecordingDto, 'RecordingView', true),
  pair<RecordingListDto, RecordingListView>(RecordingListDto, 'RecordingListView', true),
  pair<RecordingChunkDto, RecordingChunkView>(RecordingChunkDto, 'RecordingChunkView', true),
  pair<RecordingPlaybackDto, RecordingPlaybackView>(RecordingPlaybackDto, 'RecordingPlaybackView', true),
  pair<RecordingSettingsDto, RecordingSettingsView>(RecordingSettingsDto, 'RecordingSettingsView', true),
  pair<SetLegalHoldDto, SetLegalHoldRequest>(SetLegalHoldDto, 'SetLegalHoldRequest', true),
  pair<ListRecordingsQueryDto, ListRecordingsQuery>(ListRecordingsQueryDto, 'ListRecordingsQuery', true),
];

const SRC = join(__dirname, '..', '..', 'src');

/** `X implements Y` for every DTO class in src/ (`*.dto.ts`), read from the source. */
function declaredPairs(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return declaredPairs(path);
    if (!/\.dto\.ts$/.test(relative(SRC, path))) return [];
    const source = readFileSync(path, 'utf8');
    return [...source.matchAll(/^export class (\w+)(?: extends \w+)? implements (\w+) \{/gm)].map(
      ([, dto, shape]) => `${dto} implements ${shape}`,
    );
  });
}

describe('API shapes (DTO classes against contracts/api)', () => {
  it('compares every DTO that implements a shape, field for field (in the types: npm run check)', () => {
    expect([...CHECKED].sort()).toEqual(declaredPairs().sort());
  });
});
